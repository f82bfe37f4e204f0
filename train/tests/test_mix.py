"""§8.4 data synthesis: parameter statistics, levels/SNR, reverb target, VAD, split."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402

import mix  # noqa: E402
from common import FS, HOP, TRAIN_DIR, data_root  # noqa: E402

HAVE_DATA = os.path.isfile(os.path.join(data_root(), "manifest.csv"))


def plain_params(**kw):
    p = {"corpus": "ravdess", "no_noise": False, "no_speech": False, "speech_free": False,
         "speech_gain_db": -10.0, "snr_db": 7.3, "tilt_speech": [[1, 0, 0], [1, 0, 0]],
         "tilt_noise": [[1, 0, 0], [1, 0, 0]], "reverb": False, "real_rir": False, "k_lp": 481,
         "clip": False, "clip_over_db": 0.0, "quant16": False}
    p.update(kw)
    return p


def synthetic_speech(rng, n):
    """Tone bursts (0.5 s on / 0.3 s off) and their activity mask."""
    t = np.arange(n) / FS
    on = (t % 0.8) < 0.5
    s = np.sin(2 * np.pi * 220 * t) * on * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return s, on.astype(float)


class ParamStatsTest(unittest.TestCase):
    def test_ranges_and_probabilities(self):
        rng = np.random.default_rng(0)
        N = 4000
        ps = [mix.draw_params(rng, {"ravdess": 0.5, "ljspeech": 0.3, "vcc2020": 0.2}) for _ in range(N)]
        gain = np.array([p["speech_gain_db"] for p in ps])
        snr = np.array([p["snr_db"] for p in ps])
        self.assertTrue(np.all((gain >= -45) & (gain <= 10)))
        self.assertTrue(np.all((snr >= -5) & (snr <= 30)))
        self.assertAlmostEqual(gain.mean(), -45 + 22.5 + 5, delta=1.0)
        self.assertAlmostEqual(snr.mean(), 30 - 12.5 - 5, delta=0.6)
        frac = lambda k: np.mean([p[k] for p in ps])  # noqa: E731
        self.assertAlmostEqual(frac("no_noise"), 1 / 8 - 1 / 80, delta=0.02)   # minus the both-off case
        self.assertAlmostEqual(frac("no_speech"), 1 / 10, delta=0.02)
        self.assertEqual(sum(p["no_noise"] and p["no_speech"] for p in ps), 0)
        self.assertAlmostEqual(frac("speech_free"), 1 / 4, delta=0.03)
        self.assertAlmostEqual(frac("reverb"), 1 / 2, delta=0.03)
        self.assertAlmostEqual(frac("clip"), 1 / 4, delta=0.03)
        self.assertAlmostEqual(frac("quant16"), 1 / 2, delta=0.03)
        for p in ps:
            self.assertTrue(60 <= p["k_lp"] <= 481)
            if p["corpus"] == "vcc2020":
                self.assertLessEqual(p["k_lp"], 230)
            if p["corpus"] == "ljspeech":
                self.assertLessEqual(p["k_lp"], 220)
        full = [p for p in ps if p["corpus"] == "ravdess"]
        # k_lp = floor(60 * 50^u) > 480  <=>  u > log(8)/log(50) = 0.5315: ~47 % unlimited
        self.assertAlmostEqual(np.mean([p["k_lp"] == 481 for p in full]), 0.4685, delta=0.04)

    def test_tilt_filters_stable(self):
        rng = np.random.default_rng(1)
        for _ in range(500):
            b, a = mix.random_tilt(rng)
            self.assertEqual(b[0], 1.0)
            self.assertEqual(a[0], 1.0)
            self.assertTrue(np.all(np.abs(np.roots(a)) < 0.71) if np.any(a[1:]) else True)
            self.assertTrue(np.all(np.abs(np.roots(b)) < 0.71) if np.any(b[1:]) else True)


class RenderTest(unittest.TestCase):
    def test_levels_and_snr(self):
        rng = np.random.default_rng(2)
        n = 3 * FS
        s, m = synthetic_speech(rng, n)
        noise = rng.standard_normal(n)
        for snr in (-5.0, 7.3, 30.0):
            p = plain_params(snr_db=snr, speech_gain_db=-12.0)
            y, x, info = mix.render(rng, p, s, m, noise)
            level = mix.rms_db(x, m)
            nz = y - x
            self.assertAlmostEqual(level, -21 - 12, delta=0.01)
            self.assertAlmostEqual(level - mix.rms_db(nz), snr, delta=0.5)
            self.assertAlmostEqual(info["achieved_snr_db"], snr, delta=0.5)

    def test_no_noise_no_speech(self):
        rng = np.random.default_rng(3)
        n = FS
        s, m = synthetic_speech(rng, n)
        noise = rng.standard_normal(n)
        y, x, _ = mix.render(rng, plain_params(no_noise=True), s, m, noise)
        self.assertTrue(np.array_equal(y, x))
        y, x, _ = mix.render(rng, plain_params(no_speech=True), s, m, noise)
        self.assertFalse(np.any(x))
        self.assertAlmostEqual(mix.rms_db(y), -21 - 10 - 7.3, delta=0.01)

    def test_clip_and_quantisation(self):
        rng = np.random.default_rng(4)
        n = FS
        s, m = synthetic_speech(rng, n)
        noise = rng.standard_normal(n)
        y0, x0, _ = mix.render(rng, plain_params(), s, m, noise)
        y, x, info = mix.render(rng, plain_params(clip=True, clip_over_db=6.0, quant16=True), s, m, noise)
        self.assertLessEqual(np.abs(y).max(), 1.0)
        g = 10 ** (info["clip_gain_db"] / 20)
        self.assertTrue(np.allclose(x, x0 * g))                    # x gets the gain, is not clipped
        self.assertAlmostEqual(np.abs(y0 * g).max(), 10 ** (6 / 20), places=6)
        self.assertTrue(np.allclose(y * 32768, np.round(y * 32768)))

    def test_early_reflection_truncation(self):
        h = np.full(2000, 0.1)
        h[100] = 1.0                                   # direct path n_d = 100
        he = mix.early_reflection_rir(h)
        self.assertTrue(np.array_equal(he[:580], h[:580]))          # n < n_d + 480 kept
        k = np.arange(580, 820)
        self.assertTrue(np.allclose(he[k], 0.1 * (1 - (k - 580) / 240)))   # linear fade
        self.assertFalse(np.any(he[820:]))                          # zero from n_d + 720

    def test_simulated_rir(self):
        rng = np.random.default_rng(5)
        for _ in range(20):
            h, info = mix.simulated_rir(rng)
            nd = mix.direct_path_index(h)
            self.assertEqual(h[nd], 1.0)
            self.assertLess(nd, 0.003 * FS + 1)
            self.assertTrue(0.1 <= info["rt60"] <= 0.6)
            self.assertGreater(len(h), 0.1 * FS)

    def test_reverb_target(self):
        rng = np.random.default_rng(6)
        n = 2 * FS
        s, m = synthetic_speech(rng, n)
        h, _ = mix.simulated_rir(rng)
        y, x, _ = mix.render(rng, plain_params(reverb=True, no_noise=True), s, m, np.zeros(n), h)
        # the target equals the speech through the early part only (same level scale)
        g = 10 ** ((-31 - mix.rms_db(np.convolve(s, mix.early_reflection_rir(h))[:n], m)) / 20)
        import scipy.signal as sps
        ref_x = sps.fftconvolve(s, mix.early_reflection_rir(h))[:n] * g
        ref_y = sps.fftconvolve(s, h)[:n] * g
        self.assertTrue(np.allclose(x, ref_x, atol=1e-9))
        self.assertTrue(np.allclose(y, ref_y, atol=1e-9))

    def test_vad_cleaning(self):
        rng = np.random.default_rng(7)
        n = 2 * FS
        x = 10 ** (-90 / 20) * rng.standard_normal(n)             # recording noise floor
        x[FS // 2:FS] += 0.05 * np.sin(2 * np.pi * 200 * np.arange(FS // 2) / FS)
        g = mix.energy_vad(x)
        self.assertTrue(np.all(np.abs(g[int(0.7 * FS):int(0.8 * FS)] - 1.0) < 1e-9))
        self.assertTrue(np.all(g[:FS // 4] < 1e-9))
        self.assertTrue(np.all(g[int(1.5 * FS):] < 1e-9))
        d = np.diff(g)
        self.assertLessEqual(np.abs(d).max(), 1.0 / HOP + 1e-12)   # 480-sample linear ramps

    def test_dc_block_and_synth_noise(self):
        y = mix.dc_block(np.ones(FS))
        self.assertLess(abs(y[-1000:]).max(), 1e-3)
        rng = np.random.default_rng(8)
        for kind in ("white", "pink", "brown"):
            z = mix.synth_noise(rng, FS, kind)
            self.assertAlmostEqual(float(np.sqrt(np.mean(z * z))), 1.0, places=6)
        z = mix.synth_noise(rng, 4 * FS, "white")
        spec = np.abs(np.fft.rfft(z)) ** 2
        f = np.fft.rfftfreq(len(z), 1 / FS)
        hi = spec[(f > 18000) & (f < 22000)].mean() / spec[(f > 1000) & (f < 5000)].mean()
        self.assertAlmostEqual(hi, 1.0, delta=0.1)                   # fullband


@unittest.skipUnless(HAVE_DATA, "data folder not available")
class SplitAndDataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.man = mix.load_manifest()
        cls.split = mix.make_split(cls.man)

    def test_split_disjoint(self):
        sp = self.split
        tr = {f for v in sp["train"]["speech"].values() for f in v}
        va = {f for v in sp["val"]["speech"].values() for f in v}
        self.assertFalse(tr & va)
        self.assertFalse(set(sp["train"]["noise"]) & set(sp["val"]["noise"]))
        spk = lambda files: {f.split("/")[-2] for f in files}  # noqa: E731
        self.assertFalse(spk(tr) & spk(va))
        self.assertEqual(spk(va), {"actor23", "actor24", "TEF2", "TEM2"})
        self.assertEqual(len(sp["val"]["noise"]), 5)
        self.assertEqual(len(sp["val"]["rir"]), 0)
        self.assertEqual(len(sp["train"]["rir"]), 9)
        # every train-split file of the manifest is used exactly once
        all_train = {r["path"] for r in self.man if r["split"] == "train"}
        used = tr | va | set(sp["train"]["noise"]) | set(sp["val"]["noise"]) | set(sp["train"]["rir"])
        self.assertEqual(used, all_train)
        self.assertFalse(any(r["split"] == "dev" and r["path"] in used for r in self.man))

    def test_committed_split_matches(self):
        path = os.path.join(TRAIN_DIR, "split.json")
        with open(path) as f:
            self.assertEqual(json.load(f), json.loads(json.dumps(self.split)))

    def test_real_sequence_and_shard(self):
        mat = mix.Material(data_root(), self.split, "train")
        rng = np.random.default_rng([1, 2, 3])
        y, x, k_lp, meta = mix.build_sequence(rng, mat, 150)
        self.assertEqual(y.shape, (150 * HOP,))
        self.assertEqual(x.shape, (150 * HOP,))
        self.assertTrue(np.all(np.isfinite(y)) and np.all(np.isfinite(x)))
        with tempfile.TemporaryDirectory() as tmp:
            mix.make_shard(mat, tmp, 0, 2, 120, seed=5, fake=True)
            f = np.load(os.path.join(tmp, "shard_00000.features.npy"))
            g = np.load(os.path.join(tmp, "shard_00000.gains.npy"))
            self.assertEqual(f.shape, (2, 120, 70))
            self.assertEqual(g.shape, (2, 120, 34))
            self.assertTrue(mix.shard_done(tmp, 0))
            self.assertFalse(os.path.isdir(os.path.join(tmp, "shard_00000")))   # WAVs deleted
            with open(os.path.join(tmp, "shard_00000.json")) as fh:
                info = json.load(fh)
            self.assertTrue(info["fake_features"])
            # deterministic: the same shard rebuilt gives the same mixing parameters
            with tempfile.TemporaryDirectory() as tmp2:
                mix.make_shard(mat, tmp2, 0, 2, 120, seed=5, fake=True)
                with open(os.path.join(tmp2, "shard_00000.json")) as fh:
                    info2 = json.load(fh)
                self.assertEqual(info["sequences"], info2["sequences"])

    def test_dev_set(self):
        with tempfile.TemporaryDirectory() as tmp:
            rows = mix.make_dev_set(data_root(), tmp, per_utt=2, limit=3)
            self.assertEqual(len(rows), 6)
            self.assertEqual([r["snr_db"] for r in rows], [-5, 0, 5, 10, 15, -5])
            import soundfile as sf
            c, sr = sf.read(os.path.join(tmp, rows[1]["clean"]))
            nz, _ = sf.read(os.path.join(tmp, rows[1]["noisy"]))
            self.assertEqual(sr, 48000)
            act = mix.energy_vad(c)
            self.assertAlmostEqual(mix.rms_db(c, act) - mix.rms_db(nz - c), 0.0, delta=0.05)
            self.assertTrue(os.path.isfile(os.path.join(tmp, "dev.csv")))


if __name__ == "__main__":
    unittest.main()
