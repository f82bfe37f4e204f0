#!/usr/bin/env bash
# Renders docs/editor.png: samples/noisy.wav through StreamingEngine (the shipped model when
# models/percepnetfx-v3.1.safetensors exists, otherwise the clean-reference oracle), with the
# editor ticking at 30 fps of audio time, stopped at the first frame after 4.5 s whose pitch the editor shows.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PERCEPNETFX_SCREENSHOT="$PWD/docs/editor.png" dotnet test tests/Editor.Tests -c Release --nologo \
  --filter "FullyQualifiedName~SpeechScreenshotTests" | grep -E "^(Passed|Failed)!|error" 
echo "wrote docs/editor.png"
