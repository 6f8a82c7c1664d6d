#!/usr/bin/env bash
# Runs deno or bun from node_modules/.bin when the npm dev dependencies are
# installed, else from PATH. deno.json's tasks go through here: inside
# `deno task`, a bare `deno` resolves to node_modules/.bin/deno and is then
# mistaken for a JavaScript file.
set -euo pipefail
tool=$1
shift
local_tool="$(dirname "$0")/../node_modules/.bin/$tool"
if [ -x "$local_tool" ]; then exec "$local_tool" "$@"; fi
exec "$tool" "$@"
