"""safetensors writer/reader round trip, manual header parse, model export (§8.5 tensors)."""
import json
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402
import torch  # noqa: E402

import safetensors_io as st  # noqa: E402
from export import load_model, save_model, verify  # noqa: E402
from model import PercepNet, dequantise_q8  # noqa: E402

torch.set_num_threads(1)


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_round_trip_and_manual_header(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
        b = np.array([-127, 0, 5, 127], dtype=np.int8)
        c = np.array([1.0], dtype=np.float32)
        path = os.path.join(self.tmp.name, "x.safetensors")
        st.save_file({"a": a, "b.q8": b, "c": c}, path, {"name": "test", "config": '{"D": 1}'})
        with open(path, "rb") as fh:
            raw = fh.read()
        n = struct.unpack("<Q", raw[:8])[0]
        self.assertEqual(n, int.from_bytes(raw[:8], "little"))
        self.assertEqual((8 + n) % 8, 0)                          # data section 8-byte aligned
        hdr_text = raw[8:8 + n].decode("utf-8")
        self.assertTrue(hdr_text.startswith("{"))
        hdr = json.loads(hdr_text)                                # trailing pad is spaces only
        self.assertEqual(hdr["__metadata__"], {"name": "test", "config": '{"D": 1}'})
        self.assertEqual(hdr["a"], {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]})
        self.assertEqual(hdr["b.q8"], {"dtype": "I8", "shape": [4], "data_offsets": [24, 28]})
        self.assertEqual(hdr["c"], {"dtype": "F32", "shape": [1], "data_offsets": [28, 32]})
        data = raw[8 + n:]
        self.assertEqual(len(data), 32)
        self.assertEqual(data[0:24], a.astype("<f4").tobytes())
        self.assertEqual(struct.unpack("<6f", data[0:24]), tuple(a.ravel().tolist()))
        self.assertEqual(struct.unpack("<4b", data[24:28]), (-127, 0, 5, 127))
        t, meta = st.load_file(path)
        self.assertEqual(meta["name"], "test")
        self.assertTrue(np.array_equal(t["a"], a) and t["a"].dtype == np.float32)
        self.assertTrue(np.array_equal(t["b.q8"], b) and t["b.q8"].dtype == np.int8)

    def test_corrupt_offsets_rejected(self):
        path = os.path.join(self.tmp.name, "y.safetensors")
        st.save_file({"a": np.zeros(4, np.float32)}, path)
        with open(path, "ab") as f:
            f.write(b"\0\0\0\0")
        with self.assertRaises(ValueError):
            st.load_file(path)

    def test_model_export(self):
        torch.manual_seed(0)
        m = PercepNet.from_config("golden").eval()
        with torch.no_grad():
            m.norm_mean.normal_()
            m.norm_std.uniform_(0.5, 2)
        path = os.path.join(self.tmp.name, "m.safetensors")
        save_model(m, path, "unit", "1.2.3", {"steps": 5})
        verify(m, path)
        m2, t, meta = load_model(path)
        cfg = json.loads(meta["config"])
        self.assertEqual((cfg["D"], cfg["C"], cfg["H"], cfg["R"], cfg["features"], cfg["bands"]),
                         (16, 24, 24, 8, 70, 34))
        self.assertEqual(meta["name"], "unit")
        self.assertEqual(meta["version"], "1.2.3")
        self.assertEqual(json.loads(meta["training"]), {"steps": 5})
        expect = ["fc_in.weight", "fc_in.bias", "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                  "fc_g.weight", "fc_g.bias", "fc_r.weight", "fc_r.bias", "norm.mean", "norm.std"]
        for g in ("gru1", "gru2", "gru3", "gru4", "gru_r"):
            expect += [g + ".weight_ih", g + ".weight_hh", g + ".bias_ih", g + ".bias_hh"]
            expect += [g + ".weight_ih.q8", g + ".weight_ih.q8scale", g + ".weight_hh.q8", g + ".weight_hh.q8scale"]
        expect += ["conv1.weight.q8", "conv1.weight.q8scale", "conv2.weight.q8", "conv2.weight.q8scale"]
        self.assertEqual(sorted(t), sorted(expect))
        self.assertEqual(t["conv1.weight"].shape, (24, 16, 5))
        self.assertEqual(t["gru1.weight_ih"].shape, (72, 24))
        self.assertEqual(t["gru_r.weight_ih"].shape, (24, 48))
        self.assertEqual(t["conv1.weight.q8"].dtype, np.int8)
        self.assertEqual(t["conv1.weight.q8"].shape, (24, 16, 5))
        self.assertEqual(t["conv1.weight.q8scale"].shape, (24,))
        self.assertTrue(np.array_equal(t["norm.mean"], m.norm_mean.numpy()))
        dq = dequantise_q8(t["gru3.weight_hh.q8"], t["gru3.weight_hh.q8scale"])
        self.assertLess(float(np.abs(dq - t["gru3.weight_hh"]).max()), float(t["gru3.weight_hh.q8scale"].max()))
        x = torch.randn(1, 12, 70)
        with torch.no_grad():
            self.assertTrue(torch.equal(m(x)[0], m2(x)[0]))


if __name__ == "__main__":
    unittest.main()
