#!/usr/bin/env bash
# Main job on a fresh machine: build the CLI and run it on the committed sample.
# Until the trained model lands, this is the oracle demo: the four oracle stages of the chain
# (per-bin magnitude, 34 bands, + comb filter, + post-filter) applied to samples/noisy.wav,
# each scored against samples/clean.wav. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build -c Release src/Cli -nologo -v quiet >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/percepnetfx.dll)
mkdir -p out/demo
"${cli[@]}" info samples/noisy.wav
printf '%-24s %s\n' "noisy input:" "$("${cli[@]}" score --clean samples/clean.wav --enhanced samples/noisy.wav)"
for mode in stft bands bands+comb bands+comb+postfilter; do
  "${cli[@]}" oracle --clean samples/clean.wav --noisy samples/noisy.wav --mode "$mode" "out/demo/oracle-$mode.wav"
  printf '%-24s %s\n' "oracle $mode:" "$("${cli[@]}" score --clean samples/clean.wav --enhanced "out/demo/oracle-$mode.wav")"
done
"${cli[@]}" bench --seconds 10
echo "wrote out/demo/oracle-*.wav"
