#!/usr/bin/python3
"""Export a trained checkpoint to models/NAME.safetensors (docs/design.md §8.1, §8.5).

Tensors (float32 unless noted; PyTorch layouts):
    fc_in.weight [D,70], fc_in.bias [D]
    conv1.weight [C,D,5], conv1.bias [C]        out[t] = b + sum_k W[:,:,k] @ in[t-4+k]
    conv2.weight [C,C,3], conv2.bias [C]        out[t] = b + sum_k W[:,:,k] @ in[t-2+k]
    gruN.weight_ih [3H,in], gruN.weight_hh [3H,H], gruN.bias_ih [3H], gruN.bias_hh [3H]
        (N = 1..4; gate order r, z, n; PyTorch GRU equations of §8.1)
    fc_g.weight [34,C+4H], fc_g.bias [34]       input concat(conv2, gru1, gru2, gru3, gru4)
    gru_r.weight_ih [3R,C+H], gru_r.weight_hh [3R,R], gru_r.bias_ih, gru_r.bias_hh
                                                input concat(conv2, gru3)
    fc_r.weight [34,R], fc_r.bias [34]
    norm.mean [70], norm.std [70]               f' = (f - mean) / std before fc_in (§5)
    <W>.q8 (int8, same shape as W), <W>.q8scale [rows]  for W in conv1.weight,
        conv2.weight and every gru*.weight_ih / weight_hh (§8.5): W ~= q8 * q8scale[row]

    /usr/bin/python3 train/export.py train/runs/tiny1/best.pt --name percepnetfx-tiny --verify
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from common import NB, NF, REPO_ROOT
from model import CONV1_K, CONV2_K, PercepNet, dequantise_q8, quantise_q8
import safetensors_io as st

MODEL_FORMAT = "percepnetfx-model"
MODEL_FORMAT_VERSION = "1"

QUANT_NOTE = {
    "layers": "conv1.weight, conv2.weight, gru{1,2,3,4,_r}.weight_ih, gru{1,2,3,4,_r}.weight_hh",
    "scale": "per output row: scale_i = max(max_j |W_ij|/127, max_j |W_i,2j + W_i,2j+1|/129)",
    "pairs": "conv weights [C_out,C_in,K]: pair rule applied to both column orders (in,tap) and "
             "(tap,in), scale = the larger; |q_2j + q_2j+1| <= 129 holds for both orders",
    "q": "q_ij = round(W_ij/scale_i) clamped to [-127,127]",
    "activations": "x_q = round(127 x); y_i = scale_i/127 * sum_j q_ij x_q,j + b_i",
    "float_layers": "fc_in, fc_g, fc_r, all biases, GRU gate/state arithmetic",
}


def export_tensors(model):
    """Ordered dict of export tensors (numpy) for a PercepNet model."""
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    out = {k: v for k, v in sd.items() if k not in ("norm_mean", "norm_std")}
    out["norm.mean"] = sd["norm_mean"]
    out["norm.std"] = sd["norm_std"]
    for name, p in model.quantised_parameters():
        q, s = quantise_q8(p.detach().cpu().numpy())
        out[name + ".q8"] = q
        out[name + ".q8scale"] = s
    return out


def config_json(model):
    c = dict(model.cfg)
    c.update({"features": NF, "bands": NB, "conv1_kernel": CONV1_K, "conv2_kernel": CONV2_K,
              "activation": "tanh (fc_in, conv1, conv2), sigmoid heads",
              "gru": "pytorch equations, gate order r,z,n", "strength_tap": "gru3",
              "alignment": "output of step t is for frame t-2 (spec 8.2)"})
    return c


def save_model(model, path, name, version="0.1.0", training=None, timestamp=True):
    meta = {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION, "name": name,
            "version": version, "config": json.dumps(config_json(model), sort_keys=True),
            "training": json.dumps(training or {}, sort_keys=True),
            "normalisation": "f' = (f - norm.mean) / norm.std, applied to the raw 70 features",
            "quantisation": json.dumps(QUANT_NOTE, sort_keys=True),
            }
    if timestamp:
        meta["exported"] = time.strftime("%Y-%m-%d %H:%M:%S")
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    st.save_file(export_tensors(model), path, meta)
    return meta


def load_model(path):
    """PercepNet rebuilt from an exported file; returns (model, tensors, metadata)."""
    tensors, meta = st.load_file(path)
    cfg = json.loads(meta["config"])
    model = PercepNet(cfg["D"], cfg["C"], cfg["H"], cfg["R"])
    sd = {}
    for k in model.state_dict():
        src = {"norm_mean": "norm.mean", "norm_std": "norm.std"}.get(k, k)
        sd[k] = torch.from_numpy(tensors[src])
    model.load_state_dict(sd)
    model.eval()
    return model, tensors, meta


def verify(model, path, frames=64, seed=0):
    """Round trip: every tensor bit-identical, int8 copies consistent, forward equal."""
    m2, tensors, meta = load_model(path)
    ref = export_tensors(model)
    if set(ref) != set(tensors):
        raise AssertionError("tensor names differ: %s" % sorted(set(ref) ^ set(tensors)))
    for k, v in ref.items():
        if v.dtype != tensors[k].dtype or v.shape != tensors[k].shape or not np.array_equal(v, tensors[k]):
            raise AssertionError("tensor %s differs after round trip" % k)
    for name, _ in model.quantised_parameters():
        w = tensors[name]
        dq = dequantise_q8(tensors[name + ".q8"], tensors[name + ".q8scale"])
        step = tensors[name + ".q8scale"].reshape((-1,) + (1,) * (w.ndim - 1))
        if np.any(np.abs(dq - w) > 0.5 * step + 1e-7):
            raise AssertionError("int8 copy of %s is not round(W/scale)" % name)
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((2, frames, NF)).astype(np.float32))
    model.eval()
    with torch.no_grad():
        a = model(x)
        b = m2(x)
    if not all(torch.equal(p, q) for p, q in zip(a, b)):
        raise AssertionError("forward differs after reload")
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", help="train.py checkpoint (best.pt or last.pt)")
    ap.add_argument("--name", required=True, help="model name; default output models/NAME.safetensors")
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--out", help="output path (default <repo>/models/NAME.safetensors)")
    ap.add_argument("--verify", action="store_true", help="reload and check the round trip")
    a = ap.parse_args(argv)
    ck = torch.load(a.checkpoint, map_location="cpu")
    model = PercepNet(**ck["config"])
    model.load_state_dict(ck["model"])
    model.eval()
    stt = ck.get("state", {})
    args = ck.get("args", {})
    training = {"data": ck.get("data_summary"), "steps": stt.get("step"), "epochs": stt.get("epoch"),
                "best_val_loss": stt.get("best_val"), "best_epoch": stt.get("best_epoch"),
                "config_name": args.get("config"), "qat": args.get("qat"), "batch": args.get("batch"),
                "seq_len": args.get("seq_len"), "checkpoint": os.path.basename(a.checkpoint),
                "saved": ck.get("saved")}
    if training["best_val_loss"] is not None and not np.isfinite(training["best_val_loss"]):
        training["best_val_loss"] = None
    if (ck.get("data_summary") or {}).get("train", {}).get("fake_features"):
        print("WARNING: this model was trained on FAKE (random) features; it is a test artefact",
              file=sys.stderr)
    out = a.out or os.path.join(REPO_ROOT, "models", a.name + ".safetensors")
    save_model(model, out, a.name, a.version, training)
    print("wrote %s (%.1f KB)" % (out, os.path.getsize(out) / 1024.0))
    if a.verify:
        verify(model, out)
        print("round trip OK")


if __name__ == "__main__":
    main()
