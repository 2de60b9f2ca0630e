#!/usr/bin/env bash
# Delete the kind cluster `make up` created (and with it everything installed in it).
set -euo pipefail
CLUSTER="${ARKENOS_KIND_CLUSTER:-arkenos}"

if ! command -v kind >/dev/null 2>&1; then
  echo "kind is not on PATH, so there is no kind cluster to delete." >&2
  exit 1
fi
if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "No kind cluster named $CLUSTER: nothing to delete."
  exit 0
fi
kind delete cluster --name "$CLUSTER"
echo "Deleted the kind cluster $CLUSTER."
