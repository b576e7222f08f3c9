#!/usr/bin/env python3
"""Independent float64 PyTorch reference for the GPT-2 forward pass.

Written from scratch, sharing no code with llm.h, to produce the expected
logits used by the tests.  It follows Hugging Face's GPT2LMHeadModel:

    x = wte[ids] + wpe[0..T-1]
    for each layer:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
    logits = ln_f(x) @ lm_head^T          (lm_head = wte when tied)

All weights are converted to float64 *after* reading them in their stored
precision (so F16 / BF16 models use the rounded weights), and the whole
computation runs in torch.float64.

Library use:
    import gpt2_reference as ref
    model = ref.load_model("tests/data/tiny-f32")
    logits = ref.forward(model, [1, 2, 3])         # float64 [T, V]

CLI use (run with the system python that has torch):
    /usr/bin/python3 tools/reference/gpt2_reference.py MODEL_DIR --ids 1,2,3
    /usr/bin/python3 tools/reference/gpt2_reference.py MODEL_DIR --ids 1,2,3 --save out.npy
    /usr/bin/python3 tools/reference/gpt2_reference.py MODEL_DIR --ids 1,2,3 --save out.safetensors

The small safetensors reader/writer below is also our own code (no
`safetensors` / `transformers` packages).
"""

import argparse
import json
import math
import os
import re
import struct
import sys

import numpy as np
import torch

# ---------------------------------------------------------------------------
# safetensors I/O
#
# File layout: u64 little-endian header length N, N bytes of JSON header
#   {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
#    ..., "__metadata__": {"k": "v"}}
# then the raw little-endian tensor data; offsets are relative to the start
# of the data section (byte 8 + N).
# ---------------------------------------------------------------------------

_NP_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2"}
_ITEMSIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}


def bf16_bits_to_f32(bits):
    """uint16 bfloat16 bit patterns -> float32 values (exact)."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16_bits(x):
    """float32 -> uint16 bfloat16 bit patterns, round-to-nearest-even.

    (Inputs are assumed finite; no NaN special-casing is needed here.)
    """
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    lsb = (bits >> 16) & np.uint32(1)
    rounded = bits + np.uint32(0x7FFF) + lsb
    return (rounded >> 16).astype(np.uint16)


def read_safetensors(path):
    """Read a .safetensors file.

    Returns (tensors, metadata): tensors maps name -> float64 numpy array
    holding exactly the stored values; metadata is the __metadata__ dict
    (or {}).
    """
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = memoryview(blob)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        dtype, shape = info["dtype"], info["shape"]
        begin, end = info["data_offsets"]
        if dtype not in _NP_DTYPES:
            raise ValueError(f"{name}: unsupported dtype {dtype}")
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * _ITEMSIZE[dtype]:
            raise ValueError(f"{name}: data_offsets do not match shape")
        raw = np.frombuffer(data[begin:end], dtype=_NP_DTYPES[dtype])
        if dtype == "BF16":
            raw = bf16_bits_to_f32(raw)
        tensors[name] = raw.astype(np.float64).reshape(shape)
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Write a .safetensors file.

    tensors: dict name -> (dtype, array) where dtype is "F32", "F16", "BF16"
    or "F64" and array is a numpy array (for BF16: uint16 bit patterns, or
    floats that get rounded to nearest-even).  Tensors are written in sorted
    name order, contiguously; the header is padded with spaces to a multiple
    of 8 bytes.  Output is a pure function of the inputs (byte-reproducible).
    """
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        arr = np.asarray(arr)
        if dtype == "BF16" and arr.dtype != np.uint16:
            arr = f32_to_bf16_bits(arr.astype(np.float32))
        else:
            arr = arr.astype(_NP_DTYPES[dtype])
        raw = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in chunks:
            f.write(raw)


# ---------------------------------------------------------------------------
# Model loading
# ---------------------------------------------------------------------------

_SKIP = re.compile(r"(^|\.)h\.\d+\.attn\.(bias|masked_bias)$")


def read_checkpoint(folder):
    """model.safetensors, or the shards that model.safetensors.index.json
    lists (its weight_map: tensor name -> shard file).  Returns (tensors,
    metadata of the first file)."""
    single = os.path.join(folder, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(folder, "model.safetensors.index.json")) as f:
        weight_map = json.load(f)["weight_map"]
    tensors, metadata = {}, None
    for shard in sorted(set(weight_map.values())):
        part, meta = read_safetensors(os.path.join(folder, shard))
        metadata = meta if metadata is None else metadata
        for name, arr in part.items():
            if weight_map.get(name) != shard or name in tensors:
                raise ValueError(f"{shard}: tensor {name} is not mapped to this shard")
            tensors[name] = arr
    missing = set(weight_map) - set(tensors)
    if missing:
        raise ValueError(f"tensors missing from their shards: {sorted(missing)}")
    return tensors, metadata or {}


