"""PercepNet network (docs/design.md §8.1, §8.2) and int8 weight quantisation (§8.5).

Topology (all widths are parameters, §11):

    F_t (70, raw) -> standardise with norm.mean / norm.std (§5)
      -> FC_in (D, tanh)
      -> Conv1d k=5 causal (C, tanh) -> Conv1d k=3 causal (C, tanh)          = conv2
      -> GRU1 (H) -> GRU2 (H) -> GRU3 (H) -> GRU4 (H)
      -> FC_g(concat(conv2, GRU1..4)) -> sigmoid -> g^ (34)
      -> GRU_r(concat(conv2, GRU3)) (R) -> FC_r -> sigmoid -> r^ (34)

The output of step t belongs to frame t-2 (§8.2); the targets from the C#
feature extractor are already aligned (§6.6), so no shifting happens here.

Quantised layers (§8.5): conv1, conv2 and every GRU weight matrix
(weight_ih, weight_hh of gru1..gru4 and gru_r). They are clipped to ±0.5
during training and exported as int8 with per-row scales.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import NB, NF

# Widths per configuration, docs/design.md §11 (D = FC_in, C = both convs, H = 4 main GRUs,
# R = strength GRU). "golden" is a deliberately tiny net used only for the C#
# golden test vectors (golden.py); it is not meant to be trained.
CONFIGS = {
    "tiny": dict(D=64, C=128, H=128, R=32),
    "tiny-h160": dict(D=64, C=128, H=160, R=32),
    "tiny-h192": dict(D=64, C=128, H=192, R=32),
    "small": dict(D=96, C=256, H=256, R=64),
    "medium": dict(D=128, C=384, H=384, R=96),
    "paper": dict(D=128, C=512, H=512, R=128),
    "golden": dict(D=16, C=24, H=24, R=8),
}

CONV1_K = 5   # §8.1 layer 2
CONV2_K = 3   # §8.1 layer 3
CLIP = 0.5    # §8.5 training-time weight clipping of quantised layers
GRU_NAMES = ("gru1", "gru2", "gru3", "gru4", "gru_r")


# ---------------------------------------------------------------------------
# int8 quantisation, §8.5
# ---------------------------------------------------------------------------

def _row_scale_2d(w2d):
    """Per-row scale of a [rows, cols] float64 matrix (§8.5):
    scale_i = max( max_j |W_ij| / 127, max_j |W_i,2j + W_i,2j+1| / 129 )."""
    rows, cols = w2d.shape
    if cols % 2:  # an odd last column is paired with an implicit zero (row padding)
        w2d = np.concatenate([w2d, np.zeros((rows, 1))], axis=1)
    s_abs = np.abs(w2d).max(axis=1) / 127.0
    s_pair = np.abs(w2d[:, 0::2] + w2d[:, 1::2]).max(axis=1) / 129.0
    return np.maximum(s_abs, s_pair)


def gemv_views(w):
    """The [rows, cols] matrices whose neighbour pairs the pair-sum rule must bound.

    GRU matrices are already 2-D (rows = 3H gate outputs, gate order r,z,n).
    A conv weight [C_out, C_in, K] (PyTorch layout) is one GEMV row per output
    channel; the C# kernel may order the columns (in, tap) or (tap, in), so the
    scale is taken as the max over both orders. This is never smaller than the
    plain rule for either order, so the u8 x s8 saturation bound holds for both.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 2:
        return [w]
    if w.ndim == 3:
        c = w.shape[0]
        return [w.reshape(c, -1), w.transpose(0, 2, 1).reshape(c, -1)]
    raise ValueError("expected a 2-D or 3-D weight")


def q8_scales(w):
    """Per-output-row float32 scales for weight w (2-D GRU or 3-D conv)."""
    s = np.max(np.stack([_row_scale_2d(v) for v in gemv_views(w)]), axis=0)
    return s.astype(np.float32)


