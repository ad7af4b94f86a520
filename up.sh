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
dotnet pack src/Nuvem.Cli -c Release --no-build -nologo -v quiet -o .artifacts
if dotnet tool update --global --add-source .artifacts Nuvem.Cli >/dev/null 2>&1; then
  echo "    nuvem is in ~/.dotnet/tools (add it to PATH: export PATH=\"\$PATH:\$HOME/.dotnet/tools\")"
else
  echo "    could not install the tool; run the CLI as: dotnet $(pwd)/src/Nuvem.Cli/bin/Release/net10.0/nuvem.dll"
fi

echo "==> Starting the platform"
exec dotnet src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll "$@"
