"""§8.5 int8 quantisation: per-row scales with the pair-sum rule."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402

from model import dequantise_q8, q8_scales, quantise_q8  # noqa: E402


def pair_sums(q2d):
    q2d = q2d.astype(np.int32)
    if q2d.shape[1] % 2:
        q2d = np.concatenate([q2d, np.zeros((q2d.shape[0], 1), np.int32)], axis=1)
    return q2d[:, 0::2] + q2d[:, 1::2]


class QuantTest(unittest.TestCase):
    def test_hand_example(self):
        w = np.array([[0.5, 0.6, -0.1, 0.0],      # pair sum 1.1 dominates: scale 1.1/129
                      [0.5, -0.6, 0.1, 0.0]],     # max |w| dominates: scale 0.6/127
                     dtype=np.float32)
        s = q8_scales(w)
        self.assertAlmostEqual(float(s[0]), 1.1 / 129, places=8)
        self.assertAlmostEqual(float(s[1]), 0.6 / 127, places=8)
        q, s2 = quantise_q8(w)
        self.assertEqual(q.dtype, np.int8)
        self.assertEqual(q[0].tolist(), [59, 70, -12, 0])   # 0.5/(1.1/129) = 58.6, 0.6/... = 70.4
        self.assertEqual(q[1].tolist(), [106, -127, 21, 0])
        self.assertTrue(np.array_equal(s, s2))

    def test_tie_case_is_nudged(self):
        # W/scale = 65.5 and 63.5 exactly: rint gives 66 + 64 = 130 > 129 without the fix
        w = np.array([[65.5 / 128, 63.5 / 128]], dtype=np.float32)
        q, s = quantise_q8(w)
        self.assertEqual(float(s[0]), 1.0 / 128)
        self.assertLessEqual(abs(int(q[0, 0]) + int(q[0, 1])), 129)
        self.assertEqual(sorted(q[0].tolist()), [64, 65])

    def test_random_bounds_2d_and_conv(self):
        rng = np.random.default_rng(0)
        for shape in [(48, 24), (30, 17), (16, 8, 5), (12, 12, 3)]:
            for dist in ("uniform", "same_sign", "sparse"):
                w = rng.uniform(-0.5, 0.5, shape)
                if dist == "same_sign":
                    w = np.abs(w)
                if dist == "sparse":
                    w[rng.random(shape) < 0.7] = 0
                w = w.astype(np.float32)
                q, s = quantise_q8(w)
                self.assertEqual(q.shape, w.shape)
                self.assertEqual(s.shape, (shape[0],))
                self.assertLessEqual(int(np.abs(q.astype(int)).max()), 127)
                views = [q.reshape(shape[0], -1)]
                if q.ndim == 3:
                    views.append(q.transpose(0, 2, 1).reshape(shape[0], -1))
                for v in views:
                    self.assertLessEqual(int(np.abs(pair_sums(v)).max()), 129)
                dq = dequantise_q8(q, s)
                step = s.reshape((-1,) + (1,) * (w.ndim - 1))
                self.assertTrue(np.all(np.abs(dq - w) <= 0.5 * step * (1 + 1e-5) + 1e-9))
                # u8 x s8 saturation bound of the AVX2 fast path: 254 * |pair| <= 32767
                self.assertLessEqual(254 * int(np.abs(pair_sums(q.reshape(shape[0], -1))).max()), 32767)

    def test_zero_row(self):
        w = np.zeros((3, 4), np.float32)
        w[1] = [0.1, 0.2, 0.3, 0.4]
        q, s = quantise_q8(w)
        self.assertEqual(float(s[0]), 0.0)
        self.assertFalse(np.any(q[0]))
        self.assertTrue(np.all(np.isfinite(dequantise_q8(q, s))))


if __name__ == "__main__":
    unittest.main()
