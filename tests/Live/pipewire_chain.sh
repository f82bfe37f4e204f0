#!/usr/bin/env bash
# Headless check of the PipeWire virtual microphone (pipewire/percepnetfx-source.conf,
# docs/pipewire.md): a private PipeWire daemon with WirePlumber loads the shipped filter-chain
# fragment (its capture side turned into a sink so that a file can be played into it), pw-cat
# plays samples/noisy.wav into the chain and records "PercepNetFx denoised mic", and the
# recording is compared with the CLI's render of the same input, preceded by the silence the
# plug-in processed before the file arrived (found from the recording: the input's position in
# it minus the latency the LADSPA plug-in reports): sample for sample, since the plug-in's output
# does not depend on how PipeWire cuts the stream into blocks. One summary line; exit 1 on failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
fail() { echo "pipewire chain: FAILED: $*"; exit 1; }
for t in pipewire pw-cat pw-cli wireplumber dbus-run-session sox; do
  command -v "$t" >/dev/null || fail "$t is not installed (scripts/test.sh installs pipewire, pipewire-bin, wireplumber and dbus)"
done
so=$PWD/build/ladspa/PercepNetFx.so
cli=$PWD/src/Cli/bin/Release/net10.0/percepnetfx.dll
[ -f "$so" ] || fail "$so missing: run bash scripts/build-plugin.sh first"
[ -f "$cli" ] || fail "$cli missing: build the solution first"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work/run XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
mkdir -p "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d"
# A daemon with no devices: a dummy driver clocks the graph at 48 kHz.
cat > "$XDG_CONFIG_HOME/pipewire/pipewire.conf" <<'EOF'
context.properties = {
    core.daemon = true
    core.name   = pipewire-0
    default.clock.rate    = 48000
    default.clock.quantum = 256
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access args = { } }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = { factory.name = support.node.driver node.name = Dummy-Driver node.group = pipewire.dummy priority.driver = 20000 } }
]
EOF
# The shipped fragment as installed, except that its capture side is a sink to play the file into.
sed -e "s|@PLUGIN@|$so|" -e 's|node.passive = true|media.class  = Audio/Sink|' pipewire/percepnetfx-source.conf \
  > "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/percepnetfx-source.conf"
grep -q 'media.class  = Audio/Sink' "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/percepnetfx-source.conf" \
  || fail "pipewire/percepnetfx-source.conf no longer has the capture line this check rewrites"
# One second of silence after the sample: pw-cat may cut the end of what it plays, so the compared
# output (the sample's length) only needs input from well before the end of the stream.
sox samples/noisy.wav -e floating-point -b 32 "$work/in.wav" pad 0 1 || fail "sox could not convert the sample"
samples=$(soxi -s samples/noisy.wav)

dbus-run-session -- bash -c '
  set -u
  w=$1
  pipewire > "$w/pipewire.log" 2>&1 & pw=$!
  for _ in $(seq 50); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.1; done
  wireplumber > "$w/wireplumber.log" 2>&1 & wp=$!
  ok=0
  for _ in $(seq 100); do
    if pw-cli ls Node 2>/dev/null | grep -q "node.name = \"percepnetfx_source\""; then ok=1; break; fi
    sleep 0.1
  done
  if [ $ok -eq 1 ]; then
    pw-cat --record --rate 48000 --channels 1 --format f32 --target percepnetfx_source "$w/rec.wav" > "$w/rec.log" 2>&1 & rec=$!
    sleep 1
    timeout 60 pw-cat --playback --target percepnetfx_capture "$w/in.wav" > "$w/play.log" 2>&1 || echo "playback failed" >> "$w/play.log"
    sleep 1
    kill -INT $rec; wait $rec
  else
    echo "the filter-chain node did not appear" > "$w/play.log"
  fi
  kill $wp $pw 2>/dev/null; wait $wp $pw 2>/dev/null
  true
' bash "$work" > "$work/session.log" 2>&1
if [ ! -s "$work/rec.wav" ]; then
  echo "--- pipewire ---"; tail -5 "$work/pipewire.log" 2>/dev/null; echo "--- wireplumber ---"; tail -5 "$work/wireplumber.log" 2>/dev/null
  echo "--- playback ---"; cat "$work/play.log" 2>/dev/null
  fail "nothing was recorded from \"PercepNetFx denoised mic\""
fi

/usr/bin/python3 - "$work" "$cli" "$samples" <<'EOF' || exit 1
import subprocess, sys
import numpy as np, soundfile as sf
from scipy.signal import correlate
work, cli, samples = sys.argv[1], sys.argv[2], int(sys.argv[3])
LATENCY = 1919  # what the LADSPA plug-in reports at 48 kHz (blocks of any size; docs/ladspa-lv2.md)
def render(src, dst):
    r = subprocess.run(["dotnet", cli, "denoise", src, dst, "--format", "f32", "--force"], capture_output=True, text=True)
    if r.returncode != 0: sys.exit("pipewire chain: FAILED: the CLI failed: " + r.stderr.strip())
    return sf.read(dst, dtype="float32")[0]
x, _ = sf.read(f"{work}/in.wav", dtype="float32")
y, rate = sf.read(f"{work}/rec.wav", dtype="float32")
if rate != 48000: sys.exit(f"pipewire chain: FAILED: recorded at {rate} Hz")
first = render(f"{work}/in.wav", f"{work}/cli.wav")
offset = int(np.argmax(correlate(y, first, mode="full", method="fft"))) - (len(first) - 1)
lead = offset - LATENCY
if lead < 0 or offset + len(first) > len(y):
    sys.exit(f"pipewire chain: FAILED: the sample sits at {offset} in a {len(y)}-sample recording")
# The plug-in ran on `lead` samples of silence before the file: render the same.
sf.write(f"{work}/lead.wav", np.concatenate([np.zeros(lead, np.float32), x]), 48000, subtype="FLOAT")
ref = render(f"{work}/lead.wav", f"{work}/lead_cli.wav")[lead:]
n = samples  # the sample's own output
got, ref = y[offset:offset + n], ref[:n]
err = np.abs(got - ref).max()
print(f"pipewire chain: sample found {offset} samples into the recording ({lead} of silence + the plug-in's {LATENCY} of latency); "
      f"{n} samples compared with the CLI's render: largest difference {err:.1e}")
if err > 1e-6:
    first_bad = int(np.nonzero(np.abs(got - ref) > 1e-6)[0][0])
    sys.exit(f"pipewire chain: FAILED: the recording departs from the CLI's render at sample {first_bad} "
             "(the plug-in's output does not depend on the block partition)")
EOF
echo "pipewire chain: passed"