def _fix_pairs(q2d):
    """Nudge entries toward 0 until every neighbour pair has |q_2j + q_2j+1| <= 129.
    Works in place on a 2-D float array of integers; returns how many were fixed."""
    n = q2d.shape[1] // 2   # an odd last column pairs with 0: |q| <= 127 already
    s = q2d[:, 0:2 * n:2] + q2d[:, 1:2 * n:2]
    rows, pairs = np.nonzero(np.abs(s) > 129)
    for i, p in zip(rows, pairs):
        j = 2 * p if abs(q2d[i, 2 * p]) >= abs(q2d[i, 2 * p + 1]) else 2 * p + 1
        q2d[i, j] -= np.sign(q2d[i, j])
    return len(rows)


def quantise_q8(w):
    """Return (q int8 array with w's shape, scale float32 [rows]) per §8.5.

    q = round(W / scale_i) clamped to ±127. Rounding can push a same-sign pair
    sum to 130 in exact-tie cases; such entries are nudged one step toward 0 so
    that |q_2j + q_2j+1| <= 129 always holds (the AVX2 u8 x s8 path relies on it).
    """
    w = np.asarray(w, dtype=np.float32)
    scale = q8_scales(w)
    safe = np.where(scale > 0, scale, 1.0).astype(np.float64)
    shp = (-1,) + (1,) * (w.ndim - 1)
    q = np.clip(np.rint(w.astype(np.float64) / safe.reshape(shp)), -127, 127)
    q[scale == 0] = 0
    for _ in range(8):  # practically never loops; see docstring
        fixed = 0
        if q.ndim == 2:
            fixed += _fix_pairs(q)            # q is modified in place
        else:
            c, cin, k = q.shape
            v = q.reshape(c, -1)              # (in, tap) order: a view, fixed in place
            fixed += _fix_pairs(v)
            v = q.transpose(0, 2, 1).reshape(c, -1).copy()   # (tap, in) order: a copy
            n = _fix_pairs(v)
            if n:
                q[...] = v.reshape(c, k, cin).transpose(0, 2, 1)
            fixed += n
        if not fixed:
            break
    return q.astype(np.int8), scale


def dequantise_q8(q, scale):
    """float32 weights q_ij * scale_i (the C# float reference path of §8.5)."""
    shp = (-1,) + (1,) * (q.ndim - 1)
    return (q.astype(np.float32) * scale.reshape(shp)).astype(np.float32)


def fake_quant_ste(w):
    """Differentiable fake quantisation for QAT: forward uses the int8 grid of
    §8.5 (same scale rule), backward passes the gradient straight through."""
    with torch.no_grad():
        views = [w.reshape(w.shape[0], -1)]
        if w.dim() == 3:
            views.append(w.permute(0, 2, 1).reshape(w.shape[0], -1))
        scales = []
        for v in views:
            if v.shape[1] % 2:
                v = F.pad(v, (0, 1))
            s = torch.maximum(v.abs().amax(1) / 127.0, (v[:, 0::2] + v[:, 1::2]).abs().amax(1) / 129.0)
            scales.append(s)
        scale = torch.stack(scales).amax(0).clamp_min(1e-12)
        shp = (-1,) + (1,) * (w.dim() - 1)
        deq = torch.clamp(torch.round(w / scale.view(shp)), -127, 127) * scale.view(shp)
    return w + (deq - w).detach()


# ---------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------

class GRULayer(nn.Module):
    """One GRU layer with PyTorch's equations and gate order (r, z, n), §8.1.

    Parameters are named weight_ih [3H, in], weight_hh [3H, H], bias_ih, bias_hh,
    exactly as exported. The sequence is run by PyTorch's own GRU kernel.
    """

    def __init__(self, n_in, n_hidden):
        super().__init__()
        self.n_in, self.n_hidden = n_in, n_hidden
        self.weight_ih = nn.Parameter(torch.empty(3 * n_hidden, n_in))
        self.weight_hh = nn.Parameter(torch.empty(3 * n_hidden, n_hidden))
        self.bias_ih = nn.Parameter(torch.empty(3 * n_hidden))
        self.bias_hh = nn.Parameter(torch.empty(3 * n_hidden))
        k = 1.0 / math.sqrt(n_hidden)  # nn.GRU's default initialisation
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def forward(self, x, fake_quant=False):
        """x: [B, T, in] -> [B, T, H], zero initial state (§8.2)."""
        w_ih, w_hh = self.weight_ih, self.weight_hh
        if fake_quant:
            w_ih, w_hh = fake_quant_ste(w_ih), fake_quant_ste(w_hh)
        h0 = x.new_zeros(1, x.shape[0], self.n_hidden)
        out, _ = torch._VF.gru(x, h0, (w_ih, w_hh, self.bias_ih, self.bias_hh),
                               True, 1, 0.0, self.training, False, True)
        return out