# Activations by config.json name, in float64, from PyTorch's own functions
# where it has them (Hugging Face's ACT2FN: the pointwise entries).
def _gelu_erf(x):
    return torch.nn.functional.gelu(x)


ACTIVATIONS = {
    "gelu_new": lambda x: gelu_new(x),
    "gelu_pytorch_tanh": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: 0.5 * x * (1.0 + torch.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x))),
    "gelu_accurate": lambda x: gelu_new(x),
    "gelu_python_tanh": lambda x: gelu_new(x),
    "gelu": _gelu_erf,
    "gelu_python": lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "gelu_10": lambda x: torch.clip(_gelu_erf(x), -10, 10),
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "silu": torch.nn.functional.silu,
    "swish": torch.nn.functional.silu,
    "mish": torch.nn.functional.mish,
    "relu": torch.relu,
    "relu2": lambda x: torch.square(torch.relu(x)),
    "relu6": torch.nn.functional.relu6,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.01),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "laplace": lambda x: 0.5 * (1.0 + torch.erf((x - 0.707107) / (0.282095 * math.sqrt(2.0)))),
    "linear": lambda x: x,
}


def load_model(folder):
    """Load model.safetensors or its shards (+ optional config.json) from
    `folder`.

    Returns a dict with hyper-parameters and float64 torch weights keyed by
    names without the `transformer.` prefix.  Hyper-parameters come from
    config.json when present; otherwise n_head comes from the safetensors
    __metadata__ "n_head", otherwise n_embd // 64.  Shapes are inferred from
    the tensors.
    """
    raw, metadata = read_checkpoint(folder)
    w = {}
    for name, arr in raw.items():
        if _SKIP.search(name):
            continue  # causal-mask buffers, not weights
        if name.startswith("transformer."):
            name = name[len("transformer."):]
        w[name] = torch.from_numpy(arr)  # float64

    config = {}
    cfg_path = os.path.join(folder, "config.json")
    if os.path.exists(cfg_path):
        with open(cfg_path) as f:
            config = json.load(f)

    act = config.get("activation_function", "gelu_new")
    if act not in ACTIVATIONS:
        raise ValueError(f"unsupported activation_function {act!r}")

    V, C = w["wte.weight"].shape
    n_positions = w["wpe.weight"].shape[0]
    n_layer = 1 + max(int(m.group(1)) for m in
                      (re.match(r"h\.(\d+)\.", k) for k in w) if m)
    if "n_head" in config:
        n_head = int(config["n_head"])
    elif "n_head" in metadata:
        n_head = int(metadata["n_head"])
    else:
        n_head = C // 64
    assert C % n_head == 0, "n_embd must be divisible by n_head"
    n_inner = w["h.0.mlp.c_fc.weight"].shape[1]
    eps = float(config.get("layer_norm_epsilon", 1e-5))

    # Hugging Face ties the head to wte unless config.json says otherwise
    # (without a config: the stored head if there is one)
    tied = config.get("tie_word_embeddings", True) if config else "lm_head.weight" not in w
    lm_head = w["wte.weight"] if tied else w["lm_head.weight"]  # [V, C]
    return {
        "n_layer": n_layer, "n_head": n_head, "n_embd": C, "vocab_size": V,
        "n_positions": n_positions, "n_inner": n_inner, "eps": eps,
        "act": ACTIVATIONS[act],
        "scale_attn_weights": bool(config.get("scale_attn_weights", True)),
        "scale_by_layer": bool(config.get("scale_attn_by_inverse_layer_idx", False)),
        # reorder_and_upcast_attn only changes PyTorch's precision; all of
        # this runs in float64 anyway
        "weights": w, "lm_head": lm_head,
    }


# ---------------------------------------------------------------------------
# Layer ops (all float64; x is [T, C] for a single sequence)
# ---------------------------------------------------------------------------

def layer_norm(x, weight, bias, eps):
    # x [T, C]; biased variance like torch.nn.LayerNorm
    mean = x.mean(dim=-1, keepdim=True)                    # [T, 1]
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)     # [T, 1]
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def gelu_new(x):
    # tanh approximation ("gelu_new" in HF)
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                       * (x + 0.044715 * x ** 3)))


def conv1d(x, weight, bias):
    # HF Conv1D: weight stored [in, out]; x [T, in] -> [T, out]
    return x @ weight + bias


