#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (idempotent, quiet),
# then the xunit suites (Release), the Python training unit tests and the training smoke run.
# Set PERCEPNETFX_LONG=1 for the long local modes of slow checks.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

need=()
command -v sox >/dev/null || need+=(sox)
/usr/bin/python3 -c "import numpy, scipy, soundfile, torch" 2>/dev/null || need+=(python3-numpy python3-scipy python3-soundfile python3-torch)
command -v Xvfb >/dev/null || need+=(xvfb)                      # editor embedding tests (tests/Editor.Tests)
[ -e /usr/lib/x86_64-linux-gnu/libX11.so.6 ] || ldconfig -p | grep -q "libX11.so.6 " || need+=(libx11-6)
# Ardour 7 (headless Lua runner, exporter, VST3 scanner) for the plug-in's end-to-end test (docs/vst3.md §12).
daw=()
[ -x /usr/bin/ardour7-lua ] && [ -x /usr/bin/ardour7-export ] || daw+=(ardour)
command -v readelf >/dev/null || daw+=(binutils)
# Real LADSPA and LV2 hosts for the LADSPA and LV2 builds (docs/ladspa-lv2.md §3).
command -v applyplugin >/dev/null && command -v analyseplugin >/dev/null || need+=(ladspa-sdk)
command -v lv2apply >/dev/null && command -v lv2info >/dev/null || need+=(lilv-utils)
# PipeWire with WirePlumber on a private D-Bus session for the virtual-microphone check (docs/pipewire.md).
command -v pipewire >/dev/null && command -v pw-cat >/dev/null || need+=(pipewire pipewire-bin)
command -v wireplumber >/dev/null || need+=(wireplumber)
command -v dbus-run-session >/dev/null || need+=(dbus)
if [ ${#need[@]} -gt 0 ] || [ ${#daw[@]} -gt 0 ]; then
  echo "installing: ${need[*]} ${daw[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || { echo "apt-get update failed"; exit 1; }
  if [ ${#need[@]} -gt 0 ]; then apt-get install -y -qq "${need[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }; fi
  if [ ${#daw[@]} -gt 0 ]; then apt-get install -y -qq --no-install-recommends "${daw[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }; fi
fi

# The X11 editor tests need a display: use $DISPLAY when it answers, otherwise start our own Xvfb
# (stopped on exit by its pid only).
xvfb_pid=""
display_up() { local n=${DISPLAY:-}; n=${n#*:}; n=${n%%.*}; [ -n "$n" ] && [ -S "/tmp/.X11-unix/X$n" ]; }
if ! display_up; then
  for n in 99 98 97; do
    [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] && continue
    # -noreset: by default an X server resets when its last client disconnects and refuses
    # connections meanwhile, which made every other test's XOpenDisplay a coin toss.
    Xvfb :$n -screen 0 1280x1024x24 -nolisten tcp -noreset >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=:$n
    for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
    break
  done
  [ -z "$xvfb_pid" ] && [ -e /tmp/.X11-unix/X99 ] && export DISPLAY=:99   # a server someone else started
fi
trap 'if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null; fi' EXIT

status=0
log=$(mktemp)
if ! dotnet build -c Release PercepNetFx.sln -nologo -v quiet >"$log" 2>&1; then
  grep -E "error" "$log" | head -20; echo "build failed"; echo "tests: 0 passed, 1 failed"; exit 1
fi
# The plug-in tests load the NativeAOT-built bundle (build/PercepNetFx.vst3): build it first.
if ! bash scripts/build-plugin.sh >"$log" 2>&1; then
  cat "$log" | tail -20; echo "plug-in build failed"; echo "tests: 0 passed, 1 failed"; exit 1
fi
# One test assembly at a time (-m:1): the timing-sensitive checks (X11 event delivery) and the real-time Ardour
# session must not compete for the CPU cores.
dotnet test PercepNetFx.sln -c Release --no-build --nologo -m:1 2>&1 | tee "$log" | grep -E "^(Passed|Failed)!|error|\[FAIL\]| Failed " || true
grep -A2 "^  Error Message:" "$log" | head -40 || true
grep -q "^Failed!" "$log" && status=1
# The X11 embedding tests skip only without a display; here one was provided, so a skip is a failure.
if grep -qE "Skipped .*(X11EmbedTests|EditorHostTests)" "$log"; then echo "X11 editor tests were skipped (DISPLAY=${DISPLAY:-unset})"; status=1; failed_x11=1; fi
# Every test assembly must report (a crashed test host prints no summary); tests/NAudio.Consumer is an app, not one.
[ "$(grep -cE "^(Passed|Failed)!" "$log")" -eq "$(grep -l "<IsTestProject>true</IsTestProject>" tests/*/*.csproj | wc -l)" ] || { echo "a test assembly did not report"; status=1; }
read passed failed < <(grep -E "^(Passed|Failed)!" "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\2 \1/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
[ -n "${failed_x11:-}" ] && failed=$((failed + 1))

# The NuGet package as an app gets it: packed into out/nupkg, restored from there by tests/NAudio.Consumer
# (outside the solution; its nuget.config names that folder and nuget.org, and a packages folder of its own
# from which the previous copy is removed), run on the committed sample and compared sample for sample with
# the CLI's render of the same file.
echo "NuGet package (dotnet pack src/NAudio, restored and run by tests/NAudio.Consumer):"
rm -rf out/nupkg out/nuget-consumer/packages/percepnetfx.naudio out/consumer
mkdir -p out/consumer
if dotnet pack src/NAudio -c Release -nologo -o out/nupkg >"$log" 2>&1 &&
   dotnet restore tests/NAudio.Consumer --force >>"$log" 2>&1 &&
   dotnet build tests/NAudio.Consumer -c Release --no-restore -nologo >>"$log" 2>&1 &&
   dotnet src/Cli/bin/Release/net10.0/percepnetfx.dll denoise samples/noisy.wav out/consumer/cli.wav --format f32 >>"$log" 2>&1 &&
   dotnet tests/NAudio.Consumer/bin/Release/net10.0/PercepNetFx.NAudio.Consumer.dll samples/noisy.wav out/consumer/package.wav out/consumer/cli.wav >>"$log" 2>&1; then
  passed=$((passed + 1)); echo "  passed: $(tail -1 "$log")"
else
  tail -20 "$log"; failed=$((failed + 1)); status=1
fi

# The PipeWire virtual microphone, headless: a private daemon plays the sample through the shipped
# filter-chain fragment and the recording must be the CLI's render sample for sample. One rerun on a
# failure: the graph runs against a clock, and a cycle missed on a loaded machine drops samples; both
# runs print.
echo "PipeWire virtual microphone (tests/Live/pipewire_chain.sh):"
if bash tests/Live/pipewire_chain.sh >"$log" 2>&1 || { cat "$log"; echo "  rerun:"; bash tests/Live/pipewire_chain.sh >"$log" 2>&1; }; then
  passed=$((passed + 1)); echo "  $(tail -2 "$log" | head -1)"
else
  tail -20 "$log"; failed=$((failed + 1)); status=1
fi

# The plug-in live against PipeWire's clock beside a baseline graph, its controls automated at random
# (docs/reliability.md): 60 s at each of 64, 128 and 256-sample periods in CI; PERCEPNETFX_LONG=1
# for the recorded hour at 128 (a 10-minute baseline).
rt_args=(--seconds 60 --automate)
[ "${PERCEPNETFX_LONG:-}" = 1 ] && rt_args=(--seconds 3600 --baseline-seconds 600 --periods 128 --automate)
echo "real-time run (tests/Live/realtime_run.sh ${rt_args[*]}):"
if bash tests/Live/realtime_run.sh "${rt_args[@]}" >"$log" 2>&1; then
  passed=$((passed + 1)); sed 's/^/  /' "$log"
else
  sed 's/^/  /' "$log" | tail -20; failed=$((failed + 1)); status=1
fi

echo "python unit tests (train/tests):"
if /usr/bin/python3 -m unittest discover -s train/tests 2>"$log"; then
  py=$(grep -Eo "Ran [0-9]+ tests" "$log" | grep -Eo "[0-9]+"); passed=$((passed + py)); echo "  $py passed"
else
  tail -20 "$log"; failed=$((failed + 1)); status=1
fi

echo "python unit tests (scripts/tests):"
if /usr/bin/python3 -m unittest discover -s scripts/tests 2>"$log"; then
  py=$(grep -Eo "Ran [0-9]+ tests" "$log" | grep -Eo "[0-9]+"); passed=$((passed + py)); echo "  $py passed"
else
  tail -20 "$log"; failed=$((failed + 1)); status=1
fi

# The quality evaluation end to end on 5 validation + 2 dev mixtures (a few seconds), so it cannot rot.
# The RNNoise peers join only where out/peers was set up (npm ci needs the registry; see docs/quality.md).
peers=(--no-peers); [ -d out/peers/node_modules ] && peers=()
echo "quality evaluation smoke run (scripts/eval_quality.py --quick${peers:+ ${peers[*]}}):"
# --report-only must re-render the same markdown from the run's results.json.
if /usr/bin/python3 scripts/eval_quality.py --quick --no-build "${peers[@]}" >"$log" 2>&1 &&
   /usr/bin/python3 scripts/eval_quality.py --report-only out/eval-quick/results.json --out-md out/eval-quick/rerendered.md >>"$log" 2>&1 &&
   cmp -s out/eval-quick/quality.md out/eval-quick/rerendered.md; then
  passed=$((passed + 1)); echo "  passed"
else
  tail -20 "$log"; failed=$((failed + 1)); status=1
fi

echo "training smoke run (train/smoke.sh):"
if bash train/smoke.sh >"$log" 2>&1; then passed=$((passed + 1)); echo "  passed"; else tail -20 "$log"; failed=$((failed + 1)); status=1; fi
rm -f "$log"

echo "tests: $passed passed, $failed failed"
exit $status
