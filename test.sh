#!/usr/bin/env bash
# Sets up what the tests need, builds everything and runs every test. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
nuvem_ensure_prerequisites

echo "==> Building"
dotnet build Nuvem.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The fast layer first (no root, no server: seconds), then everything that needs real components.
echo "==> Unit tests (tests/Nuvem.UnitTests)"
dotnet test tests/Nuvem.UnitTests -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
echo "==> End-to-end tests (tests/Nuvem.Tests)"
dotnet test tests/Nuvem.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee -a "$log" || status=$?

# One plain closing line over both runs, whatever the runner printed above it (its own summaries are
# "Total tests: / Passed: / Failed:" per project).
count() { grep -E "^ +$1: +[0-9]+" "$log" | grep -oE "[0-9]+" | awk '{ n += $1 } END { print n + 0 }'; }
if grep -qE "^Total tests: +[0-9]+" "$log"; then
  echo "$(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
exit "$status"
