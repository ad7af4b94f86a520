#!/usr/bin/env bash
# Sets up Nuvem on this machine and runs the platform in the foreground (Ctrl+C stops it).
# State goes to NUVEM_DATA_DIR (default /var/lib/nuvem as root); every NUVEM_* setting is listed by
#   dotnet src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll --help
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
nuvem_ensure_prerequisites

echo "==> Building Nuvem"
dotnet build Nuvem.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

echo "==> Installing the nuvem CLI as a .NET tool"
rm -rf .artifacts
# A version of its own for every build, so that an earlier install (and NuGet's cache of it) is replaced.
cli_version="0.1.0-build.$(date +%Y%m%d%H%M%S)"
dotnet pack src/Nuvem.Cli -c Release -nologo -v quiet -clp:ErrorsOnly -o .artifacts -p:PackageVersion="$cli_version"
dotnet tool uninstall --global Nuvem.Cli >/dev/null 2>&1 || true
if dotnet tool install --global --add-source .artifacts --version "$cli_version" Nuvem.Cli >/dev/null 2>&1; then
  echo "    nuvem is in ~/.dotnet/tools (add it to PATH: export PATH=\"\$PATH:\$HOME/.dotnet/tools\")"
else
  echo "    could not install the tool; run the CLI as: dotnet $(pwd)/src/Nuvem.Cli/bin/Release/net10.0/nuvem.dll"
fi

echo "==> Starting the platform"
exec dotnet src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll "$@"
