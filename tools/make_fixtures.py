#!/usr/bin/env python3
"""Generate the random-weight GPT-2 test fixtures in tests/data/.

Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/make_fixtures.py

Everything is seeded (numpy Generator per fixture, torch.manual_seed), so a
rerun produces byte-identical files.  For each fixture folder
tests/data/<name>/ this writes

    model.safetensors      random weights (F32 / F16 / BF16)
    config.json            Hugging Face style config (most fixtures)
    reference.safetensors  F32 ids_k [T] and logits_k [T, V] for k = 0, 1, 2

The reference logits come from tools/gpt2_reference.py, computed in float64
from the weights read back from the written model.safetensors (so reduced
precision files use exactly their rounded weights).
"""

import json
import os
import shutil
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data")

# name, seed, hyper-parameters and file options
FIXTURES = [
    dict(name="tiny-f32", seed=1, n_layer=2, n_head=4, n_embd=32, n_positions=32,
         vocab=97, dtype="F32", prefix=True, mask_buffers=True),
    dict(name="h3-f16", seed=2, n_layer=3, n_head=3, n_embd=48, n_positions=24,
         vocab=50, dtype="F16", prefix=False, eps=1e-5),
    dict(name="h5-bf16", seed=3, n_layer=1, n_head=5, n_embd=40, n_positions=16,
         vocab=300, dtype="BF16", prefix=True, eps=1e-6),
    dict(name="lmhead-f32", seed=4, n_layer=2, n_head=2, n_embd=32, n_positions=16,
         vocab=64, dtype="F32", prefix=True, lm_head=True),
    dict(name="noconfig-f32", seed=5, n_layer=1, n_head=2, n_embd=128, n_positions=16,
         vocab=80, dtype="F32", prefix=True, config=False),
    dict(name="meta-f32", seed=6, n_layer=2, n_head=5, n_embd=40, n_positions=16,
         vocab=70, dtype="F32", prefix=True, config=False, meta_n_head=True),
    dict(name="ninner-f32", seed=7, n_layer=1, n_head=2, n_embd=32, n_inner=48,
         n_positions=16, vocab=60, dtype="F32", prefix=True),
    dict(name="eos-f32", seed=8, n_layer=2, n_head=2, n_embd=32, n_positions=32,
         vocab=40, dtype="F32", prefix=True, eos_logit=2.75),
]

MIN_LOGIT_STD = 0.5  # required spread of logits across the vocabulary


# ---------------------------------------------------------------------------
# Random weights
# ---------------------------------------------------------------------------

def make_weights(fx, rng):
    """Random GPT-2 weights as float32 numpy arrays, names without prefix.

    Matrices use std 1/sqrt(fan_in) (0.09-0.18 here) so that attention is not
    uniform and every block visibly changes the logits; embeddings use
    std ~ 1.5/sqrt(C) so the logits spread over a few units.
    """
    C, V, P, L = fx["n_embd"], fx["vocab"], fx["n_positions"], fx["n_layer"]
    N = fx.get("n_inner") or 4 * C

    def normal(std, *shape):
        return (std * rng.standard_normal(shape)).astype(np.float32)

    def ln_weight():
        return (1.0 + 0.1 * rng.standard_normal(C)).astype(np.float32)

    emb_std = 1.5 / np.sqrt(C)
    w = {
        "wte.weight": normal(emb_std, V, C),   # [V, C]
        "wpe.weight": normal(0.1, P, C),       # [P, C]
    }
    for i in range(L):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = ln_weight()                          # [C]
        w[p + "ln_1.bias"] = normal(0.02, C)                        # [C]
        w[p + "attn.c_attn.weight"] = normal(1 / np.sqrt(C), C, 3 * C)  # [C, 3C]
        w[p + "attn.c_attn.bias"] = normal(0.02, 3 * C)             # [3C]
        w[p + "attn.c_proj.weight"] = normal(1 / np.sqrt(C), C, C)  # [C, C]
        w[p + "attn.c_proj.bias"] = normal(0.02, C)                 # [C]
        w[p + "ln_2.weight"] = ln_weight()                          # [C]
        w[p + "ln_2.bias"] = normal(0.02, C)                        # [C]
        w[p + "mlp.c_fc.weight"] = normal(1 / np.sqrt(C), C, N)     # [C, N]
        w[p + "mlp.c_fc.bias"] = normal(0.02, N)                    # [N]
        w[p + "mlp.c_proj.weight"] = normal(1 / np.sqrt(N), N, C)   # [N, C]
        w[p + "mlp.c_proj.bias"] = normal(0.02, C)                  # [C]
    w["ln_f.weight"] = ln_weight()
    w["ln_f.bias"] = normal(0.02, C)
    if fx.get("lm_head"):
        w["lm_head.weight"] = normal(emb_std, V, C)  # [V, C], untied
    return w


