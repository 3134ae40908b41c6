#!/usr/bin/env bash
# Refreshes the vendored Redoc bundle from the npm registry.
set -euo pipefail
cd "$(dirname "$0")"
version=${1:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "redoc@$version" >/dev/null && tar xzf redoc-*.tgz)
cp "$tmp/package/bundles/redoc.standalone.js" "$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" assets/
cp "$tmp/package/LICENSE" assets/REDOC-LICENSE
echo "redoc $(node -p "require('$tmp/package/package.json').version") vendored"
