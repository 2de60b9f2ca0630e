#!/usr/bin/env bash
# Installs what the real-call tests need from Debian: redis-server (livekit-server and
# livekit-sip talk through it), sipp (package sip-tester, the phone caller), espeak-ng (the
# callers' speech is synthesized offline) and the C libraries livekit-sip's cgo build links
# (opus, opusfile, soxr, found through pkg-config).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(redis-server sip-tester espeak-ng pkg-config libopus-dev libopusfile-dev libsoxr-dev)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "Media dependencies are already installed: ${packages[*]}"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  sudo=(sudo)
fi

"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
echo "Installed: ${missing[*]}"
