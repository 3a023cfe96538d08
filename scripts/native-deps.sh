#!/usr/bin/env bash
# Installs what the optional native CPU kernels (native/) build against: oneDNN's headers and library from
# Debian/Ubuntu (libdnnl-dev, which brings libdnnl2; ~40 MB) and a C++ compiler. Idempotent; needs root or sudo
# and apt. After it, `npm install` (or `npm run build:native`) builds the kernels.
set -euo pipefail
pkgs=()
[ -f /usr/include/oneapi/dnnl/dnnl.h ] || pkgs+=(libdnnl-dev)
command -v g++ >/dev/null 2>&1 || pkgs+=(g++)
command -v make >/dev/null 2>&1 || pkgs+=(make)
if [ ${#pkgs[@]} -eq 0 ]; then
  echo "native-deps: oneDNN headers and g++ present; nothing to do"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "native-deps: apt-get not found; install oneDNN (headers and library) and g++ some other way" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "native-deps: apt-get install ${pkgs[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/tmp/datadiet-native-deps.log 2>&1 || {
  tail -30 /tmp/datadiet-native-deps.log >&2
  exit 1
}
echo "native-deps: installed ${pkgs[*]}"
