#!/usr/bin/python3
"""Optional perceptual metrics for scripts/eval_quality.py and scripts/sweep_dev.py: PESQ-WB and DNSMOS.

Neither tool ships with the repository; each is switched on by an environment variable and the
scripts' output is unchanged while the variable is unset.

PERCEPNETFX_PESQ: path of a PESQ command-line binary. Build the ITU-T P.862 reference C code
  from a public copy outside the repository and set PERCEPNETFX_PESQ to the binary; it is called as
  `$PERCEPNETFX_PESQ +16000 +wb ref.wav deg.wav` (P.862.2 wideband mode) and its
  "P.862.2 Prediction (MOS-LQO):  = x.xxx" line is read. Each scored (clean, output) pair is
  resampled to 16 kHz (scipy resample_poly; 1:3 from 48 kHz) and written as 16-bit mono WAV to a
  temporary folder first. The pairs are the ones the scripts already score, i.e. time-aligned
  (the CLI's outputs are latency-compensated, the peers' tool removes their delays); PESQ's own
  delay search takes care of what little is left.

PERCEPNETFX_DNSMOS_MODEL: path of Microsoft's DNSMOS P.835 model sig_bak_ovr.onnx
  (microsoft/DNS-Challenge, DNSMOS/DNSMOS/; not the personalised pDNSMOS one). Needs Node.js and
  the npm package onnxruntime-node, installed next to the model (`npm install onnxruntime-node` in
  the model's folder) or anywhere Node's require() finds it (NODE_PATH). The model runs in
  scripts/dnsmos.mjs; the rest of the reference method (dnsmos_local.py of the DNS Challenge) is
  here: the output alone (non-intrusive), resampled to 16 kHz, repeated until it lasts 9.01 s,
  cut into 9.01 s windows (144160 samples) hopped by 1 s, each window's raw SIG/BAK/OVRL mapped by
  the published polynomials, means over the windows.

Cost on one core: PESQ about 0.1 s a pair; DNSMOS about 0.5 s a window (a 2-5 s file makes 3
windows), so DNSMOS on the dev set (96 mixtures x 6 systems) takes several minutes with 2 jobs.
With a cache folder (`Extras(cache=...)`; the scripts use out/metrics-cache) each score is kept
under the SHA-256 of the tool and of the audio it read, so a file scored once (the noisy input,
a peer's output) is not scored again by a later run, and a changed file or tool is rescored.

Unit tests: scripts/tests/test_extra_metrics.py (fake binaries; neither tool is needed).
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS.parent / "train"))
import common as pc  # noqa: E402  (reading audio, resampling)

PESQ_ENV = "PERCEPNETFX_PESQ"
DNSMOS_ENV = "PERCEPNETFX_DNSMOS_MODEL"
PESQ_RATE = 16000
DNSMOS_RATE = 16000
DNSMOS_INPUT_S = 9.01                               # window length of the P.835 model
DNSMOS_WINDOW = int(DNSMOS_INPUT_S * DNSMOS_RATE)   # 144160 samples
DNSMOS_HOP = DNSMOS_RATE                            # 1 s
# Polynomials (highest power first) mapping the raw model outputs to P.835 MOS; the published
# coefficients of the non-personalised model.
DNSMOS_POLY_SIG = (-0.08397278, 1.22083953, 0.0052439)
DNSMOS_POLY_BAK = (-0.13166888, 1.60915514, -0.39604546)
DNSMOS_POLY_OVRL = (-0.06766283, 1.11546468, 0.04602535)
DNSMOS_BATCH_FILES = 16          # files per node process: bounds the temporary segment files

# Positions of the optional metrics in a score tuple (0-2: SI-SDR, STOI, segSNR; 3: the lag in
# eval_quality.py's tuples, the mixture count in its aggregates). Name, position, format.
EXTRA_METRICS = [("PESQ-WB", 4, "{:.2f}"), ("DNSMOS SIG", 5, "{:.2f}"), ("DNSMOS BAK", 6, "{:.2f}"),
                 ("DNSMOS OVRL", 7, "{:.2f}")]

PESQ_WB_RE = re.compile(r"P\.862\.2 Prediction \(MOS-LQO\):\s*=\s*([-+]?\d+(?:\.\d+)?)")
NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


class SetupError(Exception):
    """An environment variable names a tool that cannot be used; the message is one line."""


class MetricError(RuntimeError):
    """A tool failed on one file."""


# ---------------------------------------------------------------------------
# environment
# ---------------------------------------------------------------------------

def _env_path(name: str, environ) -> Path | None:
    value = (environ if environ is not None else os.environ).get(name, "")
    return Path(value) if value.strip() else None


def pesq_binary(environ=None) -> Path | None:
    """The PESQ binary named by $PERCEPNETFX_PESQ, None when unset; SetupError when unusable."""
    p = _env_path(PESQ_ENV, environ)
    if p is None:
        return None
    if not p.exists():
        raise SetupError(f"{PESQ_ENV}={p}: no such file (build the ITU-T P.862 reference code and point"
                         f" {PESQ_ENV} at the binary, or unset it)")
    if not p.is_file() or not os.access(p, os.X_OK):
        raise SetupError(f"{PESQ_ENV}={p}: not an executable file")
    return p.resolve()


def dnsmos_model(environ=None) -> Path | None:
    """The model named by $PERCEPNETFX_DNSMOS_MODEL, None when unset; SetupError when unusable."""
    p = _env_path(DNSMOS_ENV, environ)
    if p is None:
        return None
    if not p.is_file():
        raise SetupError(f"{DNSMOS_ENV}={p}: no such file (Microsoft's DNSMOS sig_bak_ovr.onnx)")
    if shutil.which("node") is None:
        raise SetupError(f"{DNSMOS_ENV} is set but node is not on PATH (DNSMOS runs in Node.js with onnxruntime-node)")
    return p.resolve()


# ---------------------------------------------------------------------------
# audio
# ---------------------------------------------------------------------------

load_mono = pc.read_mono     # first channel as float64, and the sampling rate
resample = pc.resample       # scipy resample_poly by the reduced ratio (48 kHz -> 16 kHz: up 1, down 3)


def write_pcm16(path, x: np.ndarray, rate: int):
    """16-bit mono WAV. A signal that would clip is scaled down (PESQ normalises levels itself)."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak > 32767 / 32768:
        x = x * (32767 / 32768 / peak)
    sf.write(str(path), np.asarray(x, dtype=np.float64), rate, subtype="PCM_16")


