#!/usr/bin/env bash
# Installs pgsim's build dependencies from Debian 12 packages when they are missing.
set -euo pipefail
pkgs=(g++ cmake ninja-build ccache libboost-dev libfmt-dev libcli11-dev nlohmann-json3-dev libz3-dev catch2 qt6-base-dev qt6-charts-dev libgl-dev fonts-dejavu-core
  clang-14 libclang-rt-14-dev llvm-14)  # the sanitizer build and the fuzz targets (scripts/sanitize.sh)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
