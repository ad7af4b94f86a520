#!/usr/bin/env bash
# Sets up what the tests need, builds everything and runs every test. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
nuvem_ensure_prerequisites

echo "==> Building"
dotnet build Nuvem.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

echo "==> Testing"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test tests/Nuvem.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One plain closing line, whatever the runner printed above it (its own summary is "Total tests: / Passed: / Failed:").
count() { grep -E "^ +$1: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
if grep -qE "^Total tests: +[0-9]+" "$log"; then
  echo "$(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
exit "$status"
