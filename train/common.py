"""Helpers shared by every Python program of PercepNetFx: the training pipeline (train/) and the
evaluation scripts (scripts/). One definition each of:

- the fixed sizes of the signal chain (docs/design.md §1.1, §3.1, §5);
- where the audio data lives (`data_root`);
- how the C# `percepnetfx` CLI is run (`cli_command`, `run_cli`, `require_cli`);
- how `percepnetfx score` output is read (`parse_score`, `parse_score_list`);
- the active speech level (`active_level`) and plain RMS (`rms`);
- reading audio and resampling it (`read_mono`, `resample`, `to_48k`, `load_48k`).

Nothing here implements the signal chain: features and targets come from the C# CLI
(`percepnetfx features`, docs/design.md §5, §6). Python synthesises training audio (§8.4), trains
the network (§8.1-8.3), exports it (§8.5) and scores outputs.

Scripts in scripts/ import this module with `sys.path.insert(0, <repo>/train)`; the programs in
train/ import it directly. It needs numpy and scipy (Debian's python3-numpy, python3-scipy,
python3-soundfile: run everything with /usr/bin/python3).

The active speech level, one rule for all scripts (and the same as the C# `SpeechLevel` that
`percepnetfx denoise` and `report` print): the RMS over the 10 ms frames whose mean power is within
40 dB of the loudest frame (a simplified ITU-T P.56; a partial last frame is left out). The
training synthesis (train/synthesis.py, §8.4 steps 2 and 4) applies the same 40 dB frame rule
through its voice-activity detector, which also needs an absolute floor (−75 dBFS) and a 50 ms
hangover because its mask cleans the speech; speech levels there are the RMS over that mask
(kept so that shards and the dev set stay bit-identical). Two other measures are not speech levels
and say so: train/corpus.py's noise-floor margin (a curation rule) and scripts/sweep_dev.py's
noise-only frames (clean speech 50 dB below its loudest frame).
"""
import math
import os
import re
import shlex
import subprocess
from fractions import Fraction

# ---- fixed sizes (docs/design.md §1.1, §3.1, §5) ---------------------------
FS = 48000          # internal sample rate
HOP = 480           # N, one frame advance = 10 ms
NB = 34             # bands
NF = 70             # features per frame
NBINS = 481         # FFT bins 0..480; k_lp >= 481 means "not band-limited"

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TRAIN_DIR)
CLI_DLL = os.path.join(REPO_ROOT, "src", "Cli", "bin", "Release", "net10.0", "percepnetfx.dll")

# ---- active speech level ----------------------------------------------------
ACTIVE_FRAME_S = 0.010      # frame length of the active-speech rule
ACTIVE_RANGE_DB = 40.0      # frames within this many dB of the loudest frame are active speech


# ---------------------------------------------------------------------------
# data folder
# ---------------------------------------------------------------------------

def _main_worktree_root():
    """In a linked git worktree, `.git` is a file "gitdir: <main>/.git/worktrees/<name>";
    return <main> (the main checkout), else None."""
    try:
        with open(os.path.join(REPO_ROOT, ".git")) as f:
            line = f.read().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = line.split(":", 1)[1].strip()
    parts = os.path.normpath(gitdir).split(os.sep)
    if len(parts) >= 3 and parts[-2] == "worktrees":
        return os.path.dirname(os.sep.join(parts[:-2]))
    return None


def data_root():
    """The audio data folder (holds manifest.csv). In order: $PERCEPNETFX_DATA; <repo>/../shared/data;
    for a linked git worktree, ../shared/data beside the main checkout; the first shared/data in a
    folder above the repository. When none exists, <repo>/../shared/data (callers check for
    manifest.csv and name the folder in their error)."""
    env = os.environ.get("PERCEPNETFX_DATA")
    if env:
        return os.path.abspath(env)
    default = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "data"))
    if os.path.isdir(default):
        return default
    main = _main_worktree_root()
    if main:
        alt = os.path.abspath(os.path.join(main, "..", "shared", "data"))
        if os.path.isdir(alt):
            return alt
    folder = os.path.dirname(REPO_ROOT)
    while True:
        cand = os.path.join(folder, "shared", "data")
        if os.path.isdir(cand):
            return cand
        up = os.path.dirname(folder)
        if up == folder:
            return default
        folder = up


# ---------------------------------------------------------------------------
# the C# CLI
# ---------------------------------------------------------------------------

class CliError(RuntimeError):
    """`percepnetfx` exited with an error; the message names the command and its stderr."""


