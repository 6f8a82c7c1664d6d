#!/usr/bin/env bash
# Runs zeromq.js v6's own unit tests against this library's zeromq.js entry
# point, in Node (through the npm build), Bun (the npm build) and Deno (the
# sources): the measure of issue #16's "95% of zeromq.js v6's non-draft unit
# tests' behaviours hold". The tests are not part of this repository: give
# the path of a copy of zeromq.js's test/unit directory.
#
#   bash scripts/zeromq_js_tests.sh /path/to/zeromq.js/test/unit [node] [bun] [deno]
#
# Each test file is changed in its imports only: "../../src" becomes this
# library's "@zmq/zmq/zeromq", "../../src/errors" a two-line stand-in for
# zeromq.js's internal isFullError, "vitest" (newer files) mocha's globals
# and chai's assert. helpers.ts also gets the path of the library for the
# code it runs in workers and child processes. Left out: draft-API tests,
# the v5 compat/ tests, and the type-level tests (typings, tsc versions).
# Prints "zeromq.js <runtime>: N passed, N failed, N pending" per runtime.
set -uo pipefail
source_dir=${1:?give the path of zeromq.js test/unit}
shift
runtimes=("$@")
[ ${#runtimes[@]} -eq 0 ] && runtimes=(node bun deno)
root=$(cd "$(dirname "$0")/.." && pwd)
deno=$root/node_modules/.bin/deno
bun=$root/node_modules/.bin/bun

work=${ZJS_WORK:-$(mktemp -d)}
mkdir -p "$work"
echo "work directory: $work"
cd "$root" || exit 1
"$deno" run -A scripts/build_npm.ts >/dev/null || exit 1
rm -f "$work"/*.tgz
(cd npm && npm pack --silent --pack-destination "$work" >/dev/null) || exit 1
tarball=$(ls "$work"/*.tgz)

cd "$work" || exit 1
echo '{ "name": "zeromq-js-unit-tests", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --silent "$tarball" koffi@^3 mocha@10 chai@4 semver \
  proper-lockfile @types/mocha @types/chai@4 @types/semver @types/proper-lockfile \
  @types/node@20 || exit 1

rm -rf test compiled tmp
mkdir -p test/unit
for file in "$source_dir"/*.ts; do
  name=$(basename "$file")
  case "$name" in
    *draft* | typings* | tsc-versions*) continue ;;
  esac
  cp "$file" test/unit/
done
entry=$work/node_modules/@zmq/zmq/esm/zeromq.js
sed -i -E \
  -e 's#from "\.\./\.\./src(/index\.js)?"#from "@zmq/zmq/zeromq"#' \
  -e 's#from "\.\./\.\./src/errors(\.js)?"#from "./errors-shim.js"#' \
  -e 's#from "\./helpers(\.js)?"#from "./helpers.js"#' \
  -e 's#from "vitest"#from "./vitest-shim.js"#' \
  test/unit/*.ts
# helpers.ts runs test code in workers and child processes by require()-ing
# the library: here it is loaded with import() (the package is ES modules),
# and the child is started the way the running runtime starts a script.
perl -0pi -e '
  s{const \{parentPort, workerData\} = require\("worker_threads"\)\n\s*const zmq = require\(\$\{JSON\.stringify\(path\.resolve\(__dirname, "\.\./\.\."\)\)\}\)\n}{Promise.all([import("node:worker_threads"), import(\${JSON.stringify(process.env.ZMQ_UNDER_TEST)})]).then(([{parentPort, workerData}, zmq]) => \{\n}s;
  s{\n(\s*)run\(\)\n(\s*)`}{\n$1run()\n$1\})\n$2`}s;
  s{const zmq = require\(\$\{JSON\.stringify\(path\.resolve\(__dirname, "\.\./\.\."\)\)\}\)\n(.*?)\n(\s*)`}{globalThis.global ??= globalThis\n    if (typeof gc !== "function" && globalThis.Bun) globalThis.gc = () => Bun.gc(true)\n    import(\${JSON.stringify(process.env.ZMQ_UNDER_TEST)}).then((zmq) => \{\n$1\n    \})\n$2`}s;
  s{spawn\(process\.argv\[0\], \["--expose_gc"\]\)}{spawn(process.argv[0], "Deno" in globalThis ? ["run", "-A", "--v8-flags=--expose-gc", "-"] : "Bun" in globalThis ? ["run", "-"] : ["--expose_gc"])}s;
  s{__dirname}{import.meta.dirname}g;
' test/unit/helpers.ts
cat >test/unit/errors-shim.ts <<'EOF'
export interface FullError extends Error { code?: string; errno?: number; address?: string }
export function isFullError(err: unknown): err is FullError { return err instanceof Error }
EOF
cat >test/unit/vitest-shim.ts <<'EOF'
export {assert} from "chai"
const g = globalThis as any
export const describe = g.describe, it = g.it, beforeEach = g.beforeEach, afterEach = g.afterEach
export const beforeAll = g.before, afterAll = g.after
EOF
# The runtime's forced GC as global.gc (Bun has no --expose-gc), and `global` where absent.
cat >setup.mjs <<'EOF'
globalThis.global ??= globalThis
if (typeof globalThis.gc !== "function" && typeof globalThis.Bun !== "undefined") {
  globalThis.gc = () => globalThis.Bun.gc(true)
}
// Newer zeromq.js files pass vitest's context to hooks (`async function (ctx)`):
// mocha would take a one-parameter function for a done-callback hook.
import {createRequire} from "node:module"
const {Suite} = createRequire(import.meta.url)("mocha")
const emit = Suite.prototype.emit
Suite.prototype.emit = function (event, context, ...rest) {
  const result = emit.call(this, event, context, ...rest)
  if (event !== "pre-require") return result
  for (const name of ["it", "beforeEach", "afterEach", "before", "after"]) {
    const original = context[name]
    if (typeof original !== "function" || original.wrapped) continue
    const wrap = (fn) => typeof fn === "function" && fn.length === 1 &&
        fn.constructor.name === "AsyncFunction"
      ? function () { return fn.call(this, this) }
      : fn
    const wrapped = function (...args) { return original.apply(this, args.map(wrap)) }
    Object.assign(wrapped, original, {wrapped: true})
    context[name] = wrapped
  }
  return result
}
EOF
cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022", "module": "ES2022", "moduleResolution": "Bundler",
    "lib": ["ESNext"], "types": ["node", "mocha"], "strict": false, "skipLibCheck": true,
    "noEmitOnError": false, "outDir": "compiled", "rootDir": "."
  },
  "include": ["test/unit/*.ts"]
}
EOF
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json >tsc.log 2>&1
[ -f compiled/test/unit/helpers.js ] || { cat tsc.log; exit 1; }
echo '{ "type": "module" }' >compiled/package.json
cat >deno.json <<EOF
{ "imports": { "@zmq/zmq/zeromq": "$root/zeromq.ts" }, "nodeModulesDir": "manual" }
EOF

mocha=(node_modules/mocha/bin/mocha.js --require ./setup.mjs --timeout 10000 --slow 1000 --exit
  'compiled/test/unit/*-test.js')
summary=()
for runtime in "${runtimes[@]}"; do
  echo "== zeromq.js unit tests: $runtime =="
  case "$runtime" in
    # (timeout: a runtime that cannot exit after the run still gets counted)
    node) ZMQ_UNDER_TEST=$entry timeout 900 node --expose-gc "${mocha[@]}" >"$runtime.log" 2>&1 ;;
    bun) ZMQ_UNDER_TEST=$entry timeout 900 "$bun" "${mocha[@]}" >"$runtime.log" 2>&1 ;;
    deno) ZMQ_UNDER_TEST=$root/zeromq.ts timeout 900 "$deno" run -A --config deno.json \
      --v8-flags=--expose-gc "${mocha[@]}" >"$runtime.log" 2>&1 ;;
  esac
  passed=$(grep -aEo '^ +[0-9]+ passing' "$runtime.log" | grep -Eo '[0-9]+' || echo 0)
  failed=$(grep -aEo '^ +[0-9]+ failing' "$runtime.log" | grep -Eo '[0-9]+' || echo 0)
  pending=$(grep -aEo '^ +[0-9]+ pending' "$runtime.log" | grep -Eo '[0-9]+' || echo 0)
  summary+=("zeromq.js $runtime: $passed passed, $failed failed, $pending pending ($work/$runtime.log)")
done
printf '%s\n' "${summary[@]}"