def boost_eos(fx, w):
    """Make the end-of-text token (id V-1, tied head) a frequent choice.

    With plain random weights the eos logit is just another random logit and
    generation never picks it.  Here wte[V-1] is replaced by the mean
    direction of the final hidden states (ln_f output, measured on 20 random
    sequences of n_positions tokens from a separate seeded generator), scaled
    so that the eos logit averages fx["eos_logit"] on those states.  It is
    then the argmax at 42% of positions (266 of 640 on 20 other random
    sequences without eos): beams finish at various steps.
    """
    V, C, P = fx["vocab"], fx["n_embd"], fx["n_positions"]
    tensors = {k: torch.from_numpy(v.astype(np.float64)) for k, v in w.items()}
    probe = {"n_layer": fx["n_layer"], "n_head": fx["n_head"], "n_embd": C,
             "vocab_size": V, "n_positions": P, "eps": fx.get("eps", 1e-5),
             "weights": tensors, "lm_head": torch.eye(C, dtype=torch.float64)}
    rng = np.random.default_rng(fx["seed"] + 1000)
    hidden = torch.cat([ref.forward(probe, rng.integers(0, V - 1, size=P).tolist())
                        for _ in range(20)])                       # [20P, C]
    mean = hidden.mean(dim=0)                                      # [C]
    direction = mean / mean.norm()
    row = direction * fx["eos_logit"] / float((hidden @ direction).mean())
    w["wte.weight"][V - 1] = row.numpy().astype(np.float32)


def to_file_tensors(fx, w):
    """Apply naming (prefix) and dtype; add HF-style mask buffers if asked."""
    out = {}
    for name, arr in w.items():
        if fx["prefix"] and name != "lm_head.weight":
            name = "transformer." + name
        out[name] = (fx["dtype"], arr)
    if fx.get("mask_buffers"):
        P = fx["n_positions"]
        mask = np.tril(np.ones((P, P), dtype=np.float32)).reshape(1, 1, P, P)
        for i in range(fx["n_layer"]):
            pre = "transformer." if fx["prefix"] else ""
            out[f"{pre}h.{i}.attn.bias"] = ("F32", mask)
    return out


def hf_config(fx, activation="gelu_new"):
    V, P = fx["vocab"], fx["n_positions"]
    cfg = {
        "activation_function": activation,
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": V - 1,
        "embd_pdrop": 0.1,
        "eos_token_id": V - 1,
        "initializer_range": 0.02,
        "layer_norm_epsilon": fx.get("eps", 1e-5),
        "model_type": "gpt2",
        "n_ctx": P,
        "n_embd": fx["n_embd"],
        "n_head": fx["n_head"],
        "n_inner": fx.get("n_inner"),
        "n_layer": fx["n_layer"],
        "n_positions": P,
        "resid_pdrop": 0.1,
        "vocab_size": V,
    }
    if fx.get("lm_head"):
        # With an explicit, different lm_head.weight HF must not tie it.
        cfg["tie_word_embeddings"] = False
    return cfg


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------
# Fixture generation
# ---------------------------------------------------------------------------

def make_fixture(fx):
    torch.manual_seed(fx["seed"])
    rng = np.random.default_rng(fx["seed"])
    d = os.path.join(OUT, fx["name"])
    os.makedirs(d, exist_ok=True)

    w = make_weights(fx, rng)
    if fx.get("eos_logit"):
        boost_eos(fx, w)
    meta = {"format": "pt"}
    if fx.get("meta_n_head"):
        meta["n_head"] = str(fx["n_head"])
    ref.write_safetensors(os.path.join(d, "model.safetensors"),
                          to_file_tensors(fx, w), meta)
    cfg_path = os.path.join(d, "config.json")
    if fx.get("config", True):
        write_json(cfg_path, hf_config(fx))
    elif os.path.exists(cfg_path):
        os.remove(cfg_path)

    # Reference: read back what was written, run in float64.
    model = ref.load_model(d)
    assert model["n_head"] == fx["n_head"], (fx["name"], model["n_head"])
    assert model["n_inner"] == (fx.get("n_inner") or 4 * fx["n_embd"])

    V, P = fx["vocab"], fx["n_positions"]
    tensors = {}
    stats = []
    for k, T in enumerate([1, 7, P]):
        ids = rng.integers(0, V, size=T)
        logits = ref.forward(model, ids.tolist()).numpy()  # float64 [T, V]
        tensors[f"ids_{k}"] = ("F32", ids.astype(np.float32))
        tensors[f"logits_{k}"] = ("F32", logits.astype(np.float32))
        stats.append(logits)
    ref.write_safetensors(os.path.join(d, "reference.safetensors"), tensors, {
        "generator": "tools/make_fixtures.py",
        "precision": "float64 reference from stored weights"})

    allv = np.concatenate(stats, axis=0)
    spread = allv.std(axis=1).min()  # worst-case std across vocab
    if spread < MIN_LOGIT_STD:
        raise SystemExit(f"{fx['name']}: logits too flat (std {spread:.3f})")
    print(f"{fx['name']:14s} max|logit| {np.abs(allv).max():7.3f}  "
          f"std across vocab: min {spread:.3f} mean {allv.std(axis=1).mean():.3f}")


def make_bad_activation():
    """Same weights as tiny-f32, but config says relu: loaders must reject it."""
    src = os.path.join(OUT, "tiny-f32")
    d = os.path.join(OUT, "bad-activation")
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(src, "model.safetensors"),
                    os.path.join(d, "model.safetensors"))
    tiny = next(f for f in FIXTURES if f["name"] == "tiny-f32")
    write_json(os.path.join(d, "config.json"), hf_config(tiny, activation="relu"))
    try:
        ref.load_model(d)
    except ValueError:
        pass
    else:
        raise SystemExit("bad-activation: reference loader accepted relu")
    print("bad-activation  (tiny-f32 weights, activation_function=relu)")


def main():
    torch.set_num_threads(1)  # deterministic float64 reductions
    os.makedirs(OUT, exist_ok=True)
    for fx in FIXTURES:
        make_fixture(fx)
    make_bad_activation()


if __name__ == "__main__":
    main()