class PercepNet(nn.Module):
    """Full-sequence PercepNet model. forward(raw features [B,T,70]) -> (g^, r^) [B,T,34]."""

    def __init__(self, D, C, H, R, n_features=NF, n_bands=NB):
        super().__init__()
        self.cfg = dict(D=D, C=C, H=H, R=R)
        self.fc_in = nn.Linear(n_features, D)
        self.conv1 = nn.Conv1d(D, C, CONV1_K)
        self.conv2 = nn.Conv1d(C, C, CONV2_K)
        self.gru1 = GRULayer(C, H)
        self.gru2 = GRULayer(H, H)
        self.gru3 = GRULayer(H, H)
        self.gru4 = GRULayer(H, H)
        self.fc_g = nn.Linear(C + 4 * H, n_bands)
        self.gru_r = GRULayer(C + H, R)
        self.fc_r = nn.Linear(R, n_bands)
        # Feature standardisation f' = (f - mean) / std (§5), set from training data.
        self.register_buffer("norm_mean", torch.zeros(n_features))
        self.register_buffer("norm_std", torch.ones(n_features))

    @classmethod
    def from_config(cls, name_or_dict):
        cfg = CONFIGS[name_or_dict] if isinstance(name_or_dict, str) else name_or_dict
        return cls(cfg["D"], cfg["C"], cfg["H"], cfg["R"])

    def quantised_parameters(self):
        """(name, parameter) of the int8 layers of §8.5."""
        out = [("conv1.weight", self.conv1.weight), ("conv2.weight", self.conv2.weight)]
        for g in GRU_NAMES:
            m = getattr(self, g)
            out += [(g + ".weight_ih", m.weight_ih), (g + ".weight_hh", m.weight_hh)]
        return out

    @torch.no_grad()
    def clip_weights(self, limit=CLIP):
        """§8.3/§8.5: clip quantised-layer weights to [-limit, limit] after every step."""
        for _, p in self.quantised_parameters():
            p.clamp_(-limit, limit)

    def forward(self, feats, fake_quant=False):
        x = (feats - self.norm_mean) / self.norm_std
        a = torch.tanh(self.fc_in(x)).transpose(1, 2)              # [B, D, T]
        w1, w2 = self.conv1.weight, self.conv2.weight
        if fake_quant:
            w1, w2 = fake_quant_ste(w1), fake_quant_ste(w2)
        # §8.2: causal convolutions = left zero padding of (kernel - 1) frames.
        c1 = torch.tanh(F.conv1d(F.pad(a, (CONV1_K - 1, 0)), w1, self.conv1.bias))
        c2 = torch.tanh(F.conv1d(F.pad(c1, (CONV2_K - 1, 0)), w2, self.conv2.bias))
        c2 = c2.transpose(1, 2)                                    # [B, T, C]
        h1 = self.gru1(c2, fake_quant)
        h2 = self.gru2(h1, fake_quant)
        h3 = self.gru3(h2, fake_quant)
        h4 = self.gru4(h3, fake_quant)
        gains = torch.sigmoid(self.fc_g(torch.cat([c2, h1, h2, h3, h4], dim=-1)))
        hr = self.gru_r(torch.cat([c2, h3], dim=-1), fake_quant)
        strengths = torch.sigmoid(self.fc_r(hr))
        return gains, strengths


