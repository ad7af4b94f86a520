#!/usr/bin/env bash
# One command for the benchmarks: builds in Release and prints medians and ratios against baselines
# measured in the same run. Optional argument: requests per measurement (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
nuvem_ensure_prerequisites
dotnet build Nuvem.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
exec dotnet bench/Nuvem.Bench/bin/Release/net10.0/Nuvem.Bench.dll "$@"