# ---------------------------------------------------------------------------
# PESQ-WB
# ---------------------------------------------------------------------------

def parse_pesq_output(text: str) -> float:
    """The score printed by a P.862 binary: the P.862.2 (wideband) MOS-LQO line; failing that, the
    last number of the last "Prediction ... =" line (narrowband prints raw MOS then MOS-LQO, so the
    last one is the MOS-LQO); failing that, a last line that is just "... = number"."""
    m = PESQ_WB_RE.findall(text)
    if m:
        return float(m[-1])
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Prediction" in ln and "=" in ln:
            nums = NUMBER_RE.findall(ln.split("=", 1)[1])
            if nums:
                return float(nums[-1])
    if lines:
        m2 = re.fullmatch(r".*=\s*([-+]?\d+(?:\.\d+)?)", lines[-1])
        if m2 and "error" not in lines[-1].lower():
            return float(m2[1])
    last = lines[-1] if lines else "(no output)"
    raise MetricError(f"no PESQ score in the output: {last}")


def pesq_wb(binary: Path, clean, enhanced, tmp_root=None) -> float:
    """PESQ-WB (P.862.2 MOS-LQO) of one pair of audio files of any rate."""
    c, rc = load_mono(clean)
    e, re_ = load_mono(enhanced)
    d = Path(tempfile.mkdtemp(prefix="pnfx-pesq-", dir=tmp_root))
    try:
        write_pcm16(d / "ref.wav", resample(c, rc, PESQ_RATE), PESQ_RATE)
        write_pcm16(d / "deg.wav", resample(e, re_, PESQ_RATE), PESQ_RATE)
        # Relative names in its own folder: the reference code takes names beginning with "+" for
        # options and may write a results file into its working folder.
        r = subprocess.run([str(binary), f"+{PESQ_RATE}", "+wb", "ref.wav", "deg.wav"], cwd=d,
                           capture_output=True, text=True, timeout=600)
        out = r.stdout + r.stderr
        if r.returncode != 0:
            tail = " | ".join(ln.strip() for ln in out.splitlines() if ln.strip())[-300:]
            raise MetricError(f"PESQ failed ({r.returncode}) on {enhanced}: {tail or '(no output)'}")
        try:
            return parse_pesq_output(out)
        except MetricError as ex:
            raise MetricError(f"PESQ on {enhanced}: {ex}") from None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def pesq_pairs(binary: Path, pairs, jobs: int = 2, tmp_root=None) -> dict[str, float]:
    """{str(enhanced): PESQ-WB} for (clean, enhanced) pairs, `jobs` binaries at a time."""
    pairs = list(pairs)
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        scores = list(pool.map(lambda p: pesq_wb(binary, p[0], p[1], tmp_root), pairs))
    return {str(e): s for (_, e), s in zip(pairs, scores)}


# ---------------------------------------------------------------------------
# DNSMOS P.835
# ---------------------------------------------------------------------------

