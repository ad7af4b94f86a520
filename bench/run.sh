#!/usr/bin/env bash
# One command for the benchmarks: builds in Release and prints medians and ratios against baselines
# measured in the same run. bench/run.sh [api [REQUESTS] | push [RUNS] | router [SECONDS] | redeploy [SECONDS] | redeploy-real [RUNS] | dynos [STARTS [MAX_DYNOS]] | addons [RUNS]]
# (api and push by default; dynos and addons need root and the container runtime's packages, as nuvemd does).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
nuvem_ensure_prerequisites
# The router benchmark compares with nginx and loads with wrk (Debian packages, installed only for it).
if [[ "${1:-}" == router || "${1:-}" == redeploy ]] && { ! command -v wrk >/dev/null 2>&1 || ! PATH=$PATH:/usr/sbin command -v nginx >/dev/null 2>&1; }; then
  echo "==> Installing wrk and nginx for the router benchmark"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk nginx-light >/dev/null
fi
dotnet build Nuvem.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
exec dotnet bench/Nuvem.Bench/bin/Release/net10.0/Nuvem.Bench.dll "$@"
