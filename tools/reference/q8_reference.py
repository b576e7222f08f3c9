#!/usr/bin/env python3
"""Independent PyTorch reference for llm.h's 8-bit checkpoints, and the
8-bit test fixtures.

    /usr/bin/python3 tools/reference/q8_reference.py        (after `make build/quantize`)

For each source fixture (tests/data/tiny-f32, h3-f16, ninner-f32) this runs
build/quantize into tests/data/q8-<name>/ and writes reference.safetensors
there: ids_k (the source fixture's prompts) and logits_k [T, V] computed
here in float64 from the 8-bit file as written, by the rule documented in
docs/checkpoints.md ("8-bit weights"):
  - an I8 matrix NAME [out, in] with NAME_scale [out, ceil(in/32)] is
    q * d per block of 32 inputs;
  - every product with it quantizes its input rows first, per block of 32:
    (in float32) amax = max |x|, d = amax / 127, id = 127 / amax (0 when
    amax is 0), q = round(x * id) with ties to even (torch.round); the
    product is sum over blocks of (q_x . q_w) * d_x * d_w (float64) + bias;
  - embedding rows are q * d; everything else as tools/reference/gpt2_reference.py.
The safetensors reader is this file's own (the I8 dtype included).
"""
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
DT = {"F32": "<f4", "F16": "<f2", "I8": "i1", "BF16": "<u2"}
SZ = {"F32": 4, "F16": 2, "I8": 1, "BF16": 2}
QB = 32


def read(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = memoryview(blob)[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == count * SZ[info["dtype"]], name
        raw = np.frombuffer(data[b:e], dtype=DT[info["dtype"]])
        if info["dtype"] == "BF16":
            raw = ref.bf16_bits_to_f32(raw)
        out[name] = (info["dtype"], raw.astype(np.float64).reshape(info["shape"]))
    return out


def quant_act(x):
    """x [T, IC] float64 -> (q [T, nb, 32] float64 ints, d [T, nb] float64)."""
    T, IC = x.shape
    nb = (IC + QB - 1) // QB
    x32 = torch.zeros(T, nb * QB, dtype=torch.float32)
    x32[:, :IC] = x.to(torch.float32)
    x32 = x32.reshape(T, nb, QB)
    amax = x32.abs().amax(dim=2)                                  # [T, nb] f32
    d = amax / 127.0
    safe = torch.where(amax > 0, amax, torch.ones_like(amax))
    idv = torch.where(amax > 0, torch.full_like(amax, 127.0) / safe, torch.zeros_like(amax))
    q = torch.round(x32 * idv.unsqueeze(2))                      # ties to even
    return q.to(torch.float64), d.to(torch.float64)


def q8_linear(x, q, d, bias):
    """x [T, IC]; q [OC, IC] ints; d [OC, nb] -> [T, OC] float64."""
    OC, IC = q.shape
    nb = d.shape[1]
    qw = torch.zeros(OC, nb * QB, dtype=torch.float64)
    qw[:, :IC] = q
    qw = qw.reshape(OC, nb, QB)
    qx, dx = quant_act(x)
    isum = torch.einsum("tjk,ojk->toj", qx, qw)                   # exact integers
    y = (isum * dx.unsqueeze(1) * d.unsqueeze(0)).sum(dim=2)
    return y + bias if bias is not None else y


def load(folder):
    raw = read(os.path.join(folder, "model.safetensors"))
    cfg = json.load(open(os.path.join(folder, "config.json")))
    w = {}
    for name, (dt, arr) in raw.items():
        if name.startswith("transformer."):
            name = name[len("transformer."):]
        w[name] = (dt, torch.from_numpy(arr))
    return w, cfg


def mat(w, name):
    dt, t = w[name]
    assert dt == "I8", name
    return t, w[name + "_scale"][1]


def forward(w, cfg, ids):
    C, H, eps = cfg["n_embd"], cfg["n_head"], cfg.get("layer_norm_epsilon", 1e-5)
    f = {k: v[1] for k, v in w.items()}
    q, d = mat(w, "wte.weight")
    wte = q * torch.repeat_interleave(d, QB, dim=1)[:, :q.shape[1]]
    ids = torch.as_tensor(list(ids), dtype=torch.long)
    T = ids.shape[0]
    x = wte[ids] + f["wpe.weight"][:T]
    for i in range(cfg["n_layer"]):
        p = f"h.{i}."
        h = ref.layer_norm(x, f[p + "ln_1.weight"], f[p + "ln_1.bias"], eps)
        qkv = q8_linear(h, *mat(w, p + "attn.c_attn.weight"), f[p + "attn.c_attn.bias"])
        qq, kk, vv = qkv.split(C, dim=1)
        hd = C // H
        qq = qq.reshape(T, H, hd).transpose(0, 1)
        kk = kk.reshape(T, H, hd).transpose(0, 1)
        vv = vv.reshape(T, H, hd).transpose(0, 1)
        s = qq @ kk.transpose(1, 2) / math.sqrt(hd)
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        y = (torch.softmax(s, dim=-1) @ vv).transpose(0, 1).reshape(T, C)
        x = x + q8_linear(y, *mat(w, p + "attn.c_proj.weight"), f[p + "attn.c_proj.bias"])
        h = ref.layer_norm(x, f[p + "ln_2.weight"], f[p + "ln_2.bias"], eps)
        h = ref.gelu_new(q8_linear(h, *mat(w, p + "mlp.c_fc.weight"), f[p + "mlp.c_fc.bias"]))
        x = x + q8_linear(h, *mat(w, p + "mlp.c_proj.weight"), f[p + "mlp.c_proj.bias"])
    x = ref.layer_norm(x, f["ln_f.weight"], f["ln_f.bias"], eps)
    head = "lm_head.weight" if "lm_head.weight" in w else "wte.weight"
    return q8_linear(x, *mat(w, head), None)


def main():
    qexe = os.path.join(ROOT, "build", "quantize")
    for src in ["tiny-f32", "h3-f16", "ninner-f32"]:
        dst = os.path.join(DATA, "q8-" + src)
        subprocess.run([qexe, "--force", os.path.join(DATA, src), dst], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        w, cfg = load(dst)
        srcref = read(os.path.join(DATA, src, "reference.safetensors"))
        tensors = {}
        worst = 0.0
        k = 0
        while f"ids_{k}" in srcref:
            ids = srcref[f"ids_{k}"][1].astype(np.int64)
            logits = forward(w, cfg, ids.tolist()).numpy()
            worst = max(worst, float(np.abs(logits - srcref[f"logits_{k}"][1]).max()))
            tensors[f"ids_{k}"] = ("F32", ids.astype(np.float32))
            tensors[f"logits_{k}"] = ("F32", logits.astype(np.float32))
            k += 1
        ref.write_safetensors(os.path.join(dst, "reference.safetensors"), tensors, {
            "generator": "tools/reference/q8_reference.py",
            "precision": "float64 reference from the stored int8 weights, activations quantized per block of 32"})
        print(f"q8-{src:12s} {k} prompts; max |8-bit - float logits| {worst:.4f}")


if __name__ == "__main__":
    main()
