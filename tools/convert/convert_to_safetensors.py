#!/usr/bin/env python3
"""Convert a pytorch_model.bin checkpoint folder to model.safetensors.

    /usr/bin/python3 tools/convert/convert_to_safetensors.py SRC_DIR [DST_DIR] [--force]

SRC_DIR holds pytorch_model.bin, or pytorch_model.bin.index.json and the
shards it lists, plus config.json and the tokenizer files. The weights are
read with torch.load(..., weights_only=True) (PyTorch >= 1.13): only
tensors, dicts, lists and numbers are unpickled, never code, so a hostile
file is refused instead of run. DST_DIR (default: SRC_DIR) gets
model.safetensors, one file with every tensor under the name it has in the
checkpoint (Hugging Face's names, e.g. transformer.h.0.attn.c_attn.weight),
and, when it is another folder, copies of config.json,
generation_config.json and the tokenizer files. lm_head.weight is left out
when config.json ties it to the embeddings (tie_word_embeddings, true by
default) and it holds the same values, as Hugging Face's own safetensors
files do; an untied head is kept. An existing model.safetensors is only
replaced with --force.

The safetensors writer is this file's own: an 8-byte little-endian header
length, the JSON header (tensors in name order, contiguous, padded with
spaces to a multiple of 8 bytes), then the raw little-endian data.
"""

import argparse
import json
import os
import shutil
import struct
import sys

import torch

# torch dtype -> safetensors dtype name, and the integer type of the same
# width that .numpy() can take (bfloat16 has no numpy type)
DTYPES = {
    torch.float32: ("F32", None), torch.float16: ("F16", None), torch.bfloat16: ("BF16", torch.int16),
    torch.float64: ("F64", None), torch.int64: ("I64", None), torch.int32: ("I32", None),
    torch.int16: ("I16", None), torch.int8: ("I8", None), torch.uint8: ("U8", None), torch.bool: ("BOOL", None),
}

COPY = ["config.json", "generation_config.json", "vocab.json", "merges.txt", "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt"]


def load_state_dict(src):
    """name -> tensor from pytorch_model.bin or its shards."""
    single = os.path.join(src, "pytorch_model.bin")
    index = os.path.join(src, "pytorch_model.bin.index.json")
    if os.path.exists(single):
        files = [single]
    elif os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        files = [os.path.join(src, name) for name in sorted(set(weight_map.values()))]
        for name in set(weight_map.values()):
            if os.path.basename(name) != name:
                raise SystemExit(f"{index}: shard name {name!r} is not a plain file name")
    else:
        raise SystemExit(f"{src}: no pytorch_model.bin or pytorch_model.bin.index.json")
    state = {}
    for path in files:
        try:
            part = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # UnpicklingError for anything but plain data
            raise SystemExit(f"{path}: refused by torch.load(weights_only=True): {e}")
        if isinstance(part, dict) and "state_dict" in part and isinstance(part["state_dict"], dict):
            part = part["state_dict"]
        if not isinstance(part, dict):
            raise SystemExit(f"{path}: not a state dict")
        for name, t in part.items():
            if not isinstance(t, torch.Tensor):
                raise SystemExit(f"{path}: {name!r} is not a tensor")
            if name in state:
                raise SystemExit(f"{path}: tensor {name!r} is in two shards")
            state[name] = t
    return state


def drop_tied_head(state, config):
    head = state.get("lm_head.weight")
    wte = state.get("transformer.wte.weight", state.get("wte.weight"))
    if head is None or wte is None or not config.get("tie_word_embeddings", True):
        return
    if head.shape == wte.shape and torch.equal(head, wte):
        del state["lm_head.weight"]


def write_safetensors(path, state):
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous()
        if t.dtype not in DTYPES:
            raise SystemExit(f"tensor {name!r}: dtype {t.dtype} has no safetensors name here")
        dtype, as_int = DTYPES[t.dtype]
        raw = (t.view(as_int) if as_int is not None else t).numpy().tobytes()
        if sys.byteorder != "little":
            raise SystemExit("this writer runs on little-endian machines only")
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", help="folder with pytorch_model.bin (or its index and shards)")
    ap.add_argument("dst", nargs="?", help="output folder (default: src)")
    ap.add_argument("--force", action="store_true", help="replace an existing model.safetensors")
    args = ap.parse_args(argv)
    dst = args.dst or args.src
    out = os.path.join(dst, "model.safetensors")
    if os.path.exists(out) and not args.force:
        raise SystemExit(f"{out} exists (--force replaces it)")
    config = {}
    if os.path.exists(os.path.join(args.src, "config.json")):
        with open(os.path.join(args.src, "config.json")) as f:
            config = json.load(f)
    state = load_state_dict(args.src)
    drop_tied_head(state, config)
    os.makedirs(dst, exist_ok=True)
    write_safetensors(out, state)
    copied = []
    if os.path.realpath(dst) != os.path.realpath(args.src):
        for name in COPY:
            if os.path.exists(os.path.join(args.src, name)):
                shutil.copyfile(os.path.join(args.src, name), os.path.join(dst, name))
                copied.append(name)
    print(f"wrote {out}: {len(state)} tensors" + (f"; copied {', '.join(copied)}" if copied else ""))


if __name__ == "__main__":
    main()
