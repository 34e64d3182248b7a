#!/bin/sh
# Installs what test/e2e/code-server.test.ts needs, non-interactively, into a
# cache outside the repository (default /var/cache/postfix-lint-e2e):
#   - Debian's chromium (playwright's own browser download is not reachable),
#   - code-server 4.100.3 (the newest release that runs on Node 20),
#   - playwright-core to drive chromium.
# Re-running is cheap: each step is skipped when its result is already there.
# The workarounds are those of ../shared/real-editors.md section 1.
set -eu
CACHE=${POSTFIX_E2E_CACHE:-/var/cache/postfix-lint-e2e}
CS_VERSION=4.100.3
PW_VERSION=1.65.1
export TMPDIR="$CACHE/tmp"
export npm_config_cache=${npm_config_cache:-$HOME/.npm}   # keep the usual npm cache
export HOME="$CACHE/home"   # code-server writes ~/.config and ~/.local/share even for --version
export npm_config_nodedir=${npm_config_nodedir:-/usr}   # node-gyp: no header download from nodejs.org
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false
mkdir -p "$CACHE" "$TMPDIR" "$HOME"

need_apt=""
command -v chromium >/dev/null 2>&1 || need_apt="$need_apt chromium"
[ -f /usr/include/gssapi/gssapi.h ] || need_apt="$need_apt libkrb5-dev"   # kerberos native module
command -v g++ >/dev/null 2>&1 || need_apt="$need_apt build-essential python3"
if [ -n "$need_apt" ]; then
  [ "$(id -u)" = 0 ] || { echo "install-e2e: need root for apt-get install$need_apt" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need_apt
fi
[ -f /usr/include/node/node.h ] || { echo "install-e2e: node headers missing in /usr/include/node (apt-get install libnode-dev, or set npm_config_nodedir)" >&2; exit 1; }

CS_DIR="$CACHE/code-server-$CS_VERSION"
if ! "$CS_DIR/node_modules/.bin/code-server" --version >/dev/null 2>&1; then
  mkdir -p "$CS_DIR/rgpkg"
  cd "$CS_DIR"
  # @vscode/ripgrep's postinstall downloads from GitHub; seed its cache from npm instead.
  RGC="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RGC"
  npm pack --silent --pack-destination rgpkg @vscode/ripgrep-linux-x64@1.18.0 >/dev/null
  tar xzf rgpkg/vscode-ripgrep-linux-x64-1.18.0.tgz -C rgpkg
  tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C rgpkg/package/bin rg
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
fi

PW_DIR="$CACHE/playwright-core-$PW_VERSION"
if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$PW_DIR"
  cd "$PW_DIR"
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "playwright-core@$PW_VERSION"
fi

echo "code-server: $("$CS_DIR/node_modules/.bin/code-server" --version | head -1)"
echo "chromium: $(chromium --version 2>/dev/null | head -1)"
echo "playwright-core: $PW_VERSION in $PW_DIR"
