"""Unit tests of the optional PESQ-WB and DNSMOS metrics (scripts/extra_metrics.py) and of how
eval_quality.py and sweep_dev.py show them. Neither tool is needed: the tests write fake ones.

    /usr/bin/python3 -m unittest discover -s scripts/tests
"""
import contextlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import numpy as np
import soundfile as sf

SCRIPTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCRIPTS))
import extra_metrics as em  # noqa: E402
import eval_quality as eq  # noqa: E402
import sweep_dev as sd  # noqa: E402

RATE = 48000


def sine(freq, seconds, rate=RATE, amp=0.3):
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def write_exe(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="pnfx-test-"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class PesqParsingTests(unittest.TestCase):
    def test_wideband_line(self):
        out = "\nPerceptual Evaluation of Speech Quality (PESQ)\n\n\nP.862.2 Prediction (MOS-LQO):  = 1.083\n"
        self.assertEqual(em.parse_pesq_output(out), 1.083)

    def test_narrowband_line_gives_the_mos_lqo(self):
        out = "P.862 Prediction (Raw MOS, MOS-LQO):  = 1.969\t1.607\n"
        self.assertEqual(em.parse_pesq_output(out), 1.607)

    def test_last_wideband_line_wins_and_other_lines_are_ignored(self):
        out = ("Reading reference file ref.wav...\nLevel normalization = 12.5\n"
               "P.862.2 Prediction (MOS-LQO):  = 2.000\nP.862.2 Prediction (MOS-LQO):  = 3.456\ndone\n")
        self.assertEqual(em.parse_pesq_output(out), 3.456)

    def test_a_plain_last_score_line(self):
        self.assertEqual(em.parse_pesq_output("PESQ_MOS = 2.5\n"), 2.5)

    def test_error_output_and_empty_output_are_errors(self):
        with self.assertRaises(em.MetricError):
            em.parse_pesq_output("An error of type -7  (No utterances!\n) occurred during processing.\n")
        with self.assertRaises(em.MetricError):
            em.parse_pesq_output("")


class ResamplingTests(TempDirTest):
    def test_a_1khz_sine_stays_at_1khz_after_48_to_16_khz(self):
        x = sine(1000, 1.0, amp=0.5)
        y = em.resample(x, RATE, 16000)
        self.assertEqual(len(y), 16000)
        # 1 s at 16 kHz: FFT bins are 1 Hz apart, so the peak bin is the frequency in Hz.
        self.assertEqual(int(np.argmax(np.abs(np.fft.rfft(y)))), 1000)
        # Away from the filter's edge transients, the closed form sin(2 pi 1000 n / 16000).
        n = np.arange(16000)
        ref = 0.5 * np.sin(2 * np.pi * 1000 * n / 16000)
        self.assertLess(float(np.max(np.abs(y[200:-200] - ref[200:-200]))), 2e-3)

    def test_same_rate_is_untouched_and_other_rates_use_the_reduced_ratio(self):
        x = sine(440, 0.1, rate=16000)
        np.testing.assert_array_equal(em.resample(x, 16000, 16000), x)
        self.assertEqual(len(em.resample(sine(440, 1.0, rate=44100), 44100, 16000)), 16000)

    def test_pcm16_writer_scales_down_what_would_clip(self):
        p = self.dir / "loud.wav"
        em.write_pcm16(p, np.array([0.0, 2.0, -1.0]), 16000)
        y, rate = sf.read(str(p))
        self.assertEqual((rate, sf.info(str(p)).subtype), (16000, "PCM_16"))
        self.assertAlmostEqual(float(np.max(np.abs(y))), 32767 / 32768, places=4)
        self.assertAlmostEqual(y[2], -0.5, places=3)


class EnvironmentTests(TempDirTest):
    def test_unset_or_empty_is_off(self):
        self.assertIsNone(em.pesq_binary({}))
        self.assertIsNone(em.pesq_binary({em.PESQ_ENV: "  "}))
        self.assertIsNone(em.dnsmos_model({}))
        self.assertFalse(em.Extras.from_env(environ={}).enabled)

    def test_missing_file_is_a_one_line_setup_error(self):
        missing = self.dir / "nope" / "pesq"
        with self.assertRaises(em.SetupError) as cm:
            em.pesq_binary({em.PESQ_ENV: str(missing)})
        self.assertIn("no such file", str(cm.exception))
        self.assertIn(str(missing), str(cm.exception))
        self.assertNotIn("\n", str(cm.exception))
        with self.assertRaises(em.SetupError):
            em.dnsmos_model({em.DNSMOS_ENV: str(self.dir / "sig_bak_ovr.onnx")})

    def test_non_executable_file_and_folder_are_setup_errors(self):
        f = self.dir / "pesq"
        f.write_text("not a program")
        f.chmod(0o644)
        for p in (f, self.dir):
            with self.assertRaises(em.SetupError) as cm:
                em.pesq_binary({em.PESQ_ENV: str(p)})
            self.assertIn("not an executable file", str(cm.exception))

    def test_an_executable_is_taken(self):
        exe = write_exe(self.dir / "pesq", "#!/bin/sh\nexit 0\n")
        self.assertEqual(em.pesq_binary({em.PESQ_ENV: str(exe)}), exe.resolve())


class PesqInvocationTests(TempDirTest):
    """A fake binary that keeps its arguments and input files and prints a P.862.2 line whose
    score is the reference file's length in seconds (so each pair's own call is recognisable)."""

    def setUp(self):
        super().setUp()
        self.log = self.dir / "log"
        self.log.mkdir()
        self.fake = write_exe(self.dir / "fake-pesq", f"""
            #!/bin/sh
            d=$(mktemp -d {self.log}/callXXXXXX)
            echo "$@" > $d/args
            cp "$3" $d/ref.wav
            cp "$4" $d/deg.wav
            /usr/bin/python3 -c "import soundfile as sf; print('')
            print('P.862.2 Prediction (MOS-LQO):  = %.3f' % sf.info('$3').duration)"
            """)

    def pair(self, name, seconds):
        c, e = self.dir / f"{name}_clean.wav", self.dir / f"{name}_out.wav"
        sf.write(str(c), sine(1000, seconds).astype(np.float32), RATE, subtype="FLOAT")
        sf.write(str(e), (0.5 * sine(1000, seconds)).astype(np.float32), RATE, subtype="FLOAT")
        return c, e

    def test_the_binary_gets_16khz_16bit_wavs_in_wideband_mode(self):
        c, e = self.pair("a", 1.5)
        self.assertAlmostEqual(em.pesq_wb(self.fake, c, e), 1.5)
        (call,) = list(self.log.iterdir())
        self.assertEqual((call / "args").read_text().split(), ["+16000", "+wb", "ref.wav", "deg.wav"])
        for name, amp in (("ref.wav", 0.3), ("deg.wav", 0.15)):
            info = sf.info(str(call / name))
            self.assertEqual((info.samplerate, info.channels, info.subtype, info.frames), (16000, 1, "PCM_16", 24000))
            y, _ = sf.read(str(call / name))
            self.assertAlmostEqual(float(np.max(np.abs(y[1000:-1000]))), amp, places=3)

    def test_pairs_run_side_by_side_and_are_keyed_by_the_output(self):
        pairs = [self.pair(f"p{i}", 1.0 + 0.25 * i) for i in range(5)]
        got = em.pesq_pairs(self.fake, pairs, jobs=2)
        self.assertEqual(got, {str(e): 1.0 + 0.25 * i for i, (_, e) in enumerate(pairs)})
        self.assertEqual(len(list(self.log.iterdir())), 5)

    def test_a_failing_binary_is_an_error_naming_the_file(self):
        bad = write_exe(self.dir / "bad-pesq", """
            #!/bin/sh
            echo "An error of type -7  (No utterances!) occurred during processing."
            exit 1
            """)
        c, e = self.pair("b", 1.0)
        with self.assertRaises(em.MetricError) as cm:
            em.pesq_wb(bad, c, e)
        self.assertIn(str(e), str(cm.exception))
        self.assertIn("No utterances", str(cm.exception))

    def test_extras_give_pesq_and_no_dnsmos(self):
        c, e = self.pair("x", 2.0)
        with contextlib.redirect_stderr(io.StringIO()):
            got = em.Extras(pesq=self.fake).score([(c, e)])
        self.assertEqual(got, {str(e): (2.0, None, None, None)})


    def test_cached_scores_are_reused_and_a_changed_file_or_tool_is_rescored(self):
        a, b = self.pair("a", 1.0), self.pair("b", 2.0)
        cache = self.dir / "cache"
        calls = lambda: len(list(self.log.iterdir()))
        with contextlib.redirect_stderr(io.StringIO()):
            first = em.Extras(pesq=self.fake, cache=cache).score([a, b])
            self.assertEqual(calls(), 2)
            again = em.Extras(pesq=self.fake, cache=cache).score([b, a])
            self.assertEqual(calls(), 2)                    # both from the cache
            self.assertEqual(again, first)
            sf.write(str(a[0]), sine(1000, 1.5).astype(np.float32), RATE, subtype="FLOAT")
            changed = em.Extras(pesq=self.fake, cache=cache).score([a, b])
            self.assertEqual(calls(), 3)                    # only the pair whose clean file changed
            self.assertAlmostEqual(changed[str(a[1])][0], 1.5)
            other = write_exe(self.dir / "other-pesq", self.fake.read_text() + "\n")
            em.Extras(pesq=other, cache=cache).score([a, b])
            self.assertEqual(calls(), 5)                    # another binary: everything again
        (cache / "pesq-wb.jsonl").write_text("not json\n")
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(em.Extras(pesq=self.fake, cache=cache).score([b]), {str(b[1]): (2.0, None, None, None)})
        self.assertEqual(calls(), 6)


class DnsmosTests(TempDirTest):
    def test_windows_follow_the_reference_runner(self):
        fs = em.DNSMOS_RATE
        # 3 s: doubled to 6 s, then 12 s; int(12 - 9.01) + 1 = 3 windows, 1 s apart.
        x = np.arange(3 * fs, dtype=np.float64)
        w = em.dnsmos_windows(x)
        self.assertEqual(w.shape, (3, 144160))
        self.assertEqual(w.dtype, np.float32)
        doubled = np.tile(x, 4)
        for k in range(3):
            np.testing.assert_array_equal(w[k], doubled[k * fs: k * fs + 144160].astype(np.float32))
        self.assertEqual(em.dnsmos_windows(np.zeros(10 * fs)).shape[0], 1)       # int(0.99) + 1
        self.assertEqual(em.dnsmos_windows(np.zeros(12 * fs + 8000)).shape[0], 3)

    def test_windows_whose_end_rounds_short_are_skipped_as_in_the_reference(self):
        # int((i + 9.01) * 16000) - i * 16000 is 144159 for i = 7: the reference runner drops it.
        w = em.dnsmos_windows(np.zeros(17 * em.DNSMOS_RATE))
        self.assertEqual(w.shape[0], 7)   # int(17 - 9.01) + 1 = 8 starts (0..7), start 7 dropped

    def test_empty_signal_is_an_error(self):
        with self.assertRaises(em.MetricError):
            em.dnsmos_windows(np.zeros(0))

    def test_polynomial_mapping_and_mean_over_windows(self):
        raw = [(3.0, 4.0, 2.5), (1.0, 2.0, 3.5)]
        sig, bak, ovr = em.dnsmos_map(raw)

        def p(c, x):
            return c[0] * x * x + c[1] * x + c[2]
        self.assertAlmostEqual(sig, (p(em.DNSMOS_POLY_SIG, 3.0) + p(em.DNSMOS_POLY_SIG, 1.0)) / 2, places=12)
        self.assertAlmostEqual(bak, (p(em.DNSMOS_POLY_BAK, 4.0) + p(em.DNSMOS_POLY_BAK, 2.0)) / 2, places=12)
        self.assertAlmostEqual(ovr, (p(em.DNSMOS_POLY_OVRL, 2.5) + p(em.DNSMOS_POLY_OVRL, 3.5)) / 2, places=12)
        # The published fit: raw 3.0 -> -0.08397278 * 9 + 1.22083953 * 3 + 0.0052439.
        self.assertAlmostEqual(em.dnsmos_map([(3.0, 3.0, 3.0)])[0], 2.91200747, places=7)

    def test_runner_output_parsing(self):
        got = em.parse_dnsmos_runner("/t/0.f32\t0\t3\t4\t2.5\n/t/0.f32\t1\t1\t2\t3.5\n\n/t/1.f32\t0\t1\t1\t1\n")
        self.assertEqual(got, {"/t/0.f32": [(3.0, 4.0, 2.5), (1.0, 2.0, 3.5)], "/t/1.f32": [(1.0, 1.0, 1.0)]})
        for bad in ("/t/0.f32\t0\t3\t4\n", "/t/0.f32\t1\t3\t4\t5\n"):
            with self.assertRaises(em.MetricError):
                em.parse_dnsmos_runner(bad)

    def test_files_through_a_fake_runner(self):
        # The fake runner checks the window files and prints raw scores (rms * 10, 2, 3) per window.
        runner = write_exe(self.dir / "runner", """
            #!/usr/bin/python3
            import sys
            import numpy as np
            for f in open(sys.argv[-1]).read().split():
                w = np.fromfile(f, dtype="<f4").reshape(-1, 144160)
                for k, x in enumerate(w):
                    print("%s\\t%d\\t%r\\t2\\t3" % (f, k, float(np.sqrt(np.mean(x.astype(float) ** 2))) * 10))
            """)
        paths = []
        for i, amp in enumerate((0.1, 0.2, 0.3)):
            p = self.dir / f"out{i}.wav"
            sf.write(str(p), sine(1000, 3.0, amp=amp).astype(np.float32), RATE, subtype="FLOAT")
            paths.append(p)
        old = em.DNSMOS_BATCH_FILES
        em.DNSMOS_BATCH_FILES = 2          # two batches, run side by side
        try:
            got = em.dnsmos_files(Path("unused.onnx"), paths, jobs=2, cmd=[str(runner)])
        finally:
            em.DNSMOS_BATCH_FILES = old
        for p, amp in zip(paths, (0.1, 0.2, 0.3)):
            rms10 = amp / np.sqrt(2) * 10
            want = em.dnsmos_map([(rms10, 2.0, 3.0)])
            np.testing.assert_allclose(got[str(p)], want, rtol=2e-3)

    @unittest.skipIf(shutil.which("node") is None, "node not installed")
    def test_node_runner_reports_a_missing_model_clearly(self):
        lst = self.dir / "list.txt"
        lst.write_text("")
        env = {k: v for k, v in os.environ.items() if k != em.DNSMOS_ENV}
        r = subprocess.run(["node", str(SCRIPTS / "dnsmos.mjs"), str(lst)], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no model", r.stderr)


class OutputTests(unittest.TestCase):
    """Tables with and without the optional metrics."""

    def records(self, extras: bool):
        def t(a, b, c, pesq, sig):
            return (a, b, c, 0) + ((pesq, sig, sig + 0.5, sig - 0.5) if extras else ())
        return [{"snr": -5, "noisy": t(0.0, 0.5, -2.0, 1.1, 2.0), "int8": t(3.0, 0.6, 1.0, 1.5, 3.0),
                 "rnnoise": t(2.0, 0.7, 0.0, 1.3, 2.5)},   # int8 vs rnnoise: SI-SDR loses, the rest win
                {"snr": 0, "noisy": t(5.0, 0.9, 4.0, 1.9, 2.2), "int8": t(8.0, 0.9, 6.0, 2.5, 3.2),
                 "rnnoise": t(10.0, 0.7, 5.0, 2.4, 3.3)}]

    def fake_run(self, extras: bool):
        mixtures = [dict(name="v00_snr-5", utt=0, speaker="actor23", speech="a/actor23/x.flac", noise="n/rain.flac",
                         offset=0, snr=-5, gain_db=0.0, seconds=2.0),
                    dict(name="v00_snr+0", utt=0, speaker="actor23", speech="a/actor23/x.flac", noise="n/rain.flac",
                         offset=0, snr=0, gain_db=0.0, seconds=2.0)]
        rec = self.records(extras)
        vrec = [{"snr": r["snr"], "noisy": r["noisy"], "model": r["int8"], "oracle": r["rnnoise"]} for r in rec]
        dsys = [("noisy", "noisy input"), ("int8", "PercepNetFx int8"), ("rnnoise", "RNNoise 0.1.1")]
        label = dict(name="m", version="1", config="tiny", steps=1, epochs=1, saved="s", exported="e", sha256="abc")
        return eq.report(label, "model", "cmd", (mixtures, vrec), ([{}, {}], rec, dsys, {"rnnoise": 0.02}), False)

    def test_without_extras_the_tables_are_the_three_metrics(self):
        lines = self.fake_run(extras=False)
        tables = [ln for ln in lines if ln.startswith("|")]
        self.assertFalse(any("PESQ" in ln or "DNSMOS" in ln for ln in tables))
        self.assertEqual([ln for ln in lines if ln.startswith("### ")][:3], ["### SI-SDR (dB)", "### STOI", "### segSNR (dB)"])
        self.assertEqual(len([ln for ln in lines if ln.startswith("### ")]), 4)   # + Tools
        head = next(ln for ln in lines if ln.startswith("| SNR | n |"))
        self.assertEqual(head, "| SNR | n | SI-SDR noisy | SI-SDR model | SI-SDR oracle | STOI noisy | STOI model |"
                               " STOI oracle | segSNR noisy | segSNR model | segSNR oracle |")
        text = "\n".join(lines)
        self.assertIn("set\n`PERCEPNETFX_PESQ` to the binary", text)
        self.assertIn("Overall, PercepNetFx int8 vs RNNoise 0.1.1: SI-SDR (dB) loses, STOI **wins**, segSNR (dB) **wins**.", text)

    def test_with_extras_every_table_has_them(self):
        lines = self.fake_run(extras=True)
        heads = [ln for ln in lines if ln.startswith("### ")]
        self.assertEqual(heads[:7], ["### SI-SDR (dB)", "### STOI", "### segSNR (dB)", "### PESQ-WB", "### DNSMOS SIG",
                                     "### DNSMOS BAK", "### DNSMOS OVRL"])
        i = lines.index("### PESQ-WB")
        self.assertEqual(lines[i + 2], "| system | -5 dB | +0 dB | overall |")
        self.assertEqual(lines[i + 5], "| PercepNetFx int8 | 1.50 | 2.50 | 2.00 |")
        self.assertEqual(lines[i + 7], "| wins vs RNNoise 0.1.1 | **yes** (+0.20) | **yes** (+0.10) | **yes** (+0.15) |")
        head = next(ln for ln in lines if ln.startswith("| SNR | n |"))
        self.assertIn("| PESQ-WB noisy | PESQ-WB model | PESQ-WB oracle | DNSMOS SIG noisy |", head)
        overall = next(ln for ln in lines if ln.startswith("| overall | 2 |"))
        self.assertEqual(len(overall.split("|")) - 2, 2 + 7 * 3)
        text = "\n".join(lines)
        self.assertIn("`$PERCEPNETFX_PESQ +16000 +wb`", text)
        self.assertNotIn("not measured in this run", text)

    def test_aggregate_keeps_the_three_metrics_and_count_and_adds_the_extras(self):
        agg = eq.aggregate(self.records(True), ["int8"])
        self.assertEqual(agg["int8"]["all"][:4], (5.5, 0.75, 3.5, 2))
        np.testing.assert_allclose(agg["int8"]["all"][4:], (2.0, 3.1, 3.6, 2.6))
        self.assertEqual(len(eq.aggregate(self.records(False), ["int8"])["int8"]["all"]), 4)

    def test_sweep_tables_unchanged_without_extras(self):
        snr = {"a": -5, "b": -5, "c": 0}
        res = {"noisy input": {Path("/d/a.wav"): (1.0, 0.5, 2.0), Path("/d/b.wav"): (2.0, 0.6, 3.0),
                               Path("/d/c.wav"): (6.0, 0.9, 7.0)}}
        want = ("\nSI-SDR (dB)\n| setting | -5 dB | +0 dB | overall |\n|---|---:|---:|---:|\n"
                "| noisy input | 1.50 | 6.00 | 3.00 |\n"
                "\nSTOI\n| setting | -5 dB | +0 dB | overall |\n|---|---:|---:|---:|\n"
                "| noisy input | 0.550 | 0.900 | 0.667 |\n"
                "\nsegSNR (dB)\n| setting | -5 dB | +0 dB | overall |\n|---|---:|---:|---:|\n"
                "| noisy input | 2.50 | 7.00 | 4.00 |")
        self.assertEqual(sd.format_tables(res, snr), want)
        with_extra = {"x": {p: v + (None, 1.5 + i, 3.0, 3.5, 2.5) for i, (p, v) in enumerate(res["noisy input"].items())}}
        text = sd.format_tables(with_extra, snr)
        self.assertTrue(text.startswith(want.replace("noisy input", "x")))
        self.assertIn("\nPESQ-WB\n| setting | -5 dB | +0 dB | overall |\n|---|---:|---:|---:|\n| x | 2.00 | 3.50 | 2.50 |",
                      text)
        self.assertIn("\nDNSMOS OVRL\n", text)


class ScriptErrorTests(TempDirTest):
    """The scripts stop with one line, before any work, when a variable names an unusable tool."""

    def run_script(self, name, env_extra):
        env = {k: v for k, v in os.environ.items() if k not in (em.PESQ_ENV, em.DNSMOS_ENV)}
        env.update(env_extra)
        return subprocess.run([sys.executable, str(SCRIPTS / name), "--devset", str(self.dir)],
                              capture_output=True, text=True, env=env, timeout=120)

    def test_missing_pesq_binary(self):
        for script, prefix in (("sweep_dev.py", "sweep_dev: "), ("eval_quality.py", "eval_quality: ")):
            r = self.run_script(script, {em.PESQ_ENV: str(self.dir / "missing-pesq")})
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
            self.assertTrue(r.stderr.startswith(prefix + em.PESQ_ENV + "="), r.stderr)
            self.assertIn("no such file", r.stderr)

    def test_non_executable_pesq_binary(self):
        f = self.dir / "pesq"
        f.write_text("")
        f.chmod(0o644)
        r = self.run_script("sweep_dev.py", {em.PESQ_ENV: str(f)})
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(), f"sweep_dev: {em.PESQ_ENV}={f}: not an executable file")


if __name__ == "__main__":
    unittest.main()


class SpeechAndNoiseLevelsTest(unittest.TestCase):
    """sweep_dev's level rules against closed forms on synthetic speech with silent gaps."""

    def setUp(self):
        rng = np.random.default_rng(5)
        self.clean = np.concatenate([sine(200, 0.5), np.zeros(RATE // 2), sine(300, 0.5), np.zeros(RATE // 2)])
        self.noise = 0.01 * rng.standard_normal(len(self.clean))
        self.noisy = self.clean + self.noise

    def test_half_amplitude_speech_reads_minus_6_dB(self):
        speech, _ = sd.speech_and_noise_levels(self.clean, self.noisy, 0.5 * self.clean + self.noise)
        self.assertAlmostEqual(speech, 20 * np.log10(0.5), delta=0.05)

    def test_noise_scaled_by_a_tenth_in_the_gaps_reads_20_dB_removed(self):
        _, removed = sd.speech_and_noise_levels(self.clean, self.noisy, self.clean + 0.1 * self.noise)
        self.assertAlmostEqual(removed, 20.0, delta=0.01)

    def test_speech_without_gaps_has_no_noise_figure(self):
        tone = sine(250, 1.0)
        _, removed = sd.speech_and_noise_levels(tone, tone, tone)
        self.assertTrue(np.isnan(removed))

    def test_level_table_averages_per_snr(self):
        text = sd.level_table({"x": {"a": (-1.0, 10.0), "b": (-3.0, float("nan")), "c": (0.0, 4.0)}},
                              {"a": 0, "b": 0, "c": 5})
        self.assertIn("| x | -2.0 | 0.0 | -1.3 |", text)
        self.assertIn("| x | 10.0 | 4.0 | 7.0 |", text)
