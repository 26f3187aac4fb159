"""The CART retriever in PyTorch, parameter for parameter as cart-engine builds it.

Mirrors cart/.../model/CartModel.java, CoarseFineFusion.java and engine/.../nn (pre-LN Transformer
layers, GELU with the tanh approximation, layer norm eps 1e-5), and the loss of eq. (8) as
cart/.../train/Trainer.java computes it: per identifier position, cross-entropy over the doubled
(R-Drop) batch plus omega times the bidirectional KL between the two halves. Parameters carry
cart-engine's checkpoint names, so a safetensors checkpoint loads by name (load_state).
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

_DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32}


def read_safetensors(path):
    """The safetensors format by hand: 8-byte little-endian header length, JSON header, raw data."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, h in header.items():
        lo, hi = h["data_offsets"]
        arr = np.frombuffer(data[lo:hi], dtype=_DTYPES[h["dtype"]]).reshape(h["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


class LayerNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.gamma, self.beta, 1e-5)


class Linear(nn.Module):
    """y = x W^T + b, W [out, in]: cart-engine's Linear (weight, bias)."""

    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(o, i).uniform_(-math.sqrt(6 / (i + o)), math.sqrt(6 / (i + o))))
        self.bias = nn.Parameter(torch.zeros(o))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class Embedding(nn.Module):
    def __init__(self, n, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, d) / math.sqrt(d))

    def forward(self, idx):
        return F.embedding(idx, self.weight)


class MultiHeadAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h = heads
        self.q, self.k, self.v, self.o = Linear(d, d), Linear(d, d), Linear(d, d), Linear(d, d)

    def forward(self, x, mem, key_padding, causal):
        b, tq, d = x.shape
        tk, h, dh = mem.shape[1], self.h, d // self.h
        q = self.q(x).view(b, tq, h, dh).transpose(1, 2)
        k = self.k(mem).view(b, tk, h, dh).transpose(1, 2)
        v = self.v(mem).view(b, tk, h, dh).transpose(1, 2)
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(dh))
        if key_padding is not None:
            s = s.masked_fill((key_padding == 0)[:, None, None, :], float("-inf"))
        if causal:
            allowed = torch.ones(tq, tk, dtype=torch.bool, device=x.device).tril(tk - tq)
            s = s.masked_fill(~allowed, float("-inf"))
        a = torch.softmax(s, dim=-1) @ v
        return self.o(a.transpose(1, 2).reshape(b, tq, d))


class FeedForward(nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.w1, self.w2 = Linear(d, ff), Linear(ff, d)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x), approximate="tanh"))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ff, p):
        super().__init__()
        self.selfAttn, self.ffn = MultiHeadAttention(d, heads), FeedForward(d, ff)
        self.ln1, self.ln2 = LayerNorm(d), LayerNorm(d)
        self.drop = nn.Dropout(p)

    def forward(self, x, pad):
        h = self.ln1(x)
        x = x + self.drop(self.selfAttn(h, h, pad, False))
        return x + self.drop(self.ffn(self.ln2(x)))


class CoarseFineFusion(nn.Module):
    """Paper section 3.4, eqs. (2)-(5), with cart-engine's choices (one shared fine attention, a gate per layer)."""

    def __init__(self, d, heads, layers):
        super().__init__()
        self.layers = layers
        self.fuse = Linear(layers * d, d)
        self.coarseAttn, self.fineAttn = MultiHeadAttention(d, heads), MultiHeadAttention(d, heads)
        for i in range(layers):
            setattr(self, f"gate{i}", Linear(2 * d, d))

    def forward(self, y, enc, pad):
        z = self.fuse(torch.cat(enc, -1))
        coarse = torch.sigmoid(self.coarseAttn(y, z, pad, False)) * (1.0 / self.layers)
        fine = None
        for i in range(self.layers):
            c = self.fineAttn(y, enc[i], pad, False)
            term = torch.sigmoid(getattr(self, f"gate{i}")(torch.cat([y, c], -1))) * c
            fine = term if fine is None else fine + term
        return coarse + fine


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ff, p, layers):
        super().__init__()
        self.selfAttn = MultiHeadAttention(d, heads)
        self.cross = CoarseFineFusion(d, heads, layers)
        self.ffn = FeedForward(d, ff)
        self.ln1, self.ln2, self.ln3 = LayerNorm(d), LayerNorm(d), LayerNorm(d)
        self.drop = nn.Dropout(p)

    def forward(self, y, enc, pad):
        h = self.ln1(y)
        y = y + self.drop(self.selfAttn(h, h, None, True))
        y = y + self.drop(self.cross(self.ln2(y), enc, pad))
        return y + self.drop(self.ffn(self.ln3(y)))


class CartModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, j = cfg["dModel"], len(cfg["idVocab"])
        if not cfg["fusion"]:
            raise ValueError("this reference implements the fusion model (the default)")
        self.cfg = cfg
        self.tokens = Embedding(cfg["textVocab"], d)
        self.positions = Embedding(cfg["maxQueryLength"], d)
        for i in range(cfg["encoderLayers"]):
            setattr(self, f"encoder{i}", EncoderLayer(d, cfg["heads"], cfg["ffn"], cfg["dropout"]))
            setattr(self, f"encoderNorm{i}", LayerNorm(d))
        self.start = nn.Parameter(torch.randn(1, 1, d) / math.sqrt(d))
        for i in range(j - 1):
            setattr(self, f"idEmbedding{i}", Embedding(cfg["idVocab"][i], d))
        self.idPositions = Embedding(j, d)
        for i in range(cfg["decoderLayers"]):
            setattr(self, f"decoder{i}", DecoderLayer(d, cfg["heads"], cfg["ffn"], cfg["dropout"], cfg["encoderLayers"]))
        self.decoderNorm = LayerNorm(d)
        for i in range(j):
            setattr(self, f"head{i}", Linear(d, cfg["idVocab"][i]))

    def encode(self, ids, pad, pos):
        x = self.tokens(ids) + self.positions(pos)
        outs = []
        for i in range(self.cfg["encoderLayers"]):
            x = getattr(self, f"encoder{i}")(x, pad)
            outs.append(getattr(self, f"encoderNorm{i}")(x))
        return outs

    def decode(self, enc, pad, prefix, batch):
        parts = [self.start.expand(batch, 1, -1)]
        for i in range(prefix.shape[1]):
            parts.append(getattr(self, f"idEmbedding{i}")(prefix[:, i : i + 1]))
        y = torch.cat(parts, 1)
        y = y + self.idPositions(torch.arange(y.shape[1], device=y.device).expand(batch, -1))
        for i in range(self.cfg["decoderLayers"]):
            y = getattr(self, f"decoder{i}")(y, enc, pad)
        return self.decoderNorm(y)

    def loss(self, ids, pad, pos, targets, omega, rdrop=True):
        """Eq. (8) on a batch whose first and second halves are the two R-Drop passes (Trainer.loss)."""
        n, j = targets.shape
        b = n // 2
        enc = self.encode(ids, pad, pos)
        hidden = self.decode(enc, pad, targets[:, : j - 1], n)
        total = 0
        for p in range(j):
            logits = getattr(self, f"head{p}")(hidden[:, p])
            term = F.cross_entropy(logits, targets[:, p])
            if rdrop:
                lp = torch.log_softmax(logits, -1)
                p1, p2 = lp[:b], lp[b:]
                kl = (p1.exp() * (p1 - p2)).sum(-1).mean() + (p2.exp() * (p2 - p1)).sum(-1).mean()
                term = term + omega * kl
            total = total + term
        return total


def load_state(model, tensors, prefix="param."):
    """Copies cart-engine's parameters into the model by name; every name must match both ways."""
    own = dict(model.named_parameters())
    theirs = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    missing, extra = sorted(set(own) - set(theirs)), sorted(set(theirs) - set(own))
    if missing or extra:
        raise ValueError(f"parameter names differ: missing in checkpoint {missing}, not in model {extra}")
    with torch.no_grad():
        for k, p in own.items():
            if tuple(p.shape) != tuple(theirs[k].shape):
                raise ValueError(f"{k}: model {tuple(p.shape)}, checkpoint {tuple(theirs[k].shape)}")
            p.copy_(theirs[k].to(p.dtype))
