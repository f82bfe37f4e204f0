#!/usr/bin/env bash
# Smoke test of the whole training pipeline (CI), well under a minute on 2 cores:
#   real mixing from ../shared/data (3 + 2 short sequences) -> C# `percepnetfx features`
#   -> tiny model, 3 steps -> interrupt -> resume to step 6 -> export safetensors
#   -> reload and check the round trip bit for bit.
#
#   train/smoke.sh                    # uses the real C# CLI (PERCEPNETFX_CLI or the built dll)
#   train/smoke.sh --fake-features    # LOCAL TESTING ONLY: random arrays instead of the CLI
#
# Env: PYTHON (default /usr/bin/python3), PERCEPNETFX_CLI, PERCEPNETFX_DATA, SMOKE_KEEP=1 keeps the temp dir.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-/usr/bin/python3}"
MIXFLAGS=()
if [[ "${1:-}" == "--fake-features" ]]; then
  echo "smoke: WARNING --fake-features: the C# feature extractor is replaced by random arrays (test double)" >&2
  MIXFLAGS=(--fake-features)
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--fake-features]" >&2; exit 2
fi
WORK="$(mktemp -d)"
if [[ "${SMOKE_KEEP:-0}" != "1" ]]; then trap 'rm -rf "$WORK"' EXIT; else echo "smoke: keeping $WORK"; fi
T0=$SECONDS
step() { echo "smoke [$((SECONDS - T0)) s]: $*"; }

if [[ ${#MIXFLAGS[@]} -eq 0 ]]; then
  CLI="$("$PY" -c "import sys; sys.path.insert(0, '$HERE'); import common, shlex; print(shlex.join(common.cli_command()))")"
  step "feature CLI: $CLI"
fi

step "mixing 3 train + 2 val sequences of 3 s from real data"
"$PY" "$HERE/mix.py" --subset train --shards 1 --seqs-per-shard 3 --seq-frames 300 --out "$WORK/cache" "${MIXFLAGS[@]}"
"$PY" "$HERE/mix.py" --subset val --shards 1 --seqs-per-shard 2 --seq-frames 300 --out "$WORK/cache" "${MIXFLAGS[@]}"

step "training tiny model for 3 steps"
COMMON=(--runs "$WORK/runs" --threads 2 --log-every 1)
"$PY" "$HERE/train.py" --run smoke --data "$WORK/cache" --config tiny --batch 3 --seq-len 100 \
    --max-steps 3 "${COMMON[@]}"
step "resuming from the checkpoint to step 6"
"$PY" "$HERE/train.py" --run smoke --resume --max-steps 6 "${COMMON[@]}"
"$PY" - "$WORK/runs/smoke/last.pt" <<'PYEOF'
import sys, torch
ck = torch.load(sys.argv[1], map_location="cpu")
assert ck["state"]["step"] == 6, ck["state"]
print("checkpoint at step", ck["state"]["step"], "epoch", ck["state"]["epoch"])
PYEOF

step "export + round trip"
"$PY" "$HERE/export.py" "$WORK/runs/smoke/last.pt" --name smoke --out "$WORK/smoke.safetensors" --verify
step "OK"
