#!/usr/bin/env bash
# Bring Arkenos up on a local kind cluster with the Helm chart.
# It checks what it needs first and says plainly what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 || missing+=("a running Docker engine (kind runs its nodes as containers)")
command -v kind >/dev/null 2>&1 || missing+=("kind on PATH")
[ -f charts/arkenos/Chart.yaml ] || missing+=("the Helm chart in charts/arkenos (not written yet: it lands with the chart issue)")

if [ ${#missing[@]} -gt 0 ]; then
  echo "make up cannot bring the platform up on this machine. It needs:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "Nothing was changed. 'make test' runs the whole test suite without any of these." >&2
  exit 1
fi

# Reached only once the chart exists: create the cluster, install the CRDs and the chart.
kind get clusters | grep -qx arkenos || kind create cluster --name arkenos
kubectl apply --server-side -f crds/
helm upgrade --install arkenos charts/arkenos --namespace arkenos-system --create-namespace --wait
