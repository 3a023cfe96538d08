#!/usr/bin/env bash
# Installs PyTorch (CPU) from Debian for the side-by-side comparison in `npm run bench`.
# Debian's python3-torch installs for the system interpreter, /usr/bin/python3 (not a pyenv/venv python3 that
# may come first on PATH), so bench/torch_bench.py is always run with /usr/bin/python3.
# Idempotent: does nothing when /usr/bin/python3 can already import torch. Needs root (or sudo) and apt.
# About 240 packages, ~880 MB on disk (the package pulls in GUI libraries as dependencies); about a minute.
set -euo pipefail

PY=/usr/bin/python3

if [ -x "$PY" ] && "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "install-torch: torch $("$PY" -c 'import torch; print(torch.__version__)') already importable by $PY; nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-torch: apt-get not found; this script supports Debian/Ubuntu only." >&2
  echo "install-torch: install PyTorch for $PY some other way to get the comparison." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-torch: must run as root (or have sudo) to apt-get install" >&2
    exit 1
  fi
fi

start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y python3-torch libopenblas0-pthread

if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "install-torch: installed python3-torch but '$PY -c \"import torch\"' still fails" >&2
  "$PY" -c 'import torch' || true
  exit 1
fi
echo "install-torch: torch $("$PY" -c 'import torch; print(torch.__version__)') ready for $PY ($(( $(date +%s) - start )) s)"
