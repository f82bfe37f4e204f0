#!/usr/bin/python3
"""Train the PercepNet network (docs/design.md §8.1-§8.3, §8.5 clipping) on packed shards.

Data: <data>/train/shard_*.{features,gains,strengths}.npy (+ .json marker) and
optionally <data>/val/... as written by mix.py. Features are un-normalised;
the mean/std over the training features are computed once at the start and
stored in the model (buffers norm_mean / norm_std), the checkpoints and the
exported file.

Run folder <runs>/<name>/: last.pt (resume point), best.pt (best validation
loss), log.csv, args.json.

    /usr/bin/python3 train/train.py --run tiny1 --config tiny
    /usr/bin/python3 train/train.py --run tiny1 --resume          # after an interruption
    /usr/bin/python3 train/train.py --run tiny1q --config tiny --init-from train/runs/tiny1/best.pt --qat
"""
import argparse
import csv
import glob
import json
import math
import os
import random
import shutil
import sys
import time

import numpy as np
import torch

from common import NB, NF, TRAIN_DIR
from model import CONFIGS, PercepNet, count_parameters, widen_into

GAMMA = 0.5      # §8.3
C4 = 10.0        # §8.3
EPS = 1e-7       # §8.3 numerical guards
FORMAT_VERSION = 1

# Arguments that may be changed when resuming (they do not change the maths).
RESUME_OVERRIDABLE = ("max_steps", "max_epochs", "time_limit", "threads", "ckpt_minutes",
                      "patience", "log_every")


# ---------------------------------------------------------------------------
# loss, §8.3
# ---------------------------------------------------------------------------

def loss_terms(g_hat, r_hat, g, r, gamma=GAMMA, c4=C4, under=0.0):
    """Unnormalised loss sums and mask counts of §8.3 over all given entries.

    Targets < 0 are masked (§6.5). Returns (sum_g, n_g, sum_r, n_r) with
    sum_g = sum m^g w (e_g^2 + C4 e_g^4), e_g = g^gamma - (g_hat + 1e-7)^gamma and
    sum_r = sum m^r ((1 - r)^gamma - max(1 - r_hat, 1e-7)^gamma)^2.
    w = 1 + under where the gain is under-estimated (e_g > 0), else 1; under = 0 is the paper's
    loss. The minimiser of the compressed error is (E[g^gamma])^(1/gamma), below E[g] wherever the
    target is uncertain, so the paper's loss turns speech down on unfamiliar input; under > 0
    makes an under-estimate cost more than the same over-estimate (docs/decisions.md).
    """
    mg = (g >= 0).to(g_hat.dtype)
    mr = (r >= 0).to(r_hat.dtype)
    gt = g.clamp(0.0, 1.0)         # masked entries (-1) must not produce NaN * 0
    rt = r.clamp(0.0, 1.0)
    e_g = gt.pow(gamma) - (g_hat + EPS).pow(gamma)
    w = 1.0 + under * (e_g > 0).to(g_hat.dtype) if under else 1.0
    sum_g = (mg * w * (e_g.pow(2) + c4 * e_g.pow(4))).sum()
    e_r = (1.0 - rt).pow(gamma) - torch.clamp(1.0 - r_hat, min=EPS).pow(gamma)
    sum_r = (mr * e_r.pow(2)).sum()
    return sum_g, mg.sum(), sum_r, mr.sum()


def combine(sum_g, n_g, sum_r, n_r):
    """L = L_g / max(1, sum m^g) + L_r / max(1, sum m^r); returns (L, L_g part, L_r part)."""
    lg = sum_g / max(1.0, float(n_g))
    lr = sum_r / max(1.0, float(n_r))
    return lg + lr, lg, lr


def percep_loss(g_hat, r_hat, g, r):
    """§8.3 loss of one batch; the sums run over all sequences, steps and bands."""
    return combine(*loss_terms(g_hat, r_hat, g, r))[0]


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

