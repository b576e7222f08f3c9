#!/usr/bin/env python3
"""Generate the random-weight GPT-2 test fixtures in tests/data/.

Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/reference/make_fixtures.py

Everything is seeded (numpy Generator per fixture, torch.manual_seed), so a
rerun produces byte-identical files.  For each fixture folder
tests/data/<name>/ this writes

    model.safetensors      random weights (F32 / F16 / BF16)
    config.json            Hugging Face style config (most fixtures)
    reference.safetensors  F32 ids_k [T] and logits_k [T, V] for k = 0, 1, 2

The reference logits come from tools/reference/gpt2_reference.py, computed in float64
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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
    # attention flags: unscaled scores; scores / (layer + 1) with the exact
    # GELU and reorder_and_upcast_attn, as Stanford CRFM's and Cerebras' GPT-2s
    dict(name="attn-noscale", seed=20, n_layer=2, n_head=2, n_embd=16, n_positions=8,
         vocab=32, dtype="F32", prefix=True, scale_attn_weights=False, qk_gain=0.5),
    dict(name="attn-layeridx", seed=21, n_layer=3, n_head=2, n_embd=16, n_positions=8,
         vocab=32, dtype="F32", prefix=True, act="gelu", scale_by_layer=True, reorder=True),
    # the same kind of model split over 3 shards with model.safetensors.index.json
    dict(name="sharded-f32", seed=22, n_layer=3, n_head=2, n_embd=16, n_positions=8,
         vocab=32, dtype="F32", prefix=True, shards=3),
]

# One small model per activation of Hugging Face's ACT2FN that llm.h
# computes differently from the default tanh GELU; fc_gain widens the
# pre-activations (std about 4) so that relu6 and gelu_10 clip.
ACTS = ["gelu", "gelu_10", "quick_gelu", "silu", "mish", "relu", "relu2", "relu6",
        "leaky_relu", "sigmoid", "tanh", "laplace", "linear"]
for _i, _a in enumerate(ACTS):
    FIXTURES.append(dict(name="act-" + _a, seed=100 + _i, n_layer=1, n_head=2, n_embd=16,
                         n_positions=8, vocab=32, dtype="F32", prefix=True, act=_a, fc_gain=4.0))
    if _a == "gelu":  # pre-activations where erf and tanh differ most, and a loud MLP
        FIXTURES[-1].update(fc_gain=2.0, proj_gain=8.0, emb_gain=4.0)

# generation_config.json beside two of them (the library parses it; the
# programs take its defaults)
GENERATION_CONFIGS = {
    "act-gelu": {"bos_token_id": 31, "do_sample": True, "eos_token_id": 31, "max_length": 6,
                 "pad_token_id": 0, "repetition_penalty": 1.1, "temperature": 0.7, "top_k": 5,
                 "top_p": 0.9, "transformers_version": "4.27.0"},
    "act-relu": {"_from_model_config": True, "eos_token_id": [31, 30], "num_beams": 4,
                 "transformers_version": "4.27.0"},
}

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

    emb_std = fx.get("emb_gain", 1.0) * 1.5 / np.sqrt(C)
    w = {
        "wte.weight": normal(emb_std, V, C),   # [V, C]
        "wpe.weight": normal(0.1, P, C),       # [P, C]
    }
    for i in range(L):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = ln_weight()                          # [C]
        w[p + "ln_1.bias"] = normal(0.02, C)                        # [C]
        w[p + "attn.c_attn.weight"] = normal(1 / np.sqrt(C), C, 3 * C)  # [C, 3C]
        w[p + "attn.c_attn.weight"][:, :2 * C] *= fx.get("qk_gain", 1.0)  # q and k
        w[p + "attn.c_attn.bias"] = normal(0.02, 3 * C)             # [3C]
        w[p + "attn.c_proj.weight"] = normal(1 / np.sqrt(C), C, C)  # [C, C]
        w[p + "attn.c_proj.bias"] = normal(0.02, C)                 # [C]
        w[p + "ln_2.weight"] = ln_weight()                          # [C]
        w[p + "ln_2.bias"] = normal(0.02, C)                        # [C]
        w[p + "mlp.c_fc.weight"] = normal(fx.get("fc_gain", 1.0) / np.sqrt(C), C, N)  # [C, N]
        w[p + "mlp.c_fc.bias"] = normal(0.02, N)                    # [N]
        w[p + "mlp.c_proj.weight"] = normal(fx.get("proj_gain", 1.0) / np.sqrt(N), N, C)  # [N, C]
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


def hf_config(fx, activation=None):
    activation = activation or fx.get("act", "gelu_new")
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
    if "scale_attn_weights" in fx:
        cfg["scale_attn_weights"] = fx["scale_attn_weights"]
    if fx.get("scale_by_layer"):
        cfg["scale_attn_by_inverse_layer_idx"] = True
    if fx.get("reorder"):
        cfg["reorder_and_upcast_attn"] = True
    return cfg


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------
# Fixture generation
# ---------------------------------------------------------------------------

def write_weights(d, fx, tensors, meta):
    """model.safetensors, or fx["shards"] shards (tensors in name order,
    split into consecutive runs) and model.safetensors.index.json."""
    for f in os.listdir(d):
        if f.startswith("model") and (f.endswith(".safetensors") or f.endswith(".index.json")):
            os.remove(os.path.join(d, f))
    n = fx.get("shards")
    if not n:
        ref.write_safetensors(os.path.join(d, "model.safetensors"), tensors, meta)
        return
    names = sorted(tensors)
    weight_map, total = {}, 0
    for k in range(n):
        shard = f"model-{k + 1:05d}-of-{n:05d}.safetensors"
        part = names[k * len(names) // n:(k + 1) * len(names) // n]
        ref.write_safetensors(os.path.join(d, shard), {t: tensors[t] for t in part}, meta)
        for t in part:
            weight_map[t] = shard
            total += np.asarray(tensors[t][1]).size * {"F32": 4, "F16": 2, "BF16": 2}[tensors[t][0]]
    write_json(os.path.join(d, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})


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
    write_weights(d, fx, to_file_tensors(fx, w), meta)
    gen_path = os.path.join(d, "generation_config.json")
    if fx["name"] in GENERATION_CONFIGS:
        write_json(gen_path, GENERATION_CONFIGS[fx["name"]])
    elif os.path.exists(gen_path):
        os.remove(gen_path)
    cfg_path = os.path.join(d, "config.json")
    if fx.get("config", True):
        write_json(cfg_path, hf_config(fx))
    elif os.path.exists(cfg_path):
        os.remove(cfg_path)

    # Reference: read back what was written, run in float64.
    model = ref.load_model(d)
    assert model["n_head"] == fx["n_head"], (fx["name"], model["n_head"])
    assert model["n_inner"] == (fx.get("n_inner") or 4 * fx["n_embd"])

    write_reference(d, fx, model, rng)
    # each flag and activation must be visible in the logits: the same
    # weights with the default maths give other logits
    plain = dict(model, act=ref.gelu_new, scale_attn_weights=True, scale_by_layer=False)
    if fx.get("act") or "scale_attn_weights" in fx or fx.get("scale_by_layer"):
        ids = list(range(min(fx["n_positions"], fx["vocab"])))
        moved = (ref.forward(model, ids) - ref.forward(plain, ids)).abs().max().item()
        # (the exact and the tanh GELU differ by 5e-4 at most: 1e-3, ten
        # times the tests' tolerance, is what the gelu fixtures must show)
        if moved < (1e-3 if fx.get("act") == "gelu" and not fx.get("scale_by_layer") else 0.01):
            raise SystemExit(f"{fx['name']}: its activation / flags move the logits by only {moved:.3g}")
    if fx.get("act") == "gelu_10":
        clipped = dict(model, act=ref.ACTIVATIONS["gelu"])
        moved = (ref.forward(model, ids) - ref.forward(clipped, ids)).abs().max().item()
        if moved < 0.01:
            raise SystemExit(f"gelu_10: the clipping moves the logits by only {moved:.3g}")


def write_reference(d, fx, model, rng):
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
        "generator": "tools/reference/make_fixtures.py",
        "precision": "float64 reference from stored weights"})

    allv = np.concatenate(stats, axis=0)
    spread = allv.std(axis=1).min()  # worst-case std across vocab
    if spread < MIN_LOGIT_STD:
        raise SystemExit(f"{fx['name']}: logits too flat (std {spread:.3f})")
    print(f"{fx['name']:14s} max|logit| {np.abs(allv).max():7.3f}  "
          f"std across vocab: min {spread:.3f} mean {allv.std(axis=1).mean():.3f}")


def make_bad_activation():
    """Same weights as tiny-f32, but config says prelu (an activation with a
    learned parameter): loaders must reject it."""
    src = os.path.join(OUT, "tiny-f32")
    d = os.path.join(OUT, "bad-activation")
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(src, "model.safetensors"),
                    os.path.join(d, "model.safetensors"))
    tiny = next(f for f in FIXTURES if f["name"] == "tiny-f32")
    write_json(os.path.join(d, "config.json"), hf_config(tiny, activation="prelu"))
    try:
        ref.load_model(d)
    except ValueError:
        pass
    else:
        raise SystemExit("bad-activation: reference loader accepted prelu")
    print("bad-activation  (tiny-f32 weights, activation_function=prelu)")


def make_missing_shard():
    """An index whose shards are not there (the loader names the missing file)."""
    d = os.path.join(OUT, "sharded-missing")
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, "model.safetensors.index.json"), {
        "metadata": {"total_size": 8},
        "weight_map": {"transformer.wte.weight": "model-00001-of-00002.safetensors",
                       "transformer.wpe.weight": "model-00002-of-00002.safetensors"}})
    print("sharded-missing (an index without its shards)")


def make_converted():
    """A pytorch_model.bin (torch.save of a state dict with Hugging Face's
    names, the head tied to wte by shared storage, the attention mask
    buffers, F16 weights) converted by tools/convert/convert_to_safetensors.py into
    tests/data/converted-f16. The reference logits come from the original
    state dict, written by gpt2_reference.py's own writer into a temporary
    folder, not from the converted file. A pickle that would run code must
    be refused."""
    import subprocess
    import tempfile
    fx = dict(name="converted-f16", seed=30, n_layer=2, n_head=2, n_embd=16, n_positions=8,
              vocab=32, dtype="F16", prefix=True, mask_buffers=True)
    rng = np.random.default_rng(fx["seed"])
    torch.manual_seed(fx["seed"])
    w = make_weights(fx, rng)
    state = {}
    for name, (dtype, arr) in to_file_tensors(fx, w).items():
        t = torch.from_numpy(np.ascontiguousarray(arr))
        state[name] = t.half() if dtype == "F16" else t
    state["lm_head.weight"] = state["transformer.wte.weight"]  # tied: the same storage
    d = os.path.join(OUT, fx["name"])
    os.makedirs(d, exist_ok=True)
    conv = os.path.join(ROOT, "tools", "convert", "convert_to_safetensors.py")
    with tempfile.TemporaryDirectory() as tmp:
        src, plain = os.path.join(tmp, "src"), os.path.join(tmp, "plain")
        os.makedirs(src)
        os.makedirs(plain)
        torch.save(state, os.path.join(src, "pytorch_model.bin"))
        write_json(os.path.join(src, "config.json"), hf_config(fx))
        subprocess.run([sys.executable, conv, src, d, "--force"], check=True)
        got, _ = ref.read_safetensors(os.path.join(d, "model.safetensors"))
        want = {k: v.float().numpy().astype(np.float64) for k, v in state.items() if k != "lm_head.weight"}
        assert sorted(got) == sorted(want), sorted(set(got) ^ set(want))
        assert all(np.array_equal(got[k], want[k]) for k in want), "converted tensors differ"
        # reference from the original weights, through the reference's own writer
        ref.write_safetensors(os.path.join(plain, "model.safetensors"), to_file_tensors(fx, w), {"format": "pt"})
        shutil.copyfile(os.path.join(src, "config.json"), os.path.join(plain, "config.json"))
        mine, _ = ref.read_safetensors(os.path.join(plain, "model.safetensors"))
        assert all(np.array_equal(got[k], mine[k]) for k in mine), "torch and numpy F16 rounding differ"
        write_reference(d, fx, ref.load_model(plain), rng)
        # hostile: a pickle whose loading would call os.system
        evil, marker = os.path.join(tmp, "evil"), os.path.join(tmp, "ran")
        os.makedirs(evil)
        with open(os.path.join(evil, "pytorch_model.bin"), "wb") as f:
            f.write(b"cos\nsystem\n(V" + ("touch " + marker).encode() + b"\ntR.")
        r = subprocess.run([sys.executable, conv, evil, os.path.join(tmp, "evil-out")],
                           capture_output=True, text=True)
        assert r.returncode != 0 and not os.path.exists(marker), "converter ran a hostile pickle"
        assert "weights_only" in r.stderr, r.stderr
    print("converted-f16   (pytorch_model.bin -> model.safetensors; hostile pickle refused)")


def main():
    torch.set_num_threads(1)  # deterministic float64 reductions
    os.makedirs(OUT, exist_ok=True)
    for fx in FIXTURES:
        make_fixture(fx)
    make_bad_activation()
    make_missing_shard()
    make_converted()


if __name__ == "__main__":
    main()
