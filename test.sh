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

# One plain closing line, whatever the runner printed above it.
summary=$(grep -E "^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+" "$log" | tail -1 || true)
if [[ -n "$summary" ]]; then
  failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")
  echo "$passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