class ShardSet:
    """All finished shards of one subset, memory-mapped."""

    def __init__(self, folder):
        self.folder = folder
        self.shards = []
        for marker in sorted(glob.glob(os.path.join(folder, "shard_*.json"))):
            base = marker[:-len(".json")]
            with open(marker) as f:
                info = json.load(f)
            arrs = [np.load(base + ".%s.npy" % k, mmap_mode="r") for k in ("features", "gains", "strengths")]
            if arrs[0].shape[2] != NF or arrs[1].shape[2] != NB or arrs[2].shape[2] != NB:
                raise ValueError("bad shapes in " + base)
            self.shards.append((arrs, info))
        self.index = [(s, i) for s, (arrs, _) in enumerate(self.shards) for i in range(arrs[0].shape[0])]

    def __len__(self):
        return len(self.index)

    def frames(self, k):
        s, _ = self.index[k]
        return self.shards[s][0][0].shape[1]

    def get(self, k, start=0, length=None):
        s, i = self.index[k]
        f, g, r = self.shards[s][0]
        end = f.shape[1] if length is None else start + length
        return (np.asarray(f[i, start:end], dtype=np.float32), np.asarray(g[i, start:end], dtype=np.float32),
                np.asarray(r[i, start:end], dtype=np.float32))

    def summary(self):
        n_frames = sum(a[0].shape[0] * a[0].shape[1] for a, _ in self.shards)
        fake = any(info.get("fake_features") for _, info in self.shards)
        return {"shards": len(self.shards), "sequences": len(self), "frames": int(n_frames),
                "hours": round(n_frames * 0.01 / 3600.0, 3), "fake_features": bool(fake)}

    def feature_stats(self):
        """Per-feature mean and standard deviation over every training frame (§5)."""
        n, s1, s2 = 0, np.zeros(NF), np.zeros(NF)
        for (f, _, _), _ in self.shards:
            for i in range(f.shape[0]):
                x = np.asarray(f[i], dtype=np.float64)
                n += x.shape[0]
                s1 += x.sum(0)
                s2 += (x * x).sum(0)
        mean = s1 / max(n, 1)
        std = np.sqrt(np.maximum(s2 / max(n, 1) - mean * mean, 0.0))
        return mean.astype(np.float32), np.maximum(std, 1e-2).astype(np.float32)


def epoch_plan(ds, epoch, seq_len, batch, seed):
    """Deterministic list of batches for an epoch: every sequence is cut into
    non-overlapping crops of seq_len frames at a random phase, then shuffled."""
    rng = np.random.default_rng([seed, epoch])
    crops = []
    for k in range(len(ds)):
        T = ds.frames(k)
        if seq_len >= T:
            crops.append((k, 0, T))
            continue
        phase = int(rng.integers(0, seq_len)) if T >= 2 * seq_len else int(rng.integers(0, T - seq_len + 1))
        st = phase
        while st + seq_len <= T:
            crops.append((k, st, seq_len))
            st += seq_len
    order = rng.permutation(len(crops))
    crops = [crops[i] for i in order]
    return [crops[i:i + batch] for i in range(0, len(crops), batch)]


def make_batch(ds, items):
    L = min(ln for _, _, ln in items)
    fs, gs, rs = zip(*(ds.get(k, st, L) for k, st, _ in items))
    return torch.from_numpy(np.stack(fs)), torch.from_numpy(np.stack(gs)), torch.from_numpy(np.stack(rs))


@torch.no_grad()
def evaluate(model, ds, batch, qat=False, under=0.0):
    """Validation loss over whole sequences (masked sums pooled over the whole set)."""
    model.eval()
    tot = [0.0, 0.0, 0.0, 0.0]
    for i in range(0, len(ds), batch):
        items = [(k, 0, ds.frames(k)) for k in range(i, min(i + batch, len(ds)))]
        f, g, r = make_batch(ds, items)
        gh, rh = model(f, fake_quant=qat)
        for j, v in enumerate(loss_terms(gh, rh, g, r, under=under)):
            tot[j] += float(v)
    model.train()
    return combine(*tot)


# ---------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------

def rng_states():
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}


def set_rng_states(s):
    torch.set_rng_state(s["torch"])
    np.random.set_state(s["numpy"])
    random.setstate(s["python"])


def save_checkpoint(path, model, opt, sched, st, args, data_summary):
    """Atomic write of everything needed to resume exactly."""
    ck = {"format_version": FORMAT_VERSION, "model": model.state_dict(), "config": model.cfg,
          "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "state": dict(st),
          "rng": rng_states(), "args": vars(args), "data_summary": data_summary,
          "saved": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = path + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, path)


def load_checkpoint(path):
    return torch.load(path, map_location="cpu")


LOG_FIELDS = ["kind", "epoch", "step", "elapsed_s", "lr", "loss", "loss_g", "loss_r",
              "val_loss", "val_loss_g", "val_loss_r"]


def truncate_log(path, step):
    """On resume, drop log rows written after the checkpoint (they will be redone)."""
    if not os.path.isfile(path):
        return
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r["step"]) <= step]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=LOG_FIELDS)
        w.writeheader()
        w.writerows(rows)


