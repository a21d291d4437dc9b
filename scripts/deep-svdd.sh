#!/bin/sh
# Runs the deep-svdd CLI of this checkout (built by `npm ci`), from any working directory.
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/dist/src/cli/main.js"
if [ ! -f "$cli" ]; then
  echo "deep-svdd: $cli is missing: run 'npm ci' (or 'npm run build') in $root first" >&2
  exit 2
fi
exec node "$cli" "$@"
