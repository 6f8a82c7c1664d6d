#!/usr/bin/env bash
# Tests the npm package as a user gets it: builds npm/, packs it, installs the
# tarball (and koffi) into a fresh temporary project, runs a REQ/REP script
# under Node and Bun, then the core and pattern tests, compiled against the
# installed package, under Node's and Bun's test runners.
#
#   bash scripts/test_npm.sh            (deno task test:npm)
#
# Prints "npm node: N passed, N failed" and "npm bun: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
deno=node_modules/.bin/deno
bun=$root/node_modules/.bin/bun

$deno run -A scripts/build_npm.ts || exit 1
package=$(node -p 'require("./npm/package.json").name')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd npm && npm pack --silent --pack-destination "$work" >/dev/null) || exit 1
tarball=$(ls "$work"/*.tgz)

project=$work/project
mkdir -p "$project/test"
cd "$project"
echo '{ "name": "zmq-npm-check", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --prefer-offline --silent "$tarball" koffi@^3 || exit 1

echo "== REQ/REP from the installed package =="
cat >rr.mjs <<EOF
import * as zmq from "$package";
const rep = new zmq.Reply();
await rep.bind("tcp://127.0.0.1:*");
const req = new zmq.Request();
req.connect(rep.lastEndpoint);
await req.send("ping");
const [question] = await rep.receive();
await rep.send(new TextDecoder().decode(question) + "/pong");
const [answer] = await req.receive();
console.log("libzmq " + zmq.version + ": " + new TextDecoder().decode(answer));
req.close();
rep.close();
EOF
smoke_failed=0
for runner in node "$bun"; do
  out=$(timeout 60 "$runner" rr.mjs 2>&1)
  if [[ "$out" == *"ping/pong"* ]]; then
    echo "$(basename "$runner"): $out"
  else
    echo "$(basename "$runner"): REQ/REP FAILED: $out"
    smoke_failed=$((smoke_failed + 1))
  fi
done

# The package's bin: `npx zmq` round-trips a message between two processes.
cli_out=$(timeout 60 bash -c '
  node_modules/.bin/zmq pull "tcp://127.0.0.1:*" --count 1 2>cli.err &
  for _ in $(seq 100); do grep -q "bound to" cli.err 2>/dev/null && break; sleep 0.1; done
  endpoint=$(grep -o "tcp://[0-9.:]*" cli.err)
  node_modules/.bin/zmq push "$endpoint" "hello from npx"
  wait' 2>&1)
if [[ "$cli_out" == "hello from npx" ]]; then
  echo "node, npx zmq: push -> pull ok"
else
  echo "node, npx zmq: FAILED: $cli_out"
  smoke_failed=$((smoke_failed + 1))
fi

# Missing pieces on Node are one clear error each: libzmq (like Deno and Bun) and koffi.
expect_error() { # what, expected text, command...
  local what=$1 expected=$2
  shift 2
  local out
  out=$(timeout 60 "$@" 2>&1)
  if [[ "$out" == *"$expected"* ]]; then
    echo "node, $what: clear error"
  else
    echo "node, $what: UNCLEAR ERROR (wanted \"$expected\"): $out"
    smoke_failed=$((smoke_failed + 1))
  fi
}
expect_error "libzmq missing" "LIBZMQ_PATH=/nonexistent/libzmq.so could not be loaded" \
  env LIBZMQ_PATH=/nonexistent/libzmq.so node rr.mjs
bare=$work/bare
mkdir -p "$bare"
cp rr.mjs "$bare/"
echo '{ "name": "zmq-npm-bare", "private": true, "type": "module" }' >"$bare/package.json"
(cd "$bare" && npm install --no-audit --no-fund --prefer-offline --silent --omit=peer "$tarball") || exit 1
expect_error "koffi missing" 'npm install koffi' node "$bare/rr.mjs"

# The core and pattern tests, importing the package instead of ../mod.ts.
tests=(async auth certificates context engine errors facts frames messages monitor multipart never_crash process_exit timeouts
  options pair proxy pub_sub push_pull req_rep router_dealer security stream xpub_xsub
  zeromq_compat_socket zeromq_compat_options zeromq_compat_events zeromq_compat_v5)
cp "$root/test/harness.ts" test/
mkdir -p test/fixtures
for name in "${tests[@]}"; do cp "$root/test/${name}_test.ts" test/; done
cp "$root"/test/fixtures/*.ts test/fixtures/
sed -i -E "s#from \"(\\.\\./)+mod\\.ts\"#from \"$package\"#" test/*.ts test/fixtures/*.ts
# The zeromq.js entry points, as the package exports them.
sed -i -E -e "s#from \"(\\.\\./)+zeromq\\.ts\"#from \"$package/zeromq\"#" \
  -e "s#from \"(\\.\\./)+zeromq_v5_compat\\.ts\"#from \"$package/zeromq/v5-compat\"#" \
  test/*.ts test/fixtures/*.ts
# The npm build's compiler options (scripts/npm/compiler.ts), loosened: see below.
"$root/$deno" eval "
  import { ambientDeclarations, compilerOptions } from '$root/scripts/npm/compiler.ts';
  const options = { ...compilerOptions('$root', '.'), strict: false, noEmitOnError: false, outDir: 'compiled' };
  const config = { compilerOptions: options, files: [ambientDeclarations('$root')], include: ['test/**/*.ts'] };
  Deno.writeTextFileSync('tsconfig.json', JSON.stringify(config, null, 2));
" || exit 1
# Type errors in tests written for Deno's checker do not stop the run; the output is what runs.
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json >tsc.log 2>&1 || true
[ -f compiled/test/harness.js ] || { cat tsc.log; exit 1; }
# Worker fixtures are started by URL: point those at the compiled files.
sed -i -E 's#(fixtures/[a-z_]+)\.ts#\1.js#g' compiled/test/*.js
sed -i -E 's#"\./([a-z_]+)\.ts"#"./\1.js"#g' compiled/test/fixtures/*.js

echo "== node --test (npm package) =="
node --test --test-concurrency=1 compiled/test/*_test.js 2>&1 | tee node.log
node_status=${PIPESTATUS[0]}
echo "== bun test (npm package) =="
(cd compiled && "$bun" test test/ 2>&1) | tee bun.log
bun_status=${PIPESTATUS[0]}

strip() { sed -E 's/\x1b\[[0-9;]*m//g' "$1"; }
node_passed=$(strip node.log | grep -Eo '^# pass [0-9]+' | grep -Eo '[0-9]+' || echo 0)
node_failed=$(strip node.log | grep -Eo '^# fail [0-9]+' | grep -Eo '[0-9]+' || echo 0)
bun_passed=$(strip bun.log | grep -Eo '^ *[0-9]+ pass$' | tail -1 | grep -Eo '[0-9]+' || echo 0)
bun_failed=$(strip bun.log | grep -Eo '^ *[0-9]+ fail$' | tail -1 | grep -Eo '[0-9]+' || echo 0)
[ "$node_status" -ne 0 ] && [ "$node_failed" -eq 0 ] && node_failed=1
[ "$bun_status" -ne 0 ] && [ "$bun_failed" -eq 0 ] && bun_failed=1
node_failed=$((node_failed + (smoke_failed > 0 ? 1 : 0)))

echo
echo "npm node: $node_passed passed, $node_failed failed"
echo "npm bun: $bun_passed passed, $bun_failed failed"
[ $((node_failed + bun_failed + smoke_failed)) -eq 0 ]