def log_row(path, **kw):
    new = not os.path.isfile(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=LOG_FIELDS)
        if new:
            w.writeheader()
        w.writerow({k: kw.get(k, "") for k in LOG_FIELDS})


# ---------------------------------------------------------------------------

def build_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="run name; folder <runs>/<run>")
    ap.add_argument("--runs", default=os.path.join(TRAIN_DIR, "runs"))
    ap.add_argument("--data", default=os.path.join(TRAIN_DIR, "cache"), help="cache root with train/ and val/")
    ap.add_argument("--config", default="tiny", choices=sorted(CONFIGS))
    ap.add_argument("--resume", action="store_true", help="continue <run>/last.pt exactly")
    ap.add_argument("--keep-epochs", action="store_true", help="also keep <run>/epochNNN.pt after every epoch")
    ap.add_argument("--init-from", help="start from these weights (and norm), fresh optimiser (fine-tuning); "
                    "a narrower network of the same D is grown into --config (model.widen_into)")
    ap.add_argument("--qat", action="store_true", help="quantisation-aware training: fake int8 weights (§8.5)")
    ap.add_argument("--batch", type=int, default=32, help="sequences per batch")
    ap.add_argument("--seq-len", type=int, default=1000, help="frames per training crop")
    ap.add_argument("--val-batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-decay", type=float, default=5e-5, help="lr / (1 + decay * step)")
    ap.add_argument("--beta1", type=float, default=0.8)
    ap.add_argument("--beta2", type=float, default=0.98)
    ap.add_argument("--under-weight", type=float, default=0.0,
                    help="extra weight of gain under-estimates in the loss (0 = the paper's loss)")
    ap.add_argument("--weight-decay", type=float, default=0.01, help="AdamW decoupled weight decay")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default 2)")
    ap.add_argument("--ckpt-minutes", type=float, default=None, help="checkpoint interval (default 10)")
    ap.add_argument("--patience", type=int, default=None, help="early stopping epochs (default 10)")
    ap.add_argument("--max-epochs", type=int, default=None, help="default 1000")
    ap.add_argument("--max-steps", type=int, default=None, help="stop (with checkpoint) at this step")
    ap.add_argument("--time-limit", type=float, default=None, help="stop (with checkpoint) after N minutes")
    ap.add_argument("--log-every", type=int, default=None, help="log a training row every N steps (default 10)")
    return ap.parse_args(argv)


DEFAULTS = {"threads": 2, "ckpt_minutes": 10.0, "patience": 10, "max_epochs": 1000, "max_steps": None,
            "time_limit": None, "log_every": 10}


