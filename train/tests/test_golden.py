"""The committed C# golden vectors (models/golden) are reproducible and small."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from common import REPO_ROOT  # noqa: E402
from export import load_model  # noqa: E402
from golden import write_golden, write_shipped_golden  # noqa: E402
from model import stream_forward  # noqa: E402

GOLDEN = os.path.join(REPO_ROOT, "models", "golden")
NAMES = ["features", "gains", "strengths", "gains_q8w", "strengths_q8w", "gains_q8", "strengths_q8"]


@unittest.skipUnless(os.path.isdir(GOLDEN), "models/golden not present")
class GoldenTest(unittest.TestCase):
    def test_regenerates_and_small(self):
        torch.set_num_threads(1)
        total = sum(os.path.getsize(os.path.join(GOLDEN, n)) for n in os.listdir(GOLDEN))
        self.assertLess(total, 200 * 1024)
        with tempfile.TemporaryDirectory() as tmp:
            write_golden(tmp)
            for n in NAMES:
                a = np.load(os.path.join(GOLDEN, n + ".npy"))
                b = np.load(os.path.join(tmp, n + ".npy"))
                self.assertEqual(a.shape, b.shape, n)
                self.assertEqual(a.dtype, np.float32, n)
                self.assertTrue(np.allclose(a, b, atol=1e-6, rtol=0), n)

    def test_outputs_match_stored_model(self):
        m, _, _ = load_model(os.path.join(GOLDEN, "golden.safetensors"))
        f = torch.from_numpy(np.load(os.path.join(GOLDEN, "features.npy")))
        g, r = stream_forward(m, f)               # streaming evaluation of the stored weights
        self.assertLess(float(np.abs(g.numpy() - np.load(os.path.join(GOLDEN, "gains.npy"))).max()), 1e-5)
        self.assertLess(float(np.abs(r.numpy() - np.load(os.path.join(GOLDEN, "strengths.npy"))).max()), 1e-5)
        gq = np.load(os.path.join(GOLDEN, "gains_q8.npy"))
        self.assertLess(float(np.abs(gq - g.numpy()).max()), 2e-2)   # §8.5 tolerance


class ShippedGoldenTest(unittest.TestCase):
    """models/golden/NAME/ belongs to models/NAME.safetensors as committed (regenerates to 1e-6)."""

    def test_each_shipped_model_has_matching_vectors(self):
        torch.set_num_threads(1)
        shipped = sorted(f[:-len(".safetensors")] for f in os.listdir(os.path.join(REPO_ROOT, "models"))
                         if f.endswith(".safetensors"))
        self.assertTrue(shipped)
        for name in shipped:
            ref = os.path.join(GOLDEN, name)
            self.assertTrue(os.path.isdir(ref), "no golden vectors for %s" % name)
            with tempfile.TemporaryDirectory() as tmp:
                d = write_shipped_golden(os.path.join(REPO_ROOT, "models", name + ".safetensors"), tmp)
                self.assertEqual(d["model"], name)
                for n in ("features", "gains", "strengths", "gains_q8", "strengths_q8"):
                    a, b = np.load(os.path.join(ref, n + ".npy")), np.load(os.path.join(tmp, n + ".npy"))
                    self.assertEqual(a.shape, b.shape, (name, n))
                    self.assertTrue(np.allclose(a, b, atol=1e-6, rtol=0), (name, n))


if __name__ == "__main__":
    unittest.main()