@torch.no_grad()
def widen_into(src, dst):
    """Copy a trained network into a wider one so that it computes exactly the same g^ and r^.

    Every old unit keeps its weights; the units that are new (dst's widths minus src's) keep
    their random initialisation on their own inputs, but every weight *from* a new unit to an
    old unit or head starts at zero, so the new units start silent towards the output and are
    learnt by fine-tuning (net-to-net growth). D cannot grow: FC_in's outputs feed conv1 taps
    whose layout is fixed.
    """
    s, d = src.cfg, dst.cfg
    if d["D"] != s["D"] or any(d[k] < s[k] for k in "CHR"):
        raise ValueError("widen_into: D must match and C, H, R may only grow (%s -> %s)" % (s, d))
    sd, params = src.state_dict(), dict(dst.named_parameters())

    def blocks(widths_src, widths_dst):
        """(src slice, dst slice) of each block of a concatenated input."""
        out, a, b = [], 0, 0
        for ws, wd in zip(widths_src, widths_dst):
            out.append((slice(a, a + ws), slice(b, b + ws), slice(b + ws, b + wd)))
            a, b = a + ws, b + wd
        return out

    def copy_matrix(name, rows_s, rows_d, gates, in_s, in_d):
        """Weight [gates*rows, in (, k)]: old rows of every gate get the old weights and zeros on
        the new inputs; new rows keep their random weights."""
        w_s, w_d = sd[name], params[name]
        for g in range(gates):
            rs, rd = slice(g * rows_s, (g + 1) * rows_s), slice(g * rows_d, g * rows_d + rows_s)
            for cs, cd, new in blocks(in_s, in_d):
                w_d[rd, cd] = w_s[rs, cs]
                w_d[rd, new] = 0.0

    def copy_bias(name, rows_s, rows_d, gates):
        b_s, b_d = sd[name], params[name]
        for g in range(gates):
            b_d[g * rows_d:g * rows_d + rows_s] = b_s[g * rows_s:(g + 1) * rows_s]

    C, H, R = s["C"], s["H"], s["R"]
    Cd, Hd, Rd = d["C"], d["H"], d["R"]
    dst.fc_in.load_state_dict(src.fc_in.state_dict())
    copy_matrix("conv1.weight", C, Cd, 1, [s["D"]], [d["D"]]); copy_bias("conv1.bias", C, Cd, 1)
    copy_matrix("conv2.weight", C, Cd, 1, [C], [Cd]); copy_bias("conv2.bias", C, Cd, 1)
    for g, n_in_s, n_in_d in (("gru1", C, Cd), ("gru2", H, Hd), ("gru3", H, Hd), ("gru4", H, Hd)):
        copy_matrix(g + ".weight_ih", H, Hd, 3, [n_in_s], [n_in_d])
        copy_matrix(g + ".weight_hh", H, Hd, 3, [H], [Hd])
        copy_bias(g + ".bias_ih", H, Hd, 3); copy_bias(g + ".bias_hh", H, Hd, 3)
    copy_matrix("gru_r.weight_ih", R, Rd, 3, [C, H], [Cd, Hd])
    copy_matrix("gru_r.weight_hh", R, Rd, 3, [R], [Rd])
    copy_bias("gru_r.bias_ih", R, Rd, 3); copy_bias("gru_r.bias_hh", R, Rd, 3)
    copy_matrix("fc_g.weight", sd["fc_g.weight"].shape[0], sd["fc_g.weight"].shape[0], 1,
                [C, H, H, H, H], [Cd, Hd, Hd, Hd, Hd])
    dst.fc_g.bias.copy_(src.fc_g.bias)
    copy_matrix("fc_r.weight", sd["fc_r.weight"].shape[0], sd["fc_r.weight"].shape[0], 1, [R], [Rd])
    dst.fc_r.bias.copy_(src.fc_r.bias)
    dst.norm_mean.copy_(src.norm_mean)
    dst.norm_std.copy_(src.norm_std)
    return dst


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------
# frame-by-frame reference (what the C# engine does per step, §8.2)
# ---------------------------------------------------------------------------

