"""train/corpus.py on fixture repositories made here with git, and the mixing of a pinned corpus."""
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

import corpus  # noqa: E402
import mix  # noqa: E402
from common import FS, HOP, NBINS  # noqa: E402

HAVE_GIT = shutil.which("git") is not None


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", "-C", cwd] + list(args), check=True, capture_output=True, env=env).stdout.decode().strip()


def tone(freq, seconds, sr):
    t = np.arange(int(seconds * sr)) / sr
    return 0.3 * np.sin(2 * np.pi * freq * t)


@unittest.skipUnless(HAVE_GIT, "git not installed")
class FixtureRepoTest(unittest.TestCase):
    """A source repository with two speech files and one noise file, cloned bare."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        work = os.path.join(self.tmp, "work")
        os.makedirs(os.path.join(work, "wav", "spkA"))
        os.makedirs(os.path.join(work, "noise"))
        self.audio = {"wav/spkA/a1.wav": (tone(200, 1.0, 16000), 16000),
                      "wav/spkA/a2.wav": (tone(300, 0.8, 16000), 16000),
                      "noise/hum.wav": (tone(50, 1.5, 22050), 22050)}
        for rel, (x, sr) in self.audio.items():
            sf.write(os.path.join(work, rel), x, sr, subtype="PCM_16")
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "commit", "-q", "-m", "audio")
        self.commit = git(work, "rev-parse", "HEAD")
        self.clones = os.path.join(self.tmp, "clones")
        os.makedirs(self.clones)
        subprocess.run(["git", "clone", "-q", "--bare", work, os.path.join(self.clones, "someone+fixture.git")],
                       check=True, capture_output=True)
        self.sha = {rel: hashlib.sha256(open(os.path.join(work, rel), "rb").read()).hexdigest() for rel in self.audio}

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def sources(self, speech_rows=None, sha_override=None):
        lists = os.path.join(self.tmp, "lists")
        speech_rows = speech_rows or ["wav/spkA/a1.wav", "wav/spkA/a2.wav"]
        sha_override = sha_override or {}
        rows = [{"path": p, "sha256": sha_override.get(p, self.sha.get(p, "0" * 64)), "label": "spkA", "sex": "F",
                 "split": "train", "licence": ""} for p in speech_rows]
        corpus.write_list(os.path.join(lists, "speech.tsv"), rows)
        corpus.write_list(os.path.join(lists, "noise.tsv"),
                          [{"path": "noise/hum.wav", "sha256": self.sha["noise/hum.wav"], "label": "hum", "sex": "",
                            "split": "dev", "licence": "CC0"}])
        doc = {"sources": [
            {"id": "fxspeech", "kind": "speech", "repo": "https://example.org/someone/fixture", "commit": self.commit,
             "licence": "CC BY 4.0", "commercial": True, "bandwidth_hz": 8000, "list": "lists/speech.tsv"},
            {"id": "fxnoise", "kind": "noise", "repo": "https://example.org/someone/fixture", "commit": self.commit,
             "licence": "mixed", "commercial": False, "list": "lists/noise.tsv"}]}
        path = os.path.join(self.tmp, "sources.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        return corpus.load_sources(path)

    def test_build_decodes_every_listed_file_from_a_bare_clone(self):
        out = os.path.join(self.tmp, "out")
        rows = corpus.build(self.clones, out, self.sources(), log=lambda *_: None)
        self.assertEqual(len(rows), 3)
        with open(os.path.join(out, "manifest.csv"), newline="") as f:
            man = list(csv.DictReader(f))
        self.assertEqual(man[0].keys(), set(corpus.MANIFEST_FIELDS) | set(man[0].keys()))
        by_name = {os.path.basename(r["path"]): r for r in man}
        a1 = by_name["wav_spkA_a1.flac"]
        self.assertEqual((a1["kind"], a1["corpus"], a1["speaker_or_class"], a1["rate"], a1["licence"], a1["bandwidth_hz"]),
                         ("speech", "fxspeech", "spkA", "16000", "CC BY 4.0", "8000"))
        self.assertEqual(by_name["noise_hum.flac"]["licence"], "CC0")        # per-file licence wins
        x, sr = sf.read(os.path.join(out, a1["path"]))
        self.assertEqual(sr, 16000)
        # same samples as the source file, to 16-bit quantisation
        np.testing.assert_allclose(x, self.audio["wav/spkA/a1.wav"][0], atol=1.0 / 32768)

    def test_impulse_responses_take_the_named_channel_and_per_file_licences(self):
        """A B-format room response gives its omni channel W (not the mean with the X, Y, Z
        figure-of-eights); a folder rule's `licences` names each file's own licence; a short
        impulse response is kept where a short clip of sound would not be."""
        work = os.path.join(self.tmp, "irwork")
        os.makedirs(os.path.join(work, "ir"))
        rng = np.random.default_rng(3)
        w = np.clip(np.exp(-np.arange(4800) / 600.0) * rng.standard_normal(4800) * 0.2, -0.9, 0.9)
        bformat = np.stack([w, 0.3 * w[::-1], -0.2 * w, 0.1 * np.roll(w, 7)], axis=1)
        sf.write(os.path.join(work, "ir", "hall.wav"), bformat, 48000, subtype="FLOAT")
        sf.write(os.path.join(work, "ir", "booth.wav"), w, 48000, subtype="FLOAT")    # 100 ms
        sf.write(os.path.join(work, "ir", "nc_space.wav"), w, 48000, subtype="FLOAT")
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "commit", "-q", "-m", "irs")
        commit = git(work, "rev-parse", "HEAD")
        subprocess.run(["git", "clone", "-q", "--bare", work, os.path.join(self.clones, "someone+irs.git")],
                       check=True, capture_output=True)
        src = {"id": "fxir", "kind": "rir", "repo": "https://example.org/someone/irs", "commit": commit,
               "licence": "per file", "commercial": True, "channel": 0,
               "list_path": os.path.join(self.tmp, "lists", "ir.tsv"),
               "select": {"kind": "folder", "folder": "ir/", "exclude": ["nc_space"],
                          "licences": {"hall": "CC BY 4.0 (hall)", "booth": "CC0 (booth)"}}}
        os.makedirs(os.path.dirname(src["list_path"]), exist_ok=True)
        corpus.select(self.clones, [src], log=lambda *_: None)
        rows = {r["label"]: r for r in corpus.read_list(src["list_path"])}
        self.assertEqual(sorted(rows), ["booth", "hall"])
        self.assertEqual((rows["hall"]["licence"], rows["booth"]["licence"]), ("CC BY 4.0 (hall)", "CC0 (booth)"))
        out = os.path.join(self.tmp, "irout")
        man = {r["speaker_or_class"]: r for r in corpus.build(self.clones, out, [src], log=lambda *_: None)}
        x, sr = sf.read(os.path.join(out, man["hall"]["path"]))
        np.testing.assert_allclose(x, w, atol=1.0 / 32768)
        self.assertEqual(man["hall"]["licence"], "CC BY 4.0 (hall)")
        with self.assertRaises(ValueError):
            corpus.decode(open(os.path.join(work, "ir", "hall.wav"), "rb").read(), 4)

    def test_checksum_mismatch_stops_with_the_file_named_and_writes_nothing_for_it(self):
        out = os.path.join(self.tmp, "out")
        bad = {"wav/spkA/a2.wav": "f" * 64}
        with self.assertRaises(corpus.CorpusError) as cm:
            corpus.build(self.clones, out, self.sources(sha_override=bad), log=lambda *_: None)
        self.assertIn("checksum mismatch", str(cm.exception))
        self.assertIn("wav/spkA/a2.wav", str(cm.exception))
        self.assertFalse(os.path.exists(os.path.join(out, "speech/fxspeech/spkA/wav_spkA_a2.flac")))
        self.assertFalse(os.path.exists(os.path.join(out, "manifest.csv")))

    def test_missing_file_stops_with_a_clear_error(self):
        with self.assertRaises(corpus.CorpusError) as cm:
            corpus.build(self.clones, os.path.join(self.tmp, "out"),
                         self.sources(speech_rows=["wav/spkA/a1.wav", "wav/spkA/gone.wav"]), log=lambda *_: None)
        self.assertIn("wav/spkA/gone.wav is missing", str(cm.exception))

    def test_missing_clone_and_missing_commit_are_reported(self):
        srcs = self.sources()
        with self.assertRaises(corpus.CorpusError) as cm:
            corpus.build(os.path.join(self.tmp, "nowhere"), os.path.join(self.tmp, "out"), srcs, log=lambda *_: None)
        self.assertIn("no clone of https://example.org/someone/fixture", str(cm.exception))
        srcs[0]["commit"] = "1" * 40
        with self.assertRaises(corpus.CorpusError) as cm:
            corpus.build(self.clones, os.path.join(self.tmp, "out"), srcs, log=lambda *_: None)
        self.assertIn("commit 1111", str(cm.exception))

    def test_command_line_exits_with_one_line(self):
        self.sources(sha_override={"wav/spkA/a1.wav": "e" * 64})
        with self.assertRaises(SystemExit) as cm:
            corpus.main(["build", "--clones", self.clones, "--out", os.path.join(self.tmp, "o"),
                         "--sources", os.path.join(self.tmp, "sources.json")])
        msg = str(cm.exception.code)
        self.assertTrue(msg.startswith("corpus.py: fxspeech: checksum mismatch"), msg)
        self.assertNotIn("\n", msg)

    def test_committed_lists_are_well_formed(self):
        for s in corpus.load_sources():
            rows = corpus.read_list(s["list_path"])
            self.assertTrue(rows, s["id"])
            self.assertRegex(s["commit"], "^[0-9a-f]{40}$")
            for r in rows:
                self.assertRegex(r["sha256"], "^[0-9a-f]{64}$")
                self.assertIn(r["split"], ("train", "val", "dev"))
            if s["kind"] == "speech":
                # split by speaker, never by file
                splits = {}
                for r in rows:
                    splits.setdefault(r["label"], set()).add(r["split"])
                self.assertTrue(all(len(v) == 1 for v in splits.values()), s["id"])


class BandLimitedMixingTest(unittest.TestCase):
    """Speech recorded at 16 or 22.05 kHz has nothing above 8 or 11.025 kHz: the targets there
    must be masked, which the mixer does by capping k_lp (docs/design.md §8.4 step 6) at the bandwidth."""

    def material(self, tmp, corpus_id, rate, bandwidth, fullband_input=False):
        rows = []
        for i, spk in enumerate(["s1", "s2"]):
            rel = "speech/%s/%s/u.flac" % (corpus_id, spk)
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            # white noise at the source rate: full band up to rate/2, nothing above
            sf.write(os.path.join(tmp, rel), 0.1 * np.random.default_rng(i).standard_normal(2 * rate), rate)
            rows.append({"path": rel, "split": "train", "kind": "speech", "corpus": corpus_id,
                         "speaker_or_class": spk, "sex": "", "rate": rate, "seconds": 2.0, "licence": "",
                         "bandwidth_hz": bandwidth})
        with open(os.path.join(tmp, "manifest.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=corpus.MANIFEST_FIELDS)
            w.writeheader()
            w.writerows(rows)
        split = {"train": {"speech": {}, "noise": [], "rir": []}, "val": {"speech": {}, "noise": [], "rir": []}}
        mix.add_corpus_split(split, mix.load_corpus_manifest(tmp))
        return mix.Material(tmp, split, "train", fullband_input=fullband_input)

    def check(self, rate, bandwidth, cap_bin):
        with tempfile.TemporaryDirectory() as tmp:
            mat = self.material(tmp, "fx%d" % rate, rate, bandwidth)
            rng = np.random.default_rng(7)
            seen = []
            for _ in range(40):
                y, x, k_lp, meta = mix.build_sequence(rng, mat, 100)
                self.assertLessEqual(k_lp, cap_bin)
                seen.append(k_lp)
                if not meta["no_speech"]:
                    # the clean target has (almost) no energy 1 kHz above the cap (resampler transition band)
                    spec = np.abs(np.fft.rfft(x[:len(x) // 960 * 960].reshape(-1, 960) * np.hanning(960), axis=1)) ** 2
                    above = spec[:, cap_bin + 20:].sum() / (spec.sum() + 1e-20)
                    self.assertLess(above, 1e-3)
            self.assertEqual(max(seen), cap_bin)       # the cap is reached, not just respected

    def test_16khz_speech_caps_k_lp_at_8khz(self):
        self.check(16000, 8000, 160)

    def test_22khz_speech_caps_k_lp_at_11khz(self):
        self.check(22050, 11025, 220)

    def test_fullband_input_masks_only_the_targets_above_the_speech_bandwidth(self):
        # All speech band-limited (the commercially usable corpora): the input must still be fullband
        # noise in some sequences, or the network never sees what it meets at run time.
        with tempfile.TemporaryDirectory() as tmp:
            mat = self.material(tmp, "fx16000", 16000, 8000, fullband_input=True)
            rng = np.random.default_rng(3)
            fullband_with_speech = 0
            for _ in range(60):
                y, x, k_lp, meta = mix.build_sequence(rng, mat, 100)
                if meta["no_speech"]:
                    self.assertEqual(meta["k_mask"], NBINS)
                    continue
                self.assertLessEqual(meta["k_mask"], 160)
                self.assertEqual(meta["k_mask"], min(k_lp, 160))
                if k_lp == NBINS:
                    # The features CLI low-passes input and target at k_lp: here it leaves the input
                    # fullband, while the target, which has nothing above the speech's bandwidth, is masked there.
                    fullband_with_speech += 1
                    frames = np.abs(np.fft.rfft(x[:len(x) // 960 * 960].reshape(-1, 960) * np.hanning(960), axis=1)) ** 2
                    self.assertLess(frames[:, 180:].sum(), 1e-3 * frames.sum())
            self.assertGreater(fullband_with_speech, 5)

    def test_fullband_input_writes_the_mask_bin_into_the_features_list(self):
        with tempfile.TemporaryDirectory() as tmp:
            mat = self.material(tmp, "fx16000", 16000, 8000, fullband_input=True)
            out = os.path.join(tmp, "shards")
            os.makedirs(out)
            mix.make_shard(mat, out, 0, 6, 100, 11, fake=True, keep_wavs=True)
            with open(os.path.join(out, "shard_00000", "list.tsv")) as f:
                rows = [line.rstrip("\n").split("\t") for line in f]
            info = json.load(open(os.path.join(out, "shard_00000.json")))
            for row, meta in zip(rows, info["sequences"]):
                if meta["k_mask"] < NBINS:
                    self.assertEqual(len(row), 5)
                    self.assertEqual(int(row[4]), meta["k_mask"])
                else:
                    self.assertEqual(len(row), 4)
            self.assertTrue(any(len(r) == 5 for r in rows))

    def test_corpus_speech_takes_its_share_beside_the_shared_corpora(self):
        split = {"train": {"speech": {"ravdess": ["a"], "ljspeech": ["b"], "speechocean762": ["c"], "saa": ["d"]},
                           "noise": [], "rir": []}, "val": {"speech": {}, "noise": [], "rir": []}}
        w = mix.Material("/", split, "train").corpus_weights
        self.assertAlmostEqual(sum(w.values()), 1.0)
        self.assertAlmostEqual(w["speechocean762"] + w["saa"], mix.CORPUS_SPEECH_SHARE)
        self.assertAlmostEqual(w["ravdess"] / w["ljspeech"], 0.50 / 0.35)


if __name__ == "__main__":
    unittest.main()


class CommercialOnlyTest(unittest.TestCase):
    """`mix.py --commercial-only` keeps only files whose licence allows a commercial network."""

    def test_licence_texts_of_the_sources(self):
        allowed = ["CC0", "CC0 1.0", "CC BY 3.0", "CC BY-SA", "Public Domain", "ODbL 1.0 / DbCL 1.0",
                   "Creative Commons Attribution",
                   "CC BY 4.0 (free for commercial and non-commercial use, per the corpus README)",
                   "Voxengo terms: royalty-free for any purpose including commercial; no redistribution for profit"]
        refused = ["CC BY-NC 3.0", "CC BY-NC-SA 4.0", "CC BY-NC-SA 2.0 (Speech Accent Archive terms)",
                   "research and study only (repository README)", "research use (EMOVO terms; no open licence stated)",
                   "undocumented for the sounds (repository GPL-3.0)",
                   "Pixabay Content License or CC0 (per-file not stated upstream)", "", "mixed"]
        for text in allowed:
            self.assertTrue(mix.commercial_use_allowed(text), text)
        for text in refused:
            self.assertFalse(mix.commercial_use_allowed(text), text)

    def test_per_file_rule_agrees_with_each_sources_commercial_flag(self):
        # sources.json states per source whether commercial use is allowed; ESC-50 mixes licences
        # per clip, so only its CC0 / CC BY clips may pass. A file without its own licence has the
        # source's, as in the built manifest.
        for s in corpus.load_sources():
            verdicts = {mix.commercial_use_allowed(r["licence"] or s["licence"])
                        for r in corpus.read_list(s["list_path"])}
            if s["id"] == "esc50":
                self.assertEqual(verdicts, {True, False})
            else:
                self.assertEqual(verdicts, {s["commercial"]}, s["id"])

    def test_split_of_the_shared_folder_keeps_no_non_commercial_file(self):
        rows = mix.load_manifest()
        split = mix.make_split(mix.commercial_rows(rows))
        kept = [p for part in ("train", "val") for v in split[part]["speech"].values() for p in v]
        kept += [p for part in ("train", "val") for p in split[part]["noise"] + split[part]["rir"]]
        licence = {r["path"]: r["licence"] for r in rows}
        self.assertTrue(kept)
        for p in kept:
            self.assertNotIn("ravdess", p)
            self.assertNotIn("moodist", p)
            self.assertTrue(mix.commercial_use_allowed(licence[p]), p)
        self.assertEqual(sorted(split["train"]["speech"]), ["ljspeech", "vcc2020"])
        self.assertEqual(split["train"]["noise"], [])

    def test_commercial_mix_gives_the_corpus_its_larger_share(self):
        split = {"train": {"speech": {"ljspeech": ["b"], "vcc2020": ["v"], "speechocean762": ["c"]},
                           "noise": [], "rir": []}, "val": {"speech": {}, "noise": [], "rir": []}}
        w = mix.Material("/", split, "train", mix.COMMERCIAL_SPEECH_SHARE).corpus_weights
        self.assertAlmostEqual(sum(w.values()), 1.0)
        self.assertAlmostEqual(w["speechocean762"], mix.COMMERCIAL_SPEECH_SHARE)
        self.assertAlmostEqual(w["ljspeech"] / w["vcc2020"], 0.35 / 0.15)
