#!/usr/bin/env bash
# Renders docs/report.png: `percepnetfx report` on the committed samples/noisy.wav with the default
# (embedded) model and settings. Re-run after a model update to refresh the README's picture;
# extra arguments are passed on (e.g. --model FILE.safetensors, --strength 0.8).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Cli -c Release --nologo -v quiet | grep -E "error|Warn" || true
dotnet src/Cli/bin/Release/net10.0/percepnetfx.dll report samples/noisy.wav --png docs/report.png "$@"
echo "wrote docs/report.png"
