#!/usr/bin/env bash
# Resolve the base images of images/<name>/Dockerfile to their digests.
#
#   hack/pin-images.sh --build-args images/api/Dockerfile
#       prints `--build-arg NAME=tag@sha256:...` for each base image ARG (and BASE_DIGEST, the
#       digest of the runtime stage's base, for the image's labels); the release workflow
#       builds with these, so published images come from digest-pinned bases.
#   hack/pin-images.sh --write
#       rewrites every `ARG *_BASE=` / `ARG UV_IMAGE=` default to tag@sha256:... in place
#       (commit the result to pin in the repository too; run again to refresh the pins).
#
# Needs `crane` or `docker buildx` and a reachable registry: not available on this project's
# development machines, which is why the committed Dockerfiles carry tags only.
set -euo pipefail
cd "$(dirname "$0")/.."

ARG_PATTERN='^ARG ([A-Z_]*_BASE|UV_IMAGE)=(.+)$'

digest_of() {
  local ref="${1%@*}"
  if command -v crane >/dev/null 2>&1; then
    crane digest "$ref"
  elif command -v docker >/dev/null 2>&1; then
    docker buildx imagetools inspect "$ref" --format '{{json .Manifest}}' |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])'
  else
    echo "pin-images: neither crane nor docker is installed" >&2
    return 1
  fi
}

build_args() {
  local dockerfile="$1" name ref digest runtime_base=""
  while IFS= read -r line; do
    [[ "$line" =~ $ARG_PATTERN ]] || continue
    name="${BASH_REMATCH[1]}" ref="${BASH_REMATCH[2]%@*}"
    digest="$(digest_of "$ref")"
    printf -- '--build-arg %s=%s@%s\n' "$name" "$ref" "$digest"
    [[ "$name" == *_BASE ]] && runtime_base="$digest"
  done <"$dockerfile"
  [ -n "$runtime_base" ] && printf -- '--build-arg BASE_DIGEST=%s\n' "$runtime_base"
}

write_pins() {
  local dockerfile name ref digest
  for dockerfile in images/*/Dockerfile; do
    while IFS= read -r line; do
      [[ "$line" =~ $ARG_PATTERN ]] || continue
      name="${BASH_REMATCH[1]}" ref="${BASH_REMATCH[2]%@*}"
      digest="$(digest_of "$ref")"
      sed -i "s|^ARG ${name}=.*\$|ARG ${name}=${ref}@${digest}|" "$dockerfile"
      echo "$dockerfile: $name=$ref@$digest"
    done <"$dockerfile"
  done
}

case "${1:-}" in
  --build-args) build_args "${2:?usage: pin-images.sh --build-args images/<name>/Dockerfile}" ;;
  --write) write_pins ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
