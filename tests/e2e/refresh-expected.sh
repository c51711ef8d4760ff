#!/usr/bin/env bash
# Regenerates tests/e2e/expected/2025/ from the sample year. Run it only on
# purpose, after checking that a change in the outputs is intended, and
# review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/../.."
prog=${1:-build/internpris}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$prog" run --year 2025 --input input --output "$tmp"
mkdir -p tests/e2e/expected/2025
cp "$tmp/2025/fees.csv" "$tmp/2025/report.txt" tests/e2e/expected/2025/
git diff --stat -- tests/e2e/expected || true
