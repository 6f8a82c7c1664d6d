#!/usr/bin/env bash
# Makes sure what the demo and the tests need is here: Deno and Bun from npm
# (dev dependencies) and the system's libzmq. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] ||
  [ ! -d node_modules/koffi ] || [ ! -d node_modules/typescript ]; then
  echo "Installing Deno, Bun, koffi and TypeScript from npm (dev dependencies)..." >&2
  npm install --no-audit --no-fund >&2
fi

have_libzmq() {
  [ -n "${LIBZMQ_PATH:-}" ] && [ -e "$LIBZMQ_PATH" ] && return 0
  ldconfig -p 2>/dev/null | grep -q 'libzmq\.so\.5' && return 0
  ls /usr/lib/*/libzmq.so.5 /usr/lib/libzmq.so.5 /usr/local/lib/libzmq.so.5 \
    /opt/homebrew/lib/libzmq.5.dylib /usr/local/lib/libzmq.5.dylib >/dev/null 2>&1
}

if ! have_libzmq; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing libzmq with apt-get..." >&2
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq libzmq3-dev >&2
  elif command -v brew >/dev/null 2>&1; then
    echo "Installing libzmq with Homebrew..." >&2
    brew install zeromq >&2
  else
    echo "libzmq not found. Install it (apt-get install libzmq5, dnf install zeromq," >&2
    echo "brew install zeromq) or set LIBZMQ_PATH to libzmq's full path." >&2
    exit 1
  fi
fi
