#!/usr/bin/env bash
# Installs a software Vulkan driver (Mesa lavapipe) so that the WebGPU path (Dawn through the `webgpu` package) runs
# on a machine without a GPU, for its tests (test/unit/core/compute/webgpu.test.ts): the Vulkan loader from Debian
# bookworm and mesa-vulkan-drivers from bookworm-backports (bookworm's own 22.3 lavapipe lacks features Dawn
# requires). Idempotent; needs root or sudo and apt. Not for speed: lavapipe is ~100x slower than our CPU path, and
# `--backend auto` never picks it. See docs/gpu.md.
set -euo pipefail
if ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ] &&
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo; then
  echo "webgpu-deps: Vulkan loader and backports' lavapipe present; nothing to do"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! grep -q bookworm /etc/os-release 2>/dev/null; then
  echo "webgpu-deps: needs Debian bookworm with apt; install a Vulkan loader and a Vulkan driver some other way" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
list=/etc/apt/sources.list.d/backports.list
grep -qs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/* ||
  echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee "$list" >/dev/null
$SUDO apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
{ $SUDO apt-get install -y -qq --no-install-recommends libvulkan1 &&
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers; } >/tmp/datadiet-webgpu-deps.log 2>&1 || {
  tail -30 /tmp/datadiet-webgpu-deps.log >&2
  exit 1
}
echo "webgpu-deps: installed libvulkan1 and mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
