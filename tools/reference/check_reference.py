#!/usr/bin/env python3
"""Sanity checks for tools/reference/gpt2_reference.py and the fixtures in tests/data/.

    /usr/bin/python3 tools/reference/check_reference.py

1. tiny-f32: batched forward vs a naive per-position loop (explicit loops over
   positions and heads, no mask matrix, full prefix recomputed per token).
2. Causality: logits at positions <= t do not change when later tokens do.
3. Every fixture: an alternative forward built from torch.nn.functional
   primitives (F.layer_norm, F.linear, F.gelu(approximate="tanh")) matches,
   and the stored reference.safetensors equals a fresh recomputation.
4. Every .safetensors file: header padded to 8 bytes, tensors contiguous,
   no gaps, file size consistent; BF16/F16 rounding agrees with torch.
5. Prints max |logit| and std across vocab per fixture, and how much the
   logits move when each attention / MLP sub-block is removed.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
FIXTURES = ["tiny-f32", "h3-f16", "h5-bf16", "lmhead-f32", "noconfig-f32",
            "meta-f32", "ninner-f32", "eos-f32"]

failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


# --- 1. naive per-position implementation ----------------------------------

def naive_ln(v, w, b, eps):
    # v [C] -> [C]
    mu = sum(v.tolist()) / v.numel()
    var = sum((x - mu) ** 2 for x in v.tolist()) / v.numel()
    return (v - mu) / math.sqrt(var + eps) * w + b


def naive_prefix_last(model, ids):
    """Logits [V] of the last position, computing each position separately."""
    w, H, eps = model["weights"], model["n_head"], model["eps"]
    C = model["n_embd"]
    hd = C // H
    xs = [w["wte.weight"][tok] + w["wpe.weight"][s] for s, tok in enumerate(ids)]
    for i in range(model["n_layer"]):
        p = f"h.{i}."
        qs, ks, vs = [], [], []
        for x in xs:
            h = naive_ln(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
            qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
            qs.append(qkv[:C]); ks.append(qkv[C:2 * C]); vs.append(qkv[2 * C:])
        new_xs = []
        for s, x in enumerate(xs):
            y = torch.zeros(C, dtype=torch.float64)
            for hh in range(H):
                sl = slice(hh * hd, (hh + 1) * hd)
                scores = [float(qs[s][sl] @ ks[j][sl]) / math.sqrt(hd)
                          for j in range(s + 1)]          # only the past
                m = max(scores)
                e = [math.exp(a - m) for a in scores]
                z = sum(e)
                for j in range(s + 1):
                    y[sl] += e[j] / z * vs[j][sl]
            x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
            h = naive_ln(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
            a = h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]
            a = torch.tensor([0.5 * u * (1 + math.tanh(math.sqrt(2 / math.pi)
                                                       * (u + 0.044715 * u ** 3)))
                              for u in a.tolist()], dtype=torch.float64)
            x = x + a @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
            new_xs.append(x)
        xs = new_xs
    x = naive_ln(xs[-1], w["ln_f.weight"], w["ln_f.bias"], eps)
    return model["lm_head"] @ x


# --- 3. alternative forward from torch.nn.functional -----------------------

def functional_forward(model, ids, skip=None):
    """skip: optional (layer, "attn"|"mlp") sub-block to drop (sensitivity)."""
    w, H, eps, C = model["weights"], model["n_head"], model["eps"], model["n_embd"]
    T = len(ids)
    x = F.embedding(torch.tensor(ids), w["wte.weight"]) + w["wpe.weight"][:T]
    mask = torch.tril(torch.ones(T, T)).bool()
    for i in range(model["n_layer"]):
        p = f"h.{i}."
        if skip != (i, "attn"):
            h = F.layer_norm(x, (C,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
            qkv = F.linear(h, w[p + "attn.c_attn.weight"].T, w[p + "attn.c_attn.bias"])
            q, k, v = (t.view(T, H, C // H).permute(1, 0, 2) for t in qkv.chunk(3, -1))
            att = torch.einsum("htd,hsd->hts", q, k) / math.sqrt(C // H)
            att = F.softmax(att.masked_fill(~mask, -math.inf), dim=-1)
            y = torch.einsum("hts,hsd->thd", att, v).reshape(T, C)
            x = x + F.linear(y, w[p + "attn.c_proj.weight"].T, w[p + "attn.c_proj.bias"])
        if skip != (i, "mlp"):
            h = F.layer_norm(x, (C,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
            h = F.gelu(F.linear(h, w[p + "mlp.c_fc.weight"].T, w[p + "mlp.c_fc.bias"]),
                       approximate="tanh")
            x = x + F.linear(h, w[p + "mlp.c_proj.weight"].T, w[p + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (C,), w["ln_f.weight"], w["ln_f.bias"], eps)
    return F.linear(x, model["lm_head"])


# --- 4. file format --------------------------------------------------------

def check_file_format(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    spans = sorted(v["data_offsets"] for v in header.values())
    contiguous = spans[0][0] == 0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    names = list(header)
    in_order = [header[k]["data_offsets"][0] for k in names] == [s[0] for s in spans]
    return (n % 8 == 0 and contiguous and in_order and names == sorted(names)
            and 8 + n + spans[-1][1] == len(blob))


def main():
    torch.set_num_threads(1)

    # 1 + 2 on tiny-f32
    model = ref.load_model(os.path.join(DATA, "tiny-f32"))
    rng = np.random.default_rng(123)
    ids = rng.integers(0, model["vocab_size"], size=model["n_positions"]).tolist()
    batched = ref.forward(model, ids)
    naive = torch.stack([naive_prefix_last(model, ids[:t + 1]) for t in range(len(ids))])
    d = (batched - naive).abs().max().item()
    check(d < 1e-10, f"tiny-f32: batched vs naive per-position loop, max diff {d:.2e}")

    worst = 0.0
    for t in range(len(ids) - 1):
        ids2 = ids[:t + 1] + rng.integers(0, model["vocab_size"], size=len(ids) - t - 1).tolist()
        other = ref.forward(model, ids2)
        worst = max(worst, (other[:t + 1] - batched[:t + 1]).abs().max().item())
    check(worst == 0.0, f"tiny-f32: causality (prefix logits unchanged), max diff {worst:.2e}")
    ids3 = list(ids); ids3[-1] = (ids3[-1] + 1) % model["vocab_size"]
    moved = (ref.forward(model, ids3)[-1] - batched[-1]).abs().max().item()
    check(moved > 1e-3, f"tiny-f32: changing the last token moves its logits ({moved:.3f})")

    # 3 + 4 + 5 on every fixture
    print()
    print(f"{'fixture':14s} {'max|logit|':>10s} {'std(vocab)':>10s}  "
          f"sub-block removal: min/max of max|dlogit|")
    for name in FIXTURES:
        d = os.path.join(DATA, name)
        model = ref.load_model(d)
        stored, meta = ref.read_safetensors(os.path.join(d, "reference.safetensors"))
        check(meta.get("generator") == "tools/reference/make_fixtures.py", f"{name}: metadata")
        all_logits, moves = [], []
        for k in range(3):
            ids = stored[f"ids_{k}"].astype(np.int64).tolist()
            want = stored[f"logits_{k}"]
            fresh = ref.forward(model, ids)
            same = np.array_equal(fresh.numpy().astype(np.float32).astype(np.float64), want)
            alt = functional_forward(model, ids)
            dd = (alt - fresh).abs().max().item()
            check(same and dd < 1e-10,
                  f"{name}: prompt {k} (T={len(ids)}) stored==fresh, functional diff {dd:.1e}")
            all_logits.append(want)
            if k == 2:
                for i in range(model["n_layer"]):
                    for part in ("attn", "mlp"):
                        moves.append((functional_forward(model, ids, (i, part)) - fresh)
                                     .abs().max().item())
        for fn in ("model.safetensors", "reference.safetensors"):
            check(check_file_format(os.path.join(d, fn)), f"{name}/{fn}: layout")
        allv = np.concatenate(all_logits)
        print(f"     {name:14s} {np.abs(allv).max():10.3f} {allv.std(axis=1).mean():10.3f}"
              f"  {min(moves):.3f} / {max(moves):.3f}")

    # reduced-precision rounding agrees with torch
    x = torch.randn(100000, generator=torch.Generator().manual_seed(0)) * 3
    ours = ref.bf16_bits_to_f32(ref.f32_to_bf16_bits(x.numpy()))
    theirs = x.to(torch.bfloat16).to(torch.float32).numpy()
    check(np.array_equal(ours, theirs), "BF16 round-to-nearest-even matches torch")
    raw, _ = ref.read_safetensors(os.path.join(DATA, "h3-f16", "model.safetensors"))
    check(all(np.array_equal(v, v.astype(np.float16).astype(np.float64)) for v in raw.values()),
          "h3-f16 weights are exactly representable in F16")
    raw, _ = ref.read_safetensors(os.path.join(DATA, "h5-bf16", "model.safetensors"))
    check(all(np.array_equal(v, ref.bf16_bits_to_f32(ref.f32_to_bf16_bits(v)).astype(np.float64))
              for v in raw.values()), "h5-bf16 weights are exactly representable in BF16")

    # bad-activation must be rejected
    try:
        ref.load_model(os.path.join(DATA, "bad-activation"))
        check(False, "bad-activation rejected")
    except ValueError as e:
        check(True, f"bad-activation rejected ({e})")

    print()
    print("ALL CHECKS PASSED" if not failures else f"{len(failures)} CHECK(S) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