def _gru_step(x, h, w_ih, w_hh, b_ih, b_hh, q_act):
    """One GRU step with the equations of §8.1 written out (gate order r, z, n).
    q_act: if true, the matrix inputs x and h are rounded to the int8 activation
    grid round(127 v)/127 (§8.5); the state update itself stays in float."""
    xi = _qa(x) if q_act else x
    hi = _qa(h) if q_act else h
    gi = w_ih @ xi + b_ih
    gh = w_hh @ hi + b_hh
    H = h.shape[0]
    r = torch.sigmoid(gi[:H] + gh[:H])
    z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (1 - z) * n + z * h


def _qa(v):
    """Activation quantisation x_q = round(127 x) of §8.5, returned as x_q / 127."""
    return torch.round(127.0 * v) / 127.0


@torch.no_grad()
def stream_forward(model, feats, weights=None, quantise_activations=False):
    """Run the model one step at a time with explicit state (§8.2 streaming state):
    FC_in history (4 frames), conv1 history (2 frames), GRU states.

    feats: [T, 70] raw features. weights: optional dict name -> tensor that
    overrides model weights (e.g. dequantised int8 weights). With
    quantise_activations the inputs of every int8 layer are rounded to the
    127-level grid, which emulates the C# integer kernels exactly up to float
    rounding. Returns (gains [T,34], strengths [T,34]).
    """
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if weights:
        for k, v in weights.items():
            sd[k] = torch.as_tensor(v, dtype=sd[k].dtype)
    T = feats.shape[0]
    D, C, H, R = (model.cfg[k] for k in "DCHR")
    hist_a = torch.zeros(CONV1_K, D)       # FC_in outputs t-4 .. t
    hist_c1 = torch.zeros(CONV2_K, C)      # conv1 outputs t-2 .. t
    h = {g: torch.zeros(R if g == "gru_r" else H) for g in GRU_NAMES}
    qa = _qa if quantise_activations else (lambda v: v)
    g_out, r_out = [], []
    for t in range(T):
        x = (feats[t] - sd["norm_mean"]) / sd["norm_std"]
        a = torch.tanh(sd["fc_in.weight"] @ x + sd["fc_in.bias"])
        hist_a = torch.cat([hist_a[1:], a[None]], 0)
        # conv = sum over taps k of W[:, :, k] @ input(t - (K-1) + k)
        c1 = sd["conv1.bias"].clone()
        for k in range(CONV1_K):
            c1 = c1 + sd["conv1.weight"][:, :, k] @ qa(hist_a[k])
        c1 = torch.tanh(c1)
        hist_c1 = torch.cat([hist_c1[1:], c1[None]], 0)
        c2 = sd["conv2.bias"].clone()
        for k in range(CONV2_K):
            c2 = c2 + sd["conv2.weight"][:, :, k] @ qa(hist_c1[k])
        c2 = torch.tanh(c2)
        inp = c2
        for g in ("gru1", "gru2", "gru3", "gru4"):
            h[g] = _gru_step(inp, h[g], sd[g + ".weight_ih"], sd[g + ".weight_hh"],
                             sd[g + ".bias_ih"], sd[g + ".bias_hh"], quantise_activations)
            inp = h[g]
        cat_g = torch.cat([c2, h["gru1"], h["gru2"], h["gru3"], h["gru4"]])
        g_out.append(torch.sigmoid(sd["fc_g.weight"] @ cat_g + sd["fc_g.bias"]))
        h["gru_r"] = _gru_step(torch.cat([c2, h["gru3"]]), h["gru_r"], sd["gru_r.weight_ih"],
                               sd["gru_r.weight_hh"], sd["gru_r.bias_ih"], sd["gru_r.bias_hh"],
                               quantise_activations)
        r_out.append(torch.sigmoid(sd["fc_r.weight"] @ h["gru_r"] + sd["fc_r.bias"]))
    return torch.stack(g_out), torch.stack(r_out)


def quantised_weight_dict(model):
    """name -> (q int8, scale float32) for all §8.5 layers of the model."""
    return {n: quantise_q8(p.detach().cpu().numpy()) for n, p in model.quantised_parameters()}


def dequantised_state(model):
    """name -> dequantised float32 tensor for the quantised layers (for fake-quant eval)."""
    return {n: torch.from_numpy(dequantise_q8(q, s)) for n, (q, s) in quantised_weight_dict(model).items()}
