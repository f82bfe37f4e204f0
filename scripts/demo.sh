#!/usr/bin/env bash
# Main job on a fresh machine: build the CLI and denoise the committed sample with the embedded
# model (models/percepnetfx-v3.1.safetensors), score input and output against the clean reference,
# and time the whole chain. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build -c Release src/Cli -nologo -v quiet >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/percepnetfx.dll)
mkdir -p out/demo
"${cli[@]}" info samples/noisy.wav
"${cli[@]}" denoise samples/noisy.wav out/demo/denoised.wav
printf '%-18s %s\n' "noisy input:" "$("${cli[@]}" score --clean samples/clean.wav --enhanced samples/noisy.wav)"
printf '%-18s %s\n' "denoised:" "$("${cli[@]}" score --clean samples/clean.wav --enhanced out/demo/denoised.wav)"
"${cli[@]}" oracle --clean samples/clean.wav --noisy samples/noisy.wav --mode bands+comb out/demo/oracle-bands+comb.wav
printf '%-18s %s\n' "oracle bands+comb:" "$("${cli[@]}" score --clean samples/clean.wav --enhanced out/demo/oracle-bands+comb.wav)"
"${cli[@]}" bench --seconds 5
echo "wrote out/demo/denoised.wav"
