"""train/common.py: the helpers every Python program shares."""
import math
import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402

import common  # noqa: E402


class ScoreParsingTest(unittest.TestCase):
    def test_one_result(self):
        out = "SI-SDR 8.12 dB  STOI 0.851  segSNR -5.02 dB  lag -3 samples\n"
        self.assertEqual(common.parse_score(out), (8.12, 0.851, -5.02, -3))
        with self.assertRaises(ValueError):
            common.parse_score("nothing")

    def test_list(self):
        out = ("/a b/e1.wav\tSI-SDR 1.5 dB  STOI 0.5  segSNR 2 dB  lag 0 samples\n\n"
               "e2.wav\tSI-SDR -0.25 dB  STOI 0.75  segSNR -1 dB  lag 12 samples\n")
        self.assertEqual(common.parse_score_list(out),
                         {"/a b/e1.wav": (1.5, 0.5, 2.0, 0), "e2.wav": (-0.25, 0.75, -1.0, 12)})
        with self.assertRaises(ValueError):
            common.parse_score_list("e.wav\tSI-SDR 3 dB\n")


class CliTest(unittest.TestCase):
    def test_env_prefix_wins(self):
        with mock.patch.dict(os.environ, {"PERCEPNETFX_CLI": "dotnet '/x y/percepnetfx.dll'"}):
            self.assertEqual(common.cli_command(), ["dotnet", "/x y/percepnetfx.dll"])
            self.assertIsNone(common.require_cli())

    def test_errors_name_the_command(self):
        with mock.patch.dict(os.environ, {"PERCEPNETFX_CLI": "sh -c 'echo bad >&2; exit 3' --"}):
            with self.assertRaises(common.CliError) as e:
                common.run_cli(["score", "--list", "x.tsv"])
            self.assertIn("percepnetfx score --list x.tsv failed (3): bad", str(e.exception))
        with mock.patch.dict(os.environ, {"PERCEPNETFX_CLI": "echo"}):
            self.assertEqual(common.run_cli(["info", 5]), "info 5\n")


class DataRootTest(unittest.TestCase):
    def test_env_override(self):
        with mock.patch.dict(os.environ, {"PERCEPNETFX_DATA": "/some/where"}):
            self.assertEqual(common.data_root(), "/some/where")


class LevelTest(unittest.TestCase):
    def test_active_level_ignores_silence_and_quiet_frames(self):
        fs = common.FS
        t = np.arange(fs) / fs
        x = 0.5 * np.sin(2 * math.pi * 1000 * t)
        x[fs // 2:] = 0.0                           # half silent: plain RMS is 3 dB lower
        x[fs // 4: fs // 4 + 4800] *= 1e-3          # 100 ms at -60 dB: outside the 40 dB range
        self.assertAlmostEqual(common.active_level(x), 0.5 / math.sqrt(2), places=4)
        self.assertLess(common.rms(x), 0.5 / math.sqrt(2) / math.sqrt(2) + 1e-3)

    def test_partial_last_frame_left_out(self):
        x = np.concatenate([np.full(480, 0.1), np.full(100, 0.9)])
        self.assertAlmostEqual(common.active_level(x), 0.1, places=12)


class ResampleTest(unittest.TestCase):
    def test_same_rate_is_untouched(self):
        x = np.arange(10.0)
        self.assertIs(common.resample(x, 48000, 48000), x)

    def test_ratio_and_tone(self):
        rate = 44100
        t = np.arange(rate) / rate
        y = common.to_48k(np.sin(2 * math.pi * 440 * t), rate)
        self.assertEqual(len(y), 48000)
        ref = np.sin(2 * math.pi * 440 * np.arange(48000) / 48000)
        self.assertLess(np.max(np.abs(y[2000:-2000] - ref[2000:-2000])), 1e-3)


if __name__ == "__main__":
    unittest.main()