def dnsmos_windows(x16: np.ndarray) -> np.ndarray:
    """The model inputs of one 16 kHz signal, as the reference runner makes them: the signal
    doubled (appended to itself) until it lasts at least 9.01 s, then windows of 144160 samples
    starting every second, int(floor(seconds) - 9.01) + 1 of them (shape: windows x 144160)."""
    x = np.asarray(x16, dtype=np.float64)
    if len(x) == 0:
        raise MetricError("empty signal")
    while len(x) < DNSMOS_WINDOW:
        x = np.append(x, x)
    fs = DNSMOS_RATE
    hops = int(np.floor(len(x) / fs) - DNSMOS_INPUT_S) + 1
    wins = []
    for i in range(hops):
        # The end index is computed in floating point as the reference does; for some starts
        # (7 to 23 s) it rounds down to 144159 samples and the reference skips that window.
        seg = x[int(i * DNSMOS_HOP): int((i + DNSMOS_INPUT_S) * DNSMOS_HOP)]
        if len(seg) >= DNSMOS_WINDOW:
            wins.append(seg[:DNSMOS_WINDOW])
    if not wins:
        raise MetricError("no 9.01 s window")
    return np.stack(wins).astype(np.float32)


def dnsmos_map(raw) -> tuple[float, float, float]:
    """Raw model outputs (windows x [SIG, BAK, OVRL]) -> (SIG, BAK, OVRL): each window mapped by
    the polynomials, then the mean over the windows."""
    raw = np.asarray(raw, dtype=np.float64).reshape(-1, 3)
    sig = np.polyval(DNSMOS_POLY_SIG, raw[:, 0])
    bak = np.polyval(DNSMOS_POLY_BAK, raw[:, 1])
    ovr = np.polyval(DNSMOS_POLY_OVRL, raw[:, 2])
    return float(np.mean(sig)), float(np.mean(bak)), float(np.mean(ovr))


def parse_dnsmos_runner(text: str) -> dict[str, list[tuple[float, float, float]]]:
    """scripts/dnsmos.mjs output, one line per window: `file<TAB>window<TAB>sig<TAB>bak<TAB>ovrl`
    -> {file: [(sig, bak, ovrl), ...] in window order}."""
    out: dict[str, list] = {}
    for ln in text.splitlines():
        if not ln.strip():
            continue
        parts = ln.split("\t")
        if len(parts) != 5:
            raise MetricError(f"cannot parse DNSMOS line: {ln!r}")
        name, k = parts[0], int(parts[1])
        vals = out.setdefault(name, [])
        if k != len(vals):
            raise MetricError(f"DNSMOS windows out of order for {name}")
        vals.append((float(parts[2]), float(parts[3]), float(parts[4])))
    return out


def dnsmos_runner_cmd(model: Path) -> list[str]:
    return ["node", str(SCRIPTS / "dnsmos.mjs"), "--model", str(model)]