def main(argv=None):
    args = build_args(argv)
    run_dir = os.path.join(args.runs, args.run)
    last, best, log = (os.path.join(run_dir, n) for n in ("last.pt", "best.pt", "log.csv"))
    ck = None
    if args.resume:
        if not os.path.isfile(last):
            sys.exit("nothing to resume: %s" % last)
        ck = load_checkpoint(last)
        given = {k: getattr(args, k) for k in RESUME_OVERRIDABLE}
        stored = dict(ck["args"])
        stored.update({k: v for k, v in given.items() if v is not None})
        stored["resume"] = True
        args = argparse.Namespace(**stored)
    elif os.path.isfile(last):
        sys.exit("%s exists: use --resume, or another --run name" % last)
    for k, v in DEFAULTS.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    torch.set_num_threads(args.threads)
    os.makedirs(run_dir, exist_ok=True)

    train_ds = ShardSet(os.path.join(args.data, "train"))
    val_ds = ShardSet(os.path.join(args.data, "val"))
    if len(train_ds) == 0:
        sys.exit("no training shards in %s/train (run mix.py first)" % args.data)
    data_summary = {"train": train_ds.summary(), "val": val_ds.summary()}

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    model = PercepNet.from_config(args.config)
    if ck is None:
        if args.init_from:
            if args.init_from.endswith(".safetensors"):     # a shipped model (export.py's format)
                from export import load_model
                src = load_model(args.init_from)[0]
            else:
                ck_src = load_checkpoint(args.init_from)
                src = PercepNet.from_config(ck_src["config"])
                src.load_state_dict(ck_src["model"])
            if src.cfg == model.cfg:
                model.load_state_dict(src.state_dict())     # includes norm_mean / norm_std
            else:                                           # a narrower network grown into this one
                try:
                    widen_into(src, model)
                except ValueError as e:
                    sys.exit("--init-from has config %s, which cannot grow into %s: %s" % (src.cfg, model.cfg, e))
                print("grown from config %s" % (src.cfg,), flush=True)
        else:
            mean, std = train_ds.feature_stats()
            model.norm_mean.copy_(torch.from_numpy(mean))
            model.norm_std.copy_(torch.from_numpy(std))
        model.clip_weights()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(args.beta1, args.beta2),
                            weight_decay=args.weight_decay)
    decay = args.lr_decay
    under = getattr(args, "under_weight", 0.0)   # checkpoints from before the option have none
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0 / (1.0 + decay * step))
    st = {"step": 0, "epoch": 0, "batch": 0, "best_val": math.inf, "best_epoch": -1, "bad_epochs": 0,
          "elapsed_s": 0.0, "done": False}
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        st.update(ck["state"])
        set_rng_states(ck["rng"])
        truncate_log(log, st["step"])
        print("resumed at epoch %d batch %d step %d" % (st["epoch"], st["batch"], st["step"]), flush=True)
    else:
        with open(os.path.join(run_dir, "args.json"), "w") as f:
            json.dump(vars(args), f, indent=1)
        print("model %s: %d parameters; data %s" % (args.config, count_parameters(model), data_summary),
              flush=True)
    if not len(val_ds):
        print("warning: no validation shards; early stopping disabled", flush=True)

    t_start = time.time()
    elapsed0 = st["elapsed_s"]
    t_ckpt = time.time()

    def save(path=last):
        st["elapsed_s"] = elapsed0 + time.time() - t_start
        save_checkpoint(path, model, opt, sched, st, args, data_summary)

    def time_up():
        return args.time_limit is not None and time.time() - t_start > 60.0 * args.time_limit

    model.train()
    while not st["done"] and st["epoch"] < args.max_epochs:
        plan = epoch_plan(train_ds, st["epoch"], args.seq_len, args.batch, args.seed)
        while st["batch"] < len(plan):
            if (args.max_steps is not None and st["step"] >= args.max_steps) or time_up():
                save()
                print("stopped at step %d (limit); resume with --resume" % st["step"], flush=True)
                return model
            f, g, r = make_batch(train_ds, plan[st["batch"]])
            gh, rh = model(f, fake_quant=args.qat)
            loss, lg, lr_ = combine(*loss_terms(gh, rh, g, r, under=under))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            model.clip_weights()                      # §8.3 / §8.5: after every step
            st["step"] += 1
            st["batch"] += 1
            if st["step"] % args.log_every == 0 or st["step"] == 1:
                log_row(log, kind="step", epoch=st["epoch"], step=st["step"],
                        elapsed_s="%.1f" % (elapsed0 + time.time() - t_start),
                        lr="%.6g" % sched.get_last_lr()[0], loss="%.6f" % float(loss),
                        loss_g="%.6f" % float(lg), loss_r="%.6f" % float(lr_))
                print("epoch %d step %d loss %.5f (g %.5f r %.5f)" % (st["epoch"], st["step"], float(loss),
                                                                     float(lg), float(lr_)), flush=True)
            if st["batch"] < len(plan) and time.time() - t_ckpt > 60.0 * args.ckpt_minutes:
                save()
                t_ckpt = time.time()
        # end of epoch: validation, early stopping, checkpoints
        row = dict(kind="epoch", epoch=st["epoch"], step=st["step"],
                   elapsed_s="%.1f" % (elapsed0 + time.time() - t_start), lr="%.6g" % sched.get_last_lr()[0])
        improved = False
        if len(val_ds):
            vl, vg, vr = evaluate(model, val_ds, args.val_batch, args.qat, under)
            row.update(val_loss="%.6f" % vl, val_loss_g="%.6f" % vg, val_loss_r="%.6f" % vr)
            print("epoch %d done: val loss %.5f (g %.5f r %.5f)" % (st["epoch"], vl, vg, vr), flush=True)
            if vl < st["best_val"]:
                st["best_val"], st["best_epoch"], st["bad_epochs"], improved = vl, st["epoch"], 0, True
            else:
                st["bad_epochs"] += 1
                if st["bad_epochs"] >= args.patience:
                    st["done"] = True
                    print("early stopping: no improvement for %d epochs" % args.patience, flush=True)
        log_row(log, **row)
        st["epoch"] += 1
        st["batch"] = 0
        if improved or not len(val_ds):
            save(best)
        save()
        if args.keep_epochs:      # every epoch's weights, for choosing a checkpoint on dev sets
            shutil.copyfile(last, os.path.join(run_dir, "epoch%03d.pt" % (st["epoch"] - 1)))
        t_ckpt = time.time()
    save()
    print("finished: best val %.5f at epoch %d" % (st["best_val"], st["best_epoch"]), flush=True)
    return model


if __name__ == "__main__":
    main()
