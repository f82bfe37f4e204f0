"""§8.1/§8.2 network: sizes, causality, streaming == full sequence, weight clipping, QAT."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch  # noqa: E402

from model import (CONFIGS, PercepNet, count_parameters, dequantised_state, fake_quant_ste, stream_forward,  # noqa: E402
                   widen_into)

torch.set_num_threads(1)


def formula(D, C, H, R, B=34, F=70):
    """§11 parameter formula (weights) plus biases."""
    w = F * D + 5 * D * C + 3 * C * C + 3 * H * (C + H) + 3 * 3 * H * (2 * H) + (C + 4 * H) * B \
        + 3 * R * (C + H + R) + R * B
    b = D + 2 * C + 4 * 6 * H + B + 6 * R + B
    return w + b


class ModelTest(unittest.TestCase):
    def test_config_sizes(self):
        self.assertEqual(CONFIGS["tiny"], dict(D=64, C=128, H=128, R=32))
        self.assertEqual(CONFIGS["small"], dict(D=96, C=256, H=256, R=64))
        self.assertEqual(CONFIGS["medium"], dict(D=128, C=384, H=384, R=96))
        self.assertEqual(CONFIGS["paper"], dict(D=128, C=512, H=512, R=128))
        expect_m = {"tiny": 0.54, "small": 2.06, "medium": 4.56, "paper": 7.96}
        for name, m in expect_m.items():
            n = count_parameters(PercepNet.from_config(name))
            self.assertEqual(n, formula(**CONFIGS[name]))
            self.assertAlmostEqual(n / 1e6, m, delta=0.005)
        # §8.1 table: 7 948 288 weights + 14 276 biases
        self.assertEqual(count_parameters(PercepNet.from_config("paper")), 7948288 + 14276)

    def test_layer_shapes(self):
        m = PercepNet.from_config("tiny")
        self.assertEqual(tuple(m.conv1.weight.shape), (128, 64, 5))
        self.assertEqual(tuple(m.conv2.weight.shape), (128, 128, 3))
        self.assertEqual(tuple(m.gru1.weight_ih.shape), (384, 128))
        self.assertEqual(tuple(m.fc_g.weight.shape), (34, 128 + 4 * 128))
        self.assertEqual(tuple(m.gru_r.weight_ih.shape), (96, 128 + 128))
        self.assertEqual(tuple(m.fc_r.weight.shape), (34, 32))

    def test_streaming_equals_full_sequence(self):
        torch.manual_seed(0)
        for cfg in ("golden", "tiny"):
            m = PercepNet.from_config(cfg).eval()
            with torch.no_grad():
                m.norm_mean.normal_()
                m.norm_std.uniform_(0.5, 2.0)
            x = torch.randn(1, 40, 70) * 2
            with torch.no_grad():
                g, r = m(x)
            gs, rs = stream_forward(m, x[0])
            self.assertLess(float((g[0] - gs).abs().max()), 1e-5, cfg)
            self.assertLess(float((r[0] - rs).abs().max()), 1e-5, cfg)

    def test_widened_network_computes_the_narrow_ones_outputs(self):
        """widen_into grows C, H and R; the grown network's g^ and r^ equal the narrow one's, and
        the new units do get gradients (they are not dead)."""
        torch.manual_seed(1)
        narrow = PercepNet.from_config("golden")
        with torch.no_grad():
            narrow.norm_mean.normal_()
            narrow.norm_std.uniform_(0.5, 2.0)
        wide = widen_into(narrow, PercepNet(16, 32, 40, 12))
        x = torch.randn(2, 60, 70) * 2
        g0, r0 = narrow(x)
        g1, r1 = wide(x)
        self.assertLess(float((g0 - g1).abs().max()), 1e-6)
        self.assertLess(float((r0 - r1).abs().max()), 1e-6)
        (g1.sum() + r1.sum()).backward()
        # the zero weights from new H units into FC_g learn: their gradient is not zero
        self.assertGreater(float(wide.fc_g.weight.grad[:, 32 + 24:32 + 40].abs().max()), 0.0)
        self.assertGreater(float(wide.gru_r.weight_hh.grad[:, 8:12].abs().max()), 0.0)

    def test_widening_refuses_a_narrower_or_different_input_width(self):
        narrow = PercepNet.from_config("golden")
        with self.assertRaises(ValueError):
            widen_into(narrow, PercepNet(32, 32, 40, 12))      # D differs
        with self.assertRaises(ValueError):
            widen_into(narrow, PercepNet(16, 16, 40, 12))      # C shrinks

    def test_nn_gru_convention(self):
        """GRULayer equals torch.nn.GRU with the same weights (PyTorch convention, §8.1)."""
        torch.manual_seed(1)
        m = PercepNet.from_config("golden").eval()
        ref = torch.nn.GRU(24, 24, batch_first=True)
        with torch.no_grad():
            ref.weight_ih_l0.copy_(m.gru2.weight_ih)
            ref.weight_hh_l0.copy_(m.gru2.weight_hh)
            ref.bias_ih_l0.copy_(m.gru2.bias_ih)
            ref.bias_hh_l0.copy_(m.gru2.bias_hh)
            x = torch.randn(2, 7, 24)
            self.assertTrue(torch.allclose(m.gru2(x), ref(x)[0], atol=1e-6))

    def test_causal(self):
        """Outputs at step t depend only on features up to t (§8.2)."""
        torch.manual_seed(2)
        m = PercepNet.from_config("golden").eval()
        x = torch.randn(1, 30, 70)
        y = x.clone()
        y[0, 20:] += 5.0
        with torch.no_grad():
            a, b = m(x), m(y)
        self.assertTrue(torch.equal(a[0][0, :20], b[0][0, :20]))
        self.assertTrue(torch.equal(a[1][0, :20], b[1][0, :20]))
        self.assertFalse(torch.equal(a[0][0, 20:], b[0][0, 20:]))

    def test_weight_clipping(self):
        m = PercepNet.from_config("golden")
        with torch.no_grad():
            for p in m.parameters():
                p.mul_(10.0)
        fc_before = m.fc_in.weight.detach().clone()
        m.clip_weights()
        names = [n for n, _ in m.quantised_parameters()]
        self.assertEqual(len(names), 2 + 2 * 5)
        for n, p in m.quantised_parameters():
            self.assertLessEqual(float(p.abs().max()), 0.5, n)
            self.assertEqual(float(p.abs().max()), 0.5, n)
        # float layers and biases are not clipped (§8.5)
        self.assertTrue(torch.equal(m.fc_in.weight, fc_before))
        self.assertGreater(float(m.gru1.bias_ih.abs().max()), 0.5)

    def test_fake_quant_forward_and_ste(self):
        torch.manual_seed(3)
        m = PercepNet.from_config("golden").eval()
        x = torch.randn(1, 20, 70)
        dq = dequantised_state(m)
        mq = PercepNet.from_config("golden").eval()
        mq.load_state_dict(dict(m.state_dict(), **dq))
        with torch.no_grad():
            a = m(x, fake_quant=True)
            b = mq(x)
        self.assertLess(float((a[0] - b[0]).abs().max()), 1e-5)
        w = torch.randn(6, 10, requires_grad=True)
        fake_quant_ste(w).sum().backward()
        self.assertTrue(torch.equal(w.grad, torch.ones_like(w)))


if __name__ == "__main__":
    unittest.main()