def attention(x, w, prefix, n_head, scale_weights=True, layer_div=1.0):
    # x [T, C] -> [T, C]; scores / sqrt(hd) if scale_weights, then / layer_div
    T, C = x.shape
    hd = C // n_head
    qkv = conv1d(x, w[prefix + "c_attn.weight"], w[prefix + "c_attn.bias"])  # [T, 3C]
    q, k, v = qkv.split(C, dim=1)                          # each [T, C]
    q = q.reshape(T, n_head, hd).transpose(0, 1)           # [H, T, hd]
    k = k.reshape(T, n_head, hd).transpose(0, 1)           # [H, T, hd]
    v = v.reshape(T, n_head, hd).transpose(0, 1)           # [H, T, hd]
    scores = q @ k.transpose(1, 2)                         # [H, T, T]
    if scale_weights:
        scores = scores / math.sqrt(hd)
    scores = scores / layer_div
    future = torch.ones(T, T, dtype=torch.bool).triu(1)    # True above diag
    scores = scores.masked_fill(future, float("-inf"))
    probs = torch.softmax(scores, dim=-1)                  # [H, T, T]
    y = (probs @ v).transpose(0, 1).reshape(T, C)          # [T, C]
    return conv1d(y, w[prefix + "c_proj.weight"], w[prefix + "c_proj.bias"])


def mlp(x, w, prefix, act=None):
    # x [T, C] -> [T, n_inner] -> [T, C]
    h = (act or gelu_new)(conv1d(x, w[prefix + "c_fc.weight"], w[prefix + "c_fc.bias"]))
    return conv1d(h, w[prefix + "c_proj.weight"], w[prefix + "c_proj.bias"])


def block(x, w, i, model):
    p, eps = f"h.{i}.", model["eps"]
    # (model dicts built by hand may leave out the flags: GPT-2's defaults)
    div = float(i + 1) if model.get("scale_by_layer", False) else 1.0
    x = x + attention(layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps),
                      w, p + "attn.", model["n_head"], model.get("scale_attn_weights", True), div)
    x = x + mlp(layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps),
                w, p + "mlp.", model.get("act"))
    return x


def forward(model, ids):
    """ids: sequence of ints (length T <= n_positions) -> float64 logits [T, V]."""
    return hidden_states(model, ids) @ model["lm_head"].T  # [T, V]


def hidden_states(model, ids):
    """GPT-2's last hidden state (after ln_f): float64 [T, C]."""
    w = model["weights"]
    ids = torch.as_tensor(list(ids), dtype=torch.long)
    T = ids.shape[0]
    if not 1 <= T <= model["n_positions"]:
        raise ValueError(f"sequence length {T} outside 1..{model['n_positions']}")
    if int(ids.min()) < 0 or int(ids.max()) >= model["vocab_size"]:
        raise ValueError("token id out of range")
    x = w["wte.weight"][ids] + w["wpe.weight"][:T]         # [T, C]
    for i in range(model["n_layer"]):
        x = block(x, w, i, model)
    return layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], model["eps"])


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir", help="folder with model.safetensors or its shards [+ config.json]")
    ap.add_argument("--ids", required=True,
                    help="comma- or space-separated token ids, e.g. 1,2,3")
    ap.add_argument("--save", help="write float32 logits [T, V] to .npy or .safetensors")
    ap.add_argument("--all", action="store_true",
                    help="print logits for every position (default: last only)")
    args = ap.parse_args(argv)

    ids = [int(t) for t in re.split(r"[,\s]+", args.ids.strip()) if t]
    model = load_model(args.model_dir)
    logits = forward(model, ids)
    out = logits.numpy().astype(np.float32)

    print(f"# n_layer={model['n_layer']} n_head={model['n_head']} "
          f"n_embd={model['n_embd']} n_inner={model['n_inner']} "
          f"vocab={model['vocab_size']} n_positions={model['n_positions']} "
          f"eps={model['eps']:g} T={len(ids)}")
    np.set_printoptions(precision=6, suppress=True, linewidth=120,
                        threshold=sys.maxsize)
    rows = range(len(ids)) if args.all else [len(ids) - 1]
    for t in rows:
        print(f"pos {t} (id {ids[t]}): argmax {int(out[t].argmax())}")
        print(out[t])

    if args.save:
        if args.save.endswith(".safetensors"):
            write_safetensors(args.save, {
                "ids": ("F32", np.array(ids, dtype=np.float32)),
                "logits": ("F32", out)})
        else:
            np.save(args.save, out)
        print(f"saved {out.shape} float32 logits to {args.save}")


if __name__ == "__main__":
    main()