def _dnsmos_batch(cmd: list[str], paths: list, tmp_root) -> dict[str, tuple[float, float, float]]:
    d = Path(tempfile.mkdtemp(prefix="pnfx-dnsmos-", dir=tmp_root))
    try:
        names = []
        for i, p in enumerate(paths):
            x, rate = load_mono(p)
            w = dnsmos_windows(resample(x, rate, DNSMOS_RATE))
            f = d / f"{i}.f32"
            w.astype("<f4").tofile(f)
            names.append(str(f))
        (d / "list.txt").write_text("".join(n + "\n" for n in names))
        r = subprocess.run(cmd + [str(d / "list.txt")], capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            tail = " | ".join(ln.strip() for ln in (r.stderr or r.stdout).splitlines() if ln.strip())[-400:]
            raise MetricError(f"DNSMOS runner failed ({r.returncode}): {tail or '(no output)'}")
        raw = parse_dnsmos_runner(r.stdout)
        res = {}
        for p, n in zip(paths, names):
            if n not in raw:
                raise MetricError(f"DNSMOS runner printed nothing for {p}")
            res[str(p)] = dnsmos_map(raw[n])
        return res
    finally:
        shutil.rmtree(d, ignore_errors=True)


def dnsmos_files(model: Path, paths, jobs: int = 2, tmp_root=None, cmd: list[str] | None = None,
                 progress=None) -> dict[str, tuple[float, float, float]]:
    """{str(path): (SIG, BAK, OVRL)} of audio files, in batches of DNSMOS_BATCH_FILES files per
    runner process, `jobs` processes at a time. `cmd` replaces the runner (tests)."""
    paths = list(dict.fromkeys(paths))
    cmd = cmd or dnsmos_runner_cmd(model)
    batches = [paths[i:i + DNSMOS_BATCH_FILES] for i in range(0, len(paths), DNSMOS_BATCH_FILES)]
    res: dict[str, tuple[float, float, float]] = {}
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for part in pool.map(lambda b: _dnsmos_batch(cmd, b, tmp_root), batches):
            res.update(part)
            if progress:
                progress(len(res), len(paths))
    return res


# ---------------------------------------------------------------------------
# what the scripts call
# ---------------------------------------------------------------------------

def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ScoreCache:
    """Scores kept in `folder/<metric>.jsonl`, one {"key", "value"} line each, keyed by the SHA-256
    of the tool and of every audio file the score read. Lines are appended whole, so two runs
    sharing the folder at once lose nothing; an unreadable line is ignored (it is rescored)."""

    def __init__(self, folder: Path, metric: str, tool: Path):
        self.path = Path(folder) / f"{metric}.jsonl"
        self.tool = file_sha256(tool)
        self.values: dict[str, object] = {}
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:
                    d = json.loads(line)
                    self.values[d["key"]] = d["value"]
                except (ValueError, KeyError, TypeError):
                    continue

    def key(self, *files) -> str:
        return hashlib.sha256(":".join([self.tool] + [file_sha256(f) for f in files]).encode()).hexdigest()

    def get(self, key: str):
        return self.values.get(key)

    def put(self, items: dict[str, object]):
        if not items:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as f:
            f.write("".join(json.dumps({"key": k, "value": v}) + "\n" for k, v in items.items()))
        self.values.update(items)


class Extras:
    """The optional metrics switched on by the environment. `score` gives, for each enhanced file
    of the pairs, (PESQ-WB, SIG, BAK, OVRL) with None where a tool is off. With `cache`, scores
    of unchanged files come from that folder (ScoreCache)."""

    def __init__(self, pesq: Path | None = None, dnsmos: Path | None = None, jobs: int = 2,
                 cache: Path | None = None):
        self.pesq, self.dnsmos, self.jobs, self.cache = pesq, dnsmos, max(1, jobs), cache

    @classmethod
    def from_env(cls, jobs: int = 2, environ=None, cache: Path | None = None) -> "Extras":
        return cls(pesq_binary(environ), dnsmos_model(environ), jobs, cache)

    @property
    def enabled(self) -> bool:
        return self.pesq is not None or self.dnsmos is not None

    def describe(self) -> str:
        on = (["PESQ-WB"] if self.pesq else []) + (["DNSMOS"] if self.dnsmos else [])
        return " and ".join(on)

    def _cached(self, metric: str, tool: Path, items: list, files_of, compute) -> dict[str, object]:
        """compute(missing items) -> {str(enhanced): value}, through the cache when there is one."""
        if self.cache is None:
            return compute(items)
        store = ScoreCache(self.cache, metric, tool)
        keys = {str(enh): store.key(*files_of(it)) for it in items for enh in [files_of(it)[-1]]}
        missing = [it for it in items if store.get(keys[str(files_of(it)[-1])]) is None]
        fresh = compute(missing) if missing else {}
        store.put({keys[e]: list(v) if isinstance(v, tuple) else v for e, v in fresh.items()})
        out = {}
        for e, k in keys.items():
            v = store.get(k)
            out[e] = tuple(v) if isinstance(v, list) else v
        return out

    def score(self, pairs, label: str = "") -> dict[str, tuple]:
        pairs = list(pairs)
        tag = " " + label if label else ""
        pesq = {}
        if self.pesq:
            def run_pesq(todo):
                print(f"  PESQ-WB{tag}: {len(todo)} pairs", file=sys.stderr)
                return pesq_pairs(self.pesq, todo, self.jobs)
            pesq = self._cached("pesq-wb", self.pesq, pairs, lambda p: (p[0], p[1]), run_pesq)
        dns = {}
        if self.dnsmos:
            def run_dnsmos(todo):
                print(f"  DNSMOS{tag}: {len(todo)} files", file=sys.stderr)
                return dnsmos_files(self.dnsmos, todo, self.jobs,
                                    progress=lambda k, n: print(f"  DNSMOS: {k}/{n}", file=sys.stderr))
            dns = self._cached("dnsmos", self.dnsmos, [e for _, e in pairs], lambda e: (e,), run_dnsmos)
        return {str(e): (pesq.get(str(e)),) + tuple(dns.get(str(e)) or (None, None, None)) for _, e in pairs}


def active_metrics(values_by_system: list[list[tuple]]) -> list[tuple[str, int, str]]:
    """The EXTRA_METRICS present (not None) in every tuple given."""
    tuples = [t for group in values_by_system for t in group]
    return [m for m in EXTRA_METRICS
            if tuples and all(len(t) > m[1] and t[m[1]] is not None for t in tuples)]
