#!/usr/bin/python3
"""Golden test vectors for the C# inference engine (docs/design.md §8.1 "export a test
vector with the model", §8.5 quantised-vs-float check).

Writes into a folder (default models/golden/):
    golden.safetensors       a seeded random model of the tiny "golden" config
                             (D=16, C=24, H=24, R=8), same format as export.py
    features.npy             float32 [T,70] raw (un-normalised) features, T = 50
    gains.npy, strengths.npy float32 [T,34] float32 PyTorch outputs (C# float path: 1e-5)
    gains_q8w.npy, strengths_q8w.npy
                             outputs with the int8 weights dequantised (q8 * q8scale),
                             float activations (the C# "float32 reference path")
    gains_q8.npy, strengths_q8.npy
                             int8 weights AND int8 activations x_q = round(127 x) at the
                             inputs of conv1, conv2 and all GRU matrices (emulates the
                             C# integer kernels; GRU state arithmetic in float)
    golden.json              description, shapes and tolerances

    /usr/bin/python3 train/golden.py [--out models/golden]
    /usr/bin/python3 train/golden.py --shipped models/percepnetfx-v2.safetensors   # -> models/golden/percepnetfx-v2/
"""
import argparse
import hashlib
import json
import os

import numpy as np
import torch

from common import NB, NF, REPO_ROOT
from export import save_model, load_model
from model import PercepNet, dequantised_state, stream_forward

T_GOLDEN = 50


def golden_model(seed=1234):
    """Seeded model with weights large enough that every nonlinearity is exercised
    (PyTorch's default init is too timid for a meaningful test vector)."""
    g = torch.Generator().manual_seed(seed)
    m = PercepNet.from_config("golden")
    with torch.no_grad():
        for name, p in m.named_parameters():
            lim = 0.2 if name.endswith("bias") or "bias_" in name else 0.35
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * lim)
        m.clip_weights()
        mean, std = feature_ranges()
        m.norm_mean.copy_(torch.from_numpy(mean) + 0.1 * torch.randn(NF, generator=g))
        m.norm_std.copy_(torch.from_numpy(std) * (1 + 0.2 * torch.rand(NF, generator=g)))
    m.eval()
    return m


def feature_ranges():
    """Typical mean/std of the 70 features (§5): 34 log10 band energies, 34
    coherences, log2(T/240), pitch correlation."""
    mean = np.concatenate([np.full(34, -4.0), np.full(34, 0.25), [0.0], [0.4]]).astype(np.float32)
    std = np.concatenate([np.full(34, 1.5), np.full(34, 0.3), [0.8], [0.3]]).astype(np.float32)
    return mean, std


def golden_features(T=T_GOLDEN, seed=99):
    """Plausible raw features: smooth log energies, coherences in [0,1] (0 when
    unvoiced), pitch log-period in [-2, 1.68], correlation in [0, 1]."""
    rng = np.random.default_rng(seed)
    f = np.zeros((T, NF), dtype=np.float64)
    base = -4.0 + np.cumsum(rng.standard_normal(T)) * 0.3
    f[:, :34] = base[:, None] - np.linspace(0, 3, 34)[None, :] + 0.8 * rng.standard_normal((T, 34))
    voiced = rng.random(T) < 0.6
    f[:, 34:68] = np.where(voiced[:, None], rng.random((T, 34)), 0.0)
    f[:, 68] = np.clip(np.cumsum(rng.standard_normal(T)) * 0.1, -2.0, 1.68)
    f[:, 69] = np.where(voiced, rng.random(T), 0.0)
    return f.astype(np.float32)


def write_golden(out_dir, seed=1234):
    os.makedirs(out_dir, exist_ok=True)
    model = golden_model(seed)
    path = os.path.join(out_dir, "golden.safetensors")
    save_model(model, path, "golden", "test", {"note": "random seeded weights for C# golden tests, not trained"},
               timestamp=False)
    model, _, _ = load_model(path)            # outputs are computed from exactly the stored weights
    feats = golden_features()
    x = torch.from_numpy(feats)
    with torch.no_grad():
        g, r = model(x[None])
        dq = dequantised_state(model)
        mq = PercepNet.from_config("golden")
        mq.load_state_dict(dict(model.state_dict(), **dq))
        mq.eval()
        gw, rw = mq(x[None])
        gq, rq = stream_forward(model, x, weights=dq, quantise_activations=True)
    arrays = {"features": feats, "gains": g[0], "strengths": r[0], "gains_q8w": gw[0],
              "strengths_q8w": rw[0], "gains_q8": gq, "strengths_q8": rq}
    for k, v in arrays.items():
        np.save(os.path.join(out_dir, k + ".npy"), np.asarray(v, dtype=np.float32))
    desc = {"model": "golden.safetensors", "config": model.cfg, "frames": T_GOLDEN,
            "input": "features.npy: raw features [T,70]; the model applies norm.mean/norm.std itself",
            "float": "gains.npy / strengths.npy [T,34]: PyTorch float32, zero initial state; "
                     "C# float path must match to 1e-5",
            "q8w": "gains_q8w.npy / strengths_q8w.npy: dequantised int8 weights, float activations",
            "q8": "gains_q8.npy / strengths_q8.npy: int8 weights and int8 activations round(127x) "
                  "(round half to even) at conv1/conv2/GRU matrix inputs, GRU state update in "
                  "float (C# integer kernels); compare with ~1e-4",
            "max_abs_diff_q8_vs_float": float(max((gq - g[0]).abs().max(), (rq - r[0]).abs().max())),
            "spec_tolerance_q8_vs_float": 2e-2}
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(desc, f, indent=1)
    return desc


def write_shipped_golden(model_path, out_dir):
    """Vectors of a shipped model (models/NAME.safetensors) on the golden features: what the C#
    runner must give with the embedded copy of that model, float (1e-5) and int8 (1e-4)."""
    os.makedirs(out_dir, exist_ok=True)
    model, _, meta = load_model(model_path)
    feats = golden_features()
    x = torch.from_numpy(feats)
    with torch.no_grad():
        g, r = model(x[None])
        gq, rq = stream_forward(model, x, weights=dequantised_state(model), quantise_activations=True)
    arrays = {"features": feats, "gains": g[0], "strengths": r[0], "gains_q8": gq, "strengths_q8": rq}
    for k, v in arrays.items():
        np.save(os.path.join(out_dir, k + ".npy"), np.asarray(v, dtype=np.float32))
    with open(model_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    desc = {"model": meta["name"], "version": meta["version"], "sha256": digest, "frames": T_GOLDEN,
            "float": "gains.npy / strengths.npy: PyTorch float32 from the stored weights, zero initial state",
            "q8": "gains_q8.npy / strengths_q8.npy: int8 weights and activations as the C# integer kernels"}
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(desc, f, indent=1)
    return desc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "models", "golden"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--shipped", metavar="MODEL", help="vectors of a shipped model instead, into --out/<its name>/")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    if a.shipped:
        name = os.path.splitext(os.path.basename(a.shipped))[0]
        d = write_shipped_golden(a.shipped, os.path.join(a.out, name))
        print("golden vectors of %s %s in %s" % (d["model"], d["version"], os.path.join(a.out, name)))
        return
    d = write_golden(a.out, a.seed)
    total = sum(os.path.getsize(os.path.join(a.out, n)) for n in os.listdir(a.out))
    print("golden vectors in %s (%.1f KB); q8 vs float max diff %.4f" % (a.out, total / 1024.0,
                                                                      d["max_abs_diff_q8_vs_float"]))


if __name__ == "__main__":
    main()
