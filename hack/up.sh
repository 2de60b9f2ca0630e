#!/usr/bin/env bash
# Bring Arkenos up on a local kind cluster: build the images, load them into kind, install the
# chart with the quickstart values (PostgreSQL, object storage and livekit-server bundled),
# wait until it is Ready, then port-forward the dashboard and print what to do next.
# `make down` deletes the cluster. Settings (environment):
#   ARKENOS_KIND_CLUSTER  kind cluster name (arkenos)
#   ARKENOS_NAMESPACE     namespace of the release (arkenos-system)
#   ARKENOS_IMAGE_TAG     tag of the images built here (dev)
#   ARKENOS_UP_TIMEOUT    how long to wait for Ready (10m)
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${ARKENOS_KIND_CLUSTER:-arkenos}"
NAMESPACE="${ARKENOS_NAMESPACE:-arkenos-system}"
TAG="${ARKENOS_IMAGE_TAG:-dev}"
TIMEOUT="${ARKENOS_UP_TIMEOUT:-10m}"
REGISTRY=ghcr.io/arkenos
RELEASE=arkenos
CHART=charts/arkenos

say() { printf '==> %s\n' "$*"; }

# ---- 1. What is needed, and how to get what is missing ----
missing=()
if ! command -v docker >/dev/null 2>&1; then
  missing+=("docker: install Docker Engine (Linux) or Docker Desktop; kind runs its nodes as containers")
elif ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker engine: docker is installed but 'docker info' fails (start the daemon, or add yourself to the docker group)")
fi
command -v kind >/dev/null 2>&1 ||
  missing+=("kind: go install sigs.k8s.io/kind@v0.29.0 (or your package manager's kind), then put \$(go env GOPATH)/bin on PATH")
command -v helm >/dev/null 2>&1 ||
  missing+=("helm: (v3) 'make tools' builds it from hack/tools/helm into ~/.cache/arkenos/tools/helm/*/bin (add that to PATH), or use your package manager's helm")
command -v kubectl >/dev/null 2>&1 ||
  missing+=("kubectl: your package manager's kubectl, or the binary from the Kubernetes release notes; any version within one minor of kind's node image")
if [ ${#missing[@]} -gt 0 ]; then
  echo "make up cannot bring the platform up on this machine. It needs:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "Nothing was changed. 'make test' runs the whole test suite without any of these." >&2
  exit 1
fi

# ---- 2. The cluster ----
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  say "kind cluster $CLUSTER exists; reusing it"
else
  say "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --wait 120s
fi
kubectl config use-context "kind-$CLUSTER" >/dev/null

# ---- 3. Images: built here, loaded into the kind nodes (the chart never pulls them) ----
images=(api operator agent-runtime)
dashboard=true
if [ -f frontend/package.json ]; then
  images+=(dashboard)
else
  dashboard=false
  say "frontend/ has no dashboard yet: installing without it"
fi
refs=()
for image in "${images[@]}"; do
  ref="$REGISTRY/arkenos-$image:$TAG"
  say "building $ref"
  docker build --file "images/$image/Dockerfile" --tag "$ref" \
    --build-arg VERSION="$TAG" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" .
  refs+=("$ref")
done
say "loading the images into kind"
kind load docker-image --name "$CLUSTER" "${refs[@]}"

# ---- 4. The chart, with the quickstart values ----
# CRDs first and server-side: helm installs crds/ only on the first install, never upgrades them.
say "applying the CRDs"
kubectl apply --server-side --force-conflicts --filename "$CHART/crds/"
say "installing the chart (release $RELEASE in $NAMESPACE)"
helm upgrade --install "$RELEASE" "$CHART" \
  --namespace "$NAMESPACE" --create-namespace \
  --values "$CHART/values-quickstart.yaml" \
  --set image.tag="$TAG" --set dashboard.enabled="$dashboard" \
  --wait --timeout "$TIMEOUT"

# ---- 5. Ready ----
say "waiting for the platform to be Ready"
kubectl --namespace "$NAMESPACE" wait deployment --all --for=condition=Available --timeout "$TIMEOUT"
kubectl --namespace "$NAMESPACE" wait workerpool/standard --for=condition=Ready --timeout "$TIMEOUT"

# ---- 6. Port-forwards and first steps ----
forwards=()
forward() { kubectl --namespace "$NAMESPACE" port-forward "$@" >/dev/null & forwards+=($!); }
stop_forwards() { [ ${#forwards[@]} -eq 0 ] || kill "${forwards[@]}" 2>/dev/null || true; }
trap stop_forwards EXIT INT TERM
[ "$dashboard" = true ] && forward "svc/$RELEASE-dashboard" 3000:3000
forward "svc/$RELEASE-api" 8000:8000
# livekit-server's signalling and its TCP media port (node_ip is 127.0.0.1 in the quickstart).
forward "svc/$RELEASE-livekit" 7880:7880 7881:7881

cat <<EOM

Arkenos is up on the kind cluster $CLUSTER.

  Dashboard  http://localhost:3000$([ "$dashboard" = true ] || echo "  (not installed: frontend/ has no dashboard yet)")
  API        http://localhost:8000/api/v1  (health: http://localhost:8000/readyz)
  LiveKit    ws://localhost:7880

First steps:
  1. Open the dashboard and sign up: the first account becomes the platform admin.
  2. Or apply an agent with kubectl:
       kubectl create namespace team-a
       kubectl apply -n team-a -f examples/agents/standard-receptionist.yaml
       kubectl get voice -n team-a
  3. 'make down' deletes the cluster.

Port-forwards run until you press Ctrl-C.
EOM
wait
