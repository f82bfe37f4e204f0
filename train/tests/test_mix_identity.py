"""The synthesis output is pinned: SHA-256 of training sequences, a shard (with the feature test
double, so only the mixing is pinned) and the dev set, as the code produced them when the hashes
were recorded. A refactoring of train/mix.py and its modules must keep every hash; a deliberate
change of the synthesis updates them (and makes old shards and dev sets stale).

NumPy picks SIMD kernels for exp, log, sin and the like at run time, and its AVX-512 kernels round
differently in the last bit from its AVX2 ones, so the hashes would depend on the CPU. The digests
are therefore computed in a child process with NumPy's AVX-512 kernels switched off
(NPY_DISABLE_CPU_FEATURES); the hashes below are those of the AVX2 kernels, on any x86-64 CPU."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

import mix  # noqa: E402
from common import data_root  # noqa: E402

HAVE_DATA = os.path.isfile(os.path.join(data_root(), "manifest.csv"))

GOLDEN = {
    "sequences": "2255e6323af1c757cf3b6daf7a4c1729ec27ed0ccaf84d3516427678c0f87f78",
    "shard": "acf9dc20a0ec6d564d14e8371ba089f902e50a182182c4d382aeb4de4f8d441c",
    "dev_set": "60c10241c71e4fa70ada936aca4060754fcae5c5af7c3427bfa343c7123752be",
}


def digest_files(folder, names):
    """WAV files by their decoded samples and rate (libsndfile stamps float WAVs with the time in
    a PEAK chunk), other files by their bytes."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        path = os.path.join(folder, name)
        if name.endswith(".wav"):
            x, rate = sf.read(path, dtype="float32", always_2d=True)
            h.update(str(rate).encode())
            h.update(x.tobytes())
        else:
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def sequences_digest(split):
    h = hashlib.sha256()
    for subset in ("train", "val"):
        mat = mix.Material(data_root(), split, subset)
        for i in range(6):
            rng = np.random.default_rng([7, i, len(subset)])
            y, x, k_lp, meta = mix.build_sequence(rng, mat, 200)
            h.update(y.tobytes())
            h.update(x.tobytes())
            h.update(json.dumps(meta, sort_keys=True).encode())
    return h.hexdigest()


def shard_digest(split):
    mat = mix.Material(data_root(), split, "train")
    with tempfile.TemporaryDirectory() as tmp:
        mix.make_shard(mat, tmp, 3, 3, 150, seed=11, fake=True, keep_wavs=True)
        with open(os.path.join(tmp, "shard_00003.json")) as f:
            info = json.load(f)
        del info["created"]
        names = sorted(os.path.join("shard_00003", n) for n in os.listdir(os.path.join(tmp, "shard_00003"))
                       if n.endswith(".wav"))
        names += ["shard_00003.%s.npy" % k for k in ("features", "gains", "strengths")]
        h = hashlib.sha256(digest_files(tmp, names).encode())
        h.update(json.dumps(info, sort_keys=True).encode())
        return h.hexdigest()


def dev_set_digest():
    with tempfile.TemporaryDirectory() as tmp:
        rows = mix.make_dev_set(data_root(), tmp, per_utt=2, limit=3)
        names = ["dev.csv"] + [r[k] for r in rows for k in ("clean", "noisy")]
        return digest_files(tmp, names)


# Every AVX-512 group NumPy dispatches to (names it does not know only draw a warning).
NO_AVX512 = "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"


def digests():
    split = mix.make_split(mix.load_manifest())
    return {"sequences": sequences_digest(split), "shard": shard_digest(split), "dev_set": dev_set_digest()}


def digests_in_child():
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=NO_AVX512)
    r = subprocess.run([sys.executable, "-W", "ignore", os.path.abspath(__file__)], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("digest process failed: " + r.stderr[-2000:])
    return json.loads(r.stdout)


@unittest.skipUnless(HAVE_DATA, "data folder not available")
class SynthesisIdentityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.got = digests_in_child()

    def test_sequences(self):
        self.assertEqual(self.got["sequences"], GOLDEN["sequences"])

    def test_shard(self):
        self.assertEqual(self.got["shard"], GOLDEN["shard"])

    def test_dev_set(self):
        self.assertEqual(self.got["dev_set"], GOLDEN["dev_set"])


if __name__ == "__main__":
    print(json.dumps(digests(), indent=1))
