"""Unit tests of the pure parts of scripts/eval_quality.py (no CLI, no data folder).

    /usr/bin/python3 -m unittest discover -s scripts/tests
"""
import json
import math
import os
import struct
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import eval_quality as eq  # noqa: E402
import oracle_table as ot  # noqa: E402


def db(x):
    return 20 * math.log10(x)


class MixingTests(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(7)
        n = eq.RATE * 2
        # Speech-like: a tone that is on for the first half only, so the active level (loud frames)
        # differs from the plain RMS by about 3 dB; the test sees whether the active level is used.
        t = np.arange(n) / eq.RATE
        self.speech = 0.3 * np.sin(2 * np.pi * 220 * t) * (t < 1.0)
        self.noise = rng.standard_normal(n)

    def test_speech_active_level_and_snr_are_exact_without_peak_limit(self):
        for snr in (-5, 0, 5, 10, 15):
            clean, noisy, g = eq.mix_at_snr(self.speech, self.noise, snr, peak_limit=1e9)
            self.assertEqual(g, 1.0)
            self.assertAlmostEqual(db(ot.active_level(clean)), eq.SPEECH_LEVEL_DBFS, places=6)
            noise = noisy - clean
            self.assertAlmostEqual(db(ot.active_level(clean)) - db(ot.rms(noise)), snr, places=6)

    def test_peak_limit_scales_clean_and_noisy_together_and_keeps_the_snr(self):
        clean, noisy, g = eq.mix_at_snr(self.speech, self.noise, -5, speech_dbfs=-6.0)
        self.assertLess(g, 1.0)
        self.assertAlmostEqual(float(np.max(np.abs(noisy))), ot.PEAK_LIMIT, places=9)
        self.assertAlmostEqual(db(ot.active_level(clean)), -6.0 + db(g), places=6)
        self.assertAlmostEqual(db(ot.active_level(clean)) - db(ot.rms(noisy - clean)), -5, places=6)

    def test_mismatched_lengths_and_silence_are_errors(self):
        with self.assertRaises(ValueError):
            eq.mix_at_snr(self.speech, self.noise[:-1], 0)
        with self.assertRaises(ValueError):
            eq.scale_to_rms(np.zeros(100), -20)


class ParsingTests(unittest.TestCase):
    def test_score_list_lines_are_keyed_by_the_enhanced_path(self):
        text = ("/a/x y.wav\tSI-SDR 3.25 dB  STOI 0.8123  segSNR -1.50 dB  lag 0 samples\n"
                "\n"
                "/b/z.wav\tSI-SDR -Infinity dB  STOI 0.1000  segSNR 35.00 dB  lag -12 samples\n")
        r = eq.parse_score_list(text)
        self.assertEqual(r["/a/x y.wav"], (3.25, 0.8123, -1.5, 0))
        self.assertEqual(r["/b/z.wav"][0], -math.inf)
        self.assertEqual(r["/b/z.wav"][3], -12)

    def test_unparseable_score_line_is_an_error(self):
        with self.assertRaises(ValueError):
            eq.parse_score_list("SI-SDR 3 dB  STOI 0.8\n")

    def test_peer_total_rtf(self):
        out = ("rnnoise  a.wav -> b.wav  float32 48000 Hz x1  2.15 s  proc 0.081 s  RTF 0.0377 (engine 0.0377, resample 0.0001)\n"
               "total 96 files, 261.50 s audio, proc 6.869 s, RTF 0.0263\n")
        self.assertEqual(eq.parse_peer_rtf(out), 0.0263)
        self.assertIsNone(eq.parse_peer_rtf("nothing here"))

    def test_model_label_reads_the_training_metadata(self):
        meta = {"name": "m", "version": "1.2.3", "exported": "x",
                "training": json.dumps({"steps": 1234, "config_name": "small", "epochs": 5, "saved": "t"})}
        header = json.dumps({"__metadata__": meta}).encode()
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.safetensors")
            with open(p, "wb") as f:
                f.write(struct.pack("<Q", len(header)) + header)
            lab = eq.model_label(Path(p))
        self.assertEqual((lab["name"], lab["version"], lab["steps"], lab["config"], lab["epochs"]),
                         ("m", "1.2.3", 1234, "small", 5))
        self.assertEqual(len(lab["sha256"]), 12)


class AggregationTests(unittest.TestCase):
    def setUp(self):
        # Two mixtures at -5 dB, one at 0 dB: "all" must weigh by mixture, not average the SNR means.
        self.records = [
            {"snr": -5, "noisy": (0.0, 0.5, -2.0, 0), "ours": (3.0, 0.6, 1.0, 0), "ref": (2.0, 0.7, 0.0, 0)},
            {"snr": -5, "noisy": (2.0, 0.7, 0.0, 0), "ours": (5.0, 0.8, 3.0, 0), "ref": (4.0, 0.7, 4.0, 0)},
            {"snr": 0, "noisy": (5.0, 0.9, 4.0, 0), "ours": (8.0, 0.9, 6.0, 0), "ref": (9.0, 0.8, 5.0, 0)},
        ]
        self.agg = eq.aggregate(self.records, ["noisy", "ours", "ref"])

    def test_means_per_snr_and_overall(self):
        self.assertEqual(list(self.agg["ours"].keys()), [-5, 0, "all"])
        np.testing.assert_allclose(self.agg["ours"][-5][:3], (4.0, 0.7, 2.0))
        self.assertEqual(self.agg["ours"][-5][3], 2)
        np.testing.assert_allclose(self.agg["ours"]["all"][:3], (16 / 3, 2.3 / 3, 10 / 3))
        self.assertEqual(self.agg["ours"]["all"][3], 3)

    def test_wins_are_differences_of_the_means(self):
        w = eq.wins(self.agg, "ours", "ref", 0)
        self.assertAlmostEqual(w[-5], 1.0)
        self.assertAlmostEqual(w[0], -1.0)
        self.assertAlmostEqual(w["all"], 16 / 3 - 5.0)

    def test_metric_table_has_a_row_per_system_and_a_wins_row(self):
        systems = [("noisy", "noisy input"), ("ours", "Ours"), ("ref", "Ref")]
        lines = eq.metric_table(self.agg, systems, 2, "{:.2f}", "ours", "ref")
        self.assertEqual(lines[0], "| system | -5 dB | +0 dB | overall |")
        self.assertEqual(len(lines), 2 + 3 + 1)
        self.assertEqual(lines[3], "| Ours | 2.00 | 6.00 | 3.33 |")
        # segSNR: ours 2.00 vs ref 2.00 at -5 dB is a tie, not a win.
        self.assertEqual(lines[5], "| wins vs Ref | no (+0.00) | **yes** (+1.00) | **yes** (+0.33) |")

    def test_val_table_has_a_row_per_snr_and_overall(self):
        lines = eq.val_table(self.agg, [("noisy", "noisy"), ("ours", "model")])
        self.assertEqual(len(lines), 2 + 3)
        self.assertTrue(lines[0].startswith("| SNR | n | SI-SDR noisy | SI-SDR model | STOI noisy |"))
        self.assertEqual(lines[-1], "| overall | 3 | 2.33 | 5.33 | 0.700 | 0.767 | 0.67 | 3.33 |")


if __name__ == "__main__":
    unittest.main()