def cli_command():
    """Command prefix (list of argv words) that runs the C# `percepnetfx` CLI.

    Order: env PERCEPNETFX_CLI (split like a shell would), else the built
    Release dll if it exists, else `dotnet run --project <repo>/src/Cli`.
    """
    env = os.environ.get("PERCEPNETFX_CLI")
    if env:
        return shlex.split(env)
    if os.path.isfile(CLI_DLL):
        return ["dotnet", CLI_DLL]
    return ["dotnet", "run", "--project", os.path.join(REPO_ROOT, "src", "Cli"), "-c", "Release", "--"]


def run_cli(args):
    """Runs `percepnetfx ARGS...` and returns its stdout; CliError on a non-zero exit."""
    r = subprocess.run(cli_command() + [str(a) for a in args], capture_output=True, text=True)
    if r.returncode != 0:
        raise CliError("percepnetfx %s failed (%d): %s" % (" ".join(map(str, args)), r.returncode, r.stderr.strip()))
    return r.stdout


def build_cli():
    """`dotnet build -c Release src/Cli` (quiet); raises CalledProcessError on failure."""
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(REPO_ROOT, "src", "Cli")],
                   check=True, stdout=subprocess.DEVNULL)


def require_cli():
    """None when the CLI can be run without building (PERCEPNETFX_CLI set or the dll built), else a
    one-line message saying how to get it."""
    if os.environ.get("PERCEPNETFX_CLI") or os.path.isfile(CLI_DLL):
        return None
    return "%s not found: build the CLI (dotnet build -c Release src/Cli) or set PERCEPNETFX_CLI" % CLI_DLL


# ---------------------------------------------------------------------------
# `percepnetfx score` output
# ---------------------------------------------------------------------------

# One result: "SI-SDR 8.12 dB  STOI 0.851  segSNR 5.02 dB  lag 0 samples"; with --list each line
# is "ENHANCED<TAB>" followed by that.
SCORE_RE = re.compile(r"SI-SDR (\S+) dB\s+STOI (\S+)\s+segSNR (\S+) dB\s+lag (-?\d+) samples")
SCORE_LIST_RE = re.compile(r"^(.*)\t" + SCORE_RE.pattern + r"\s*$")


def parse_score(text):
    """Output of `percepnetfx score --clean C --enhanced E` -> (SI-SDR, STOI, segSNR, lag)."""
    m = SCORE_RE.search(text)
    if not m:
        raise ValueError("cannot parse score output: %r" % text)
    return float(m[1]), float(m[2]), float(m[3]), int(m[4])


def parse_score_list(text):
    """Output of `percepnetfx score --list PAIRS.tsv` -> {enhanced path: (SI-SDR, STOI, segSNR, lag)}."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = SCORE_LIST_RE.match(line)
        if not m:
            raise ValueError("cannot parse score line: %r" % line)
        out[m[1]] = (float(m[2]), float(m[3]), float(m[4]), int(m[5]))
    return out


# ---------------------------------------------------------------------------
# levels
# ---------------------------------------------------------------------------

def rms(x):
    """Plain RMS over the whole signal."""
    import numpy as np
    return math.sqrt(float(np.mean(x ** 2)))


def active_level(x, rate=FS):
    """Active speech level (linear RMS; see the module docstring): the RMS over the 10 ms frames whose
    mean power is within 40 dB of the loudest frame."""
    import numpy as np
    n = int(ACTIVE_FRAME_S * rate)
    frames = x[: len(x) // n * n].reshape(-1, n)
    e = np.mean(frames ** 2, axis=1)
    active = e > e.max() * 10 ** (-ACTIVE_RANGE_DB / 10)
    return math.sqrt(float(np.mean(e[active])))


# ---------------------------------------------------------------------------
# audio
# ---------------------------------------------------------------------------

def read_mono(path, start=0, frames=-1):
    """First channel as float64, and the sampling rate."""
    import soundfile as sf
    x, rate = sf.read(str(path), start=start, frames=frames, dtype="float64", always_2d=True)
    return x[:, 0], rate


def resample(x, rate, to=FS):
    """scipy's polyphase resampler by the reduced ratio to/rate (44.1 -> 48 kHz: up 160, down 147;
    48 -> 16 kHz: up 1, down 3); x unchanged when the rates agree."""
    if rate == to:
        return x
    from scipy.signal import resample_poly
    f = Fraction(to, rate)
    return resample_poly(x, f.numerator, f.denominator)


def to_48k(x, rate):
    """x at 48 kHz (see resample)."""
    return resample(x, rate, FS)


def load_48k(path):
    """First channel of an audio file, float64 at 48 kHz."""
    x, rate = read_mono(path)
    return to_48k(x, rate)
