#!/usr/bin/env bash
# The plug-in live against a clock (docs/reliability.md, "Real time"): a private PipeWire graph
# clocked by a dummy driver at 48 kHz with the period forced to 64, 128 and 256 samples, the
# shipped filter-chain fragment (pipewire/percepnetfx-source.conf, the LADSPA build) fed by pw-cat
# with the sample looped and recorded by pw-cat, measured by PipeWire's own profiler
# (pw-profiler): cycles, late cycles (the graph finished after the period, a dropout), and the
# filter node's time per cycle. Each period is run twice in the same job: with the plug-in, and
# with the same graph around PipeWire's built-in copy instead (the baseline). It fails only where
# the plug-in is to blame: more late cycles than the baseline by more than 10 plus 0.5 % of the
# cycles (the margin covers the scheduling noise of an unprivileged container, measured in
# docs/reliability.md). That its process call neither allocates nor blocks is proven by
# tests/Plugin.Tests/PortInstanceTests.cs.
# Usage: bash tests/Live/realtime_run.sh [--seconds N] [--periods "64 128 256"]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=60; periods="64 128 256"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --periods) periods=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--periods \"64 128 256\"]" >&2; exit 2 ;;
  esac
done
fail() { echo "real-time run: FAILED: $*"; exit 1; }
for t in pipewire pw-cat pw-cli pw-profiler wireplumber dbus-run-session sox; do
  command -v "$t" >/dev/null || fail "$t is not installed (scripts/test.sh installs pipewire, pipewire-bin, wireplumber and dbus)"
done
so=$PWD/build/ladspa/PercepNetFx.so
[ -f "$so" ] || fail "$so missing: run bash scripts/build-plugin.sh first"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sox samples/noisy.wav -e floating-point -b 32 "$work/long.wav" repeat $(( (seconds + 10) / 6 + 1 )) || fail "sox could not build the input"

run() { # period mode -> prints "cycles late p99_us max_us"
  local period=$1 mode=$2 dir=$work/$1-$2
  mkdir -p "$dir/run" "$dir/config/pipewire/pipewire.conf.d"; chmod 700 "$dir/run"
  cat > "$dir/config/pipewire/pipewire.conf" <<EOF
context.properties = {
    core.daemon = true
    core.name   = pipewire-0
    default.clock.rate          = 48000
    default.clock.quantum       = $period
    default.clock.min-quantum   = $period
    default.clock.max-quantum   = $period
    default.clock.force-quantum = $period
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-profiler }
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
  local fragment=$dir/config/pipewire/pipewire.conf.d/percepnetfx-source.conf
  sed -e "s|@PLUGIN@|$so|" -e 's|node.passive = true|media.class  = Audio/Sink|' pipewire/percepnetfx-source.conf > "$fragment"
  if [ "$mode" = baseline ]; then
    # The same graph with PipeWire's built-in copy in place of the plug-in.
    /usr/bin/python3 - "$fragment" <<'EOF'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r"nodes = \[.*?\n                \]", "nodes = [ { type = builtin name = copy label = copy } ]", s, flags=re.S)
open(p, "w").write(s)
EOF
  fi
  XDG_RUNTIME_DIR=$dir/run XDG_CONFIG_HOME=$dir/config XDG_STATE_HOME=$dir/state dbus-run-session -- bash -c '
    d=$1; seconds=$2; long=$3
    pipewire > "$d/pipewire.log" 2>&1 & pw=$!
    for _ in $(seq 50); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.1; done
    wireplumber > "$d/wireplumber.log" 2>&1 & wp=$!
    for _ in $(seq 100); do pw-cli ls Node 2>/dev/null | grep -q "node.name = \"percepnetfx_source\"" && break; sleep 0.1; done
    pw-cat --record --rate 48000 --channels 1 --format f32 --target percepnetfx_source "$d/rec.wav" > "$d/rec.log" 2>&1 & rec=$!
    pw-cat --playback --target percepnetfx_capture "$long" > "$d/play.log" 2>&1 & play=$!
    sleep 2
    (cd "$d" && timeout "$seconds" pw-profiler -o prof.log > profiler.log 2>&1)
    kill -INT $rec $play 2>/dev/null; wait $rec $play 2>/dev/null
    kill $wp $pw 2>/dev/null; wait $wp $pw 2>/dev/null; true
  ' bash "$dir" "$seconds" "$work/long.wav" > "$dir/session.log" 2>&1
  [ -s "$dir/prof.log" ] || { tail -5 "$dir/pipewire.log" "$dir/profiler.log" 2>/dev/null; fail "no profile at period $period ($mode)"; }
  /usr/bin/python3 - "$dir/prof.log" "$period" <<'EOF'
import sys
# pw-profiler rows: period, delay, …, estimated period (µs), then per follower 8 fields:
# id, signal, awake, finish (µs from the cycle start), scheduling latency, duration, status, -.
path, period = sys.argv[1], int(sys.argv[2])
budget = period / 48000 * 1e6
cycles = late = 0
filter_durations = []
names = {}
for line in open(sys.argv[1].replace("prof.log", "profiler.log")):
    if line.startswith("logging follower"):
        parts = line.split()
        names[int(parts[2])] = parts[3].strip('()"')
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if len(f) < 12 or not f[0].strip().isdigit(): continue
    cycles += 1
    finish = 0
    for i in range(4, len(f) - 7, 8):
        if not f[i].strip(): break
        node, end, dur = int(f[i]), int(f[i + 3]), int(f[i + 5])
        finish = max(finish, end)
        if names.get(node) == "percepnetfx_capture": filter_durations.append(dur)
    if finish > budget: late += 1
filter_durations.sort()
p99 = filter_durations[int(0.99 * (len(filter_durations) - 1))] if filter_durations else 0
print(cycles, late, p99, filter_durations[-1] if filter_durations else 0)
EOF
}

status=0
printf "%-7s %-9s %8s %6s %12s %12s\n" period graph cycles late "filter p99" "filter max"
for period in $periods; do
  read -r bc bl bp bm < <(run "$period" baseline) || exit 1
  read -r pc pl pp pm < <(run "$period" plugin) || exit 1
  printf "%-7s %-9s %8s %6s %10s µs %10s µs\n" "$period" copy "$bc" "$bl" "$bp" "$bm"
  printf "%-7s %-9s %8s %6s %10s µs %10s µs\n" "$period" plug-in "$pc" "$pl" "$pp" "$pm"
  [ "$pc" -gt 0 ] || { echo "no cycles profiled with the plug-in at period $period"; status=1; }
  allowed=$(( bl + 10 + pc / 200 ))
  if [ "$pl" -gt "$allowed" ]; then echo "period $period: $pl late cycles with the plug-in, more than the baseline's $bl + margin ($allowed)"; status=1; fi
done
[ $status -eq 0 ] && echo "real-time run: passed" || echo "real-time run: FAILED"
exit $status
