#!/usr/bin/env bash
# Installs the system packages ClipScope builds against, only if some are missing.
# Debian/Ubuntu: apt-get (sudo when not root). macOS: prints the Homebrew equivalents.
set -euo pipefail
packages=("$@")
if [ "$(uname -s)" = "Darwin" ]; then
    echo "On macOS install the libraries with: brew install ncurses openblas jpeg-turbo libpng webp giflib libtiff libheif libavif chafa onednn" >&2
    exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian-like system; install the development packages of ncursesw, OpenBLAS, oneDNN, libjpeg, libpng, libwebp, giflib, libtiff, libheif, libavif and chafa by hand" >&2
    exit 0
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
