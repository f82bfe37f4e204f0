"""train.py: exact resume after interruption, clipping after every step, normalisation stats."""
import contextlib
import csv
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import numpy as np  # noqa: E402
import torch  # noqa: E402

import train  # noqa: E402


def write_fake_shard(folder, shard, S=3, T=60, seed=0):
    """A packed shard like mix.py writes, with random contents (test data)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng([seed, shard])
    f = (rng.standard_normal((S, T, 70)) * 2 + 3).astype(np.float32)
    g = rng.random((S, T, 34)).astype(np.float32)
    r = rng.random((S, T, 34)).astype(np.float32)
    g[rng.random(g.shape) < 0.2] = -1
    r[rng.random(r.shape) < 0.5] = -1
    base = os.path.join(folder, "shard_%05d" % shard)
    np.save(base + ".features.npy", f)
    np.save(base + ".gains.npy", g)
    np.save(base + ".strengths.npy", r)
    with open(base + ".json", "w") as fh:
        json.dump({"shard": shard, "fake_features": True, "sequences": []}, fh)
    return f


def run(argv):
    with contextlib.redirect_stdout(io.StringIO()):
        return train.main(argv)


class TrainTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data = os.path.join(self.tmp.name, "cache")
        self.feats = [write_fake_shard(os.path.join(self.data, "train"), i) for i in range(2)]
        write_fake_shard(os.path.join(self.data, "val"), 0, S=2, seed=9)
        self.runs = os.path.join(self.tmp.name, "runs")
        self.common = ["--runs", self.runs, "--data", self.data, "--config", "golden", "--batch", "2",
                       "--seq-len", "25", "--threads", "1", "--log-every", "1"]

    def tearDown(self):
        self.tmp.cleanup()

    def test_exact_resume(self):
        # 6 batches per epoch (6 sequences x 2 crops / 2): interrupt mid-epoch and across epochs
        ref = run(["--run", "a", "--max-steps", "9"] + self.common)
        run(["--run", "b", "--max-steps", "4"] + self.common)
        run(["--run", "b", "--runs", self.runs, "--resume", "--max-steps", "7"])
        res = run(["--run", "b", "--runs", self.runs, "--resume", "--max-steps", "9"])
        for (k, v), (_, w) in zip(ref.state_dict().items(), res.state_dict().items()):
            self.assertTrue(torch.equal(v, w), k)
        ca = torch.load(os.path.join(self.runs, "a", "last.pt"))
        cb = torch.load(os.path.join(self.runs, "b", "last.pt"))
        self.assertEqual(ca["state"]["step"], 9)
        self.assertEqual(cb["state"]["step"], 9)
        self.assertEqual(ca["state"]["epoch"], cb["state"]["epoch"])
        self.assertEqual(ca["state"]["best_val"], cb["state"]["best_val"])
        for sa, sb in zip(ca["optimizer"]["state"].values(), cb["optimizer"]["state"].values()):
            self.assertTrue(torch.equal(sa["exp_avg"], sb["exp_avg"]))
        self.assertEqual(ca["scheduler"]["last_epoch"], cb["scheduler"]["last_epoch"])
        # logs agree row for row (apart from timing)
        def rows(name):
            with open(os.path.join(self.runs, name, "log.csv")) as fh:
                return [(r["kind"], r["step"], r["loss"], r["val_loss"]) for r in csv.DictReader(fh)]
        self.assertEqual(rows("a"), rows("b"))
        self.assertGreaterEqual(sum(r[0] == "epoch" for r in rows("a")), 1)   # crossed an epoch end

    def test_refuses_to_overwrite(self):
        run(["--run", "c", "--max-steps", "1"] + self.common)
        with self.assertRaises(SystemExit):
            run(["--run", "c", "--max-steps", "2"] + self.common)

    def test_clipping_and_lr_schedule(self):
        m = run(["--run", "d", "--max-steps", "3", "--lr", "5.0"] + self.common)
        for n, p in m.quantised_parameters():
            self.assertLessEqual(float(p.abs().max()), 0.5, n)
        self.assertGreater(float(m.fc_in.weight.abs().max()), 0.5)     # float layers unclipped
        ck = torch.load(os.path.join(self.runs, "d", "last.pt"))
        lr = ck["optimizer"]["param_groups"][0]["lr"]
        self.assertAlmostEqual(lr, 5.0 / (1 + 5e-5 * 3), places=9)
        self.assertEqual(ck["optimizer"]["param_groups"][0]["betas"], (0.8, 0.98))

    def test_norm_stats_stored(self):
        m = run(["--run", "e", "--max-steps", "1"] + self.common)
        allf = np.concatenate([f.reshape(-1, 70) for f in self.feats]).astype(np.float64)
        self.assertTrue(np.allclose(m.norm_mean.numpy(), allf.mean(0), atol=1e-5))
        self.assertTrue(np.allclose(m.norm_std.numpy(), allf.std(0), atol=1e-5))

    def test_early_stopping_and_qat_finetune(self):
        run(["--run", "f", "--max-epochs", "2", "--patience", "1"] + self.common)
        ck = torch.load(os.path.join(self.runs, "f", "best.pt"))
        self.assertGreaterEqual(ck["state"]["best_epoch"], 0)
        m = run(["--run", "g", "--max-steps", "2", "--qat", "--init-from",
                 os.path.join(self.runs, "f", "best.pt")] + self.common)
        self.assertTrue(torch.equal(m.norm_mean, ck["model"]["norm_mean"]))

    def test_epoch_plan(self):
        ds = train.ShardSet(os.path.join(self.data, "train"))
        p1 = train.epoch_plan(ds, 0, 25, 2, seed=1)
        p2 = train.epoch_plan(ds, 0, 25, 2, seed=1)
        self.assertEqual(p1, p2)
        crops = [c for b in p1 for c in b]
        self.assertTrue(6 <= len(crops) <= 12)                 # 60 frames -> 1 or 2 crops (random phase)
        self.assertTrue(all(st + ln <= 60 and ln == 25 for _, st, ln in crops))
        self.assertNotEqual(p1, train.epoch_plan(ds, 1, 25, 2, seed=1))


if __name__ == "__main__":
    unittest.main()
