"""to_ggml_gpt2: a Hugging Face GPT-2 folder -> the model file of ggml's
examples/gpt-2 (the side-by-side speed comparison, tools/bench/bench_ggml.sh).

    /usr/bin/python3 tools/convert/to_ggml_gpt2.py [--ftype f16|f32] [--vocab FILE] [--vocab-rows N] DIR OUT

DIR holds model.safetensors (F32, F16 or BF16; tensor names with or without
the "transformer." prefix, Conv1D [in, out] layout, as llm.h reads) and
config.json; FILE (default DIR/vocab.json) is GPT-2's token -> id JSON map
(vocab.json or OpenAI's encoder.json). Needs only numpy: the safetensors
header is read here (8-byte little-endian length, JSON, raw data).

The format written, as ggml's examples/gpt-2 loader reads it (all integers
int32 little-endian):
  magic 0x67676d6c; n_vocab, n_ctx (n_positions), n_embd, n_head, n_layer,
  ftype (0 F32, 1 F16);
  n_vocab again, then for each id in order: byte length, the token's bytes
  (GPT-2's byte-to-unicode mapping undone);
  per tensor: n_dims, name length, type (0 F32, 1 F16), the dims innermost
  first, the name, the data (row-major, innermost dim contiguous).
Names: model/wte, model/wpe, model/lm_head (only when the checkpoint has its
own), model/ln_f/{g,b}, model/hI/{ln_1,ln_2}/{g,b},
model/hI/{attn/c_attn,attn/c_proj,mlp/c_fc,mlp/c_proj}/{w,b}. The four
matrices per layer are stored [out, in] (Conv1D's [in, out] transposed),
so their innermost dim is the input. With --ftype f16 (the default), wte,
lm_head and those matrices are F16 and everything else F32 (the loader
wants wpe, biases and layer norms in F32); with f32 all are F32. ggml's
gpt-2-quantize turns the F16 or F32 file into q8_0.

--vocab-rows N keeps only ids 0..N-1 (the vocabulary's first N entries and
wte's and lm_head's first N rows): a model for timing only, whose LM head
costs next to nothing. ggml's gpt-2 computes the LM head for every prompt
position, llm.h only for the last; with N small, ggml's prompt time is
that of the rest of the network (tools/bench/bench_ggml.sh). """
import json
import os
import struct
import sys

import numpy as np

MAGIC = 0x67676D6C
DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (np.uint16, 2)}


def read_safetensors(path):
    """name -> float32 numpy array (BF16 widened by shifting into the high half)."""
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = info["dtype"]
        if dt not in DTYPES:
            raise SystemExit("to_ggml_gpt2: %s: dtype %s not supported (F32, F16, BF16; "
                             "convert an 8-bit checkpoint's F16 source instead)" % (name, dt))
        npt, size = DTYPES[dt]
        a, b = info["data_offsets"]
        shape = tuple(info["shape"])
        n = int(np.prod(shape)) if shape else 1
        if b - a != n * size:
            raise SystemExit("to_ggml_gpt2: %s: %d bytes for shape %s" % (name, b - a, shape))
        x = np.frombuffer(blob, dtype=npt, count=n, offset=base + a).reshape(shape)
        if dt == "BF16":
            x = (x.astype(np.uint32) << 16).view(np.float32)
        out[name] = x.astype(np.float32)
    return out


def read_folder(src, vocab_path=None):
    """config.json and vocab.json (or vocab_path) of a Hugging Face GPT-2 folder:
    (config, vocab, (n_vocab, n_ctx, n_embd, n_head, n_layer))."""
    with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    with open(vocab_path or os.path.join(src, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    dims = (cfg["vocab_size"], cfg.get("n_positions", cfg.get("n_ctx")), cfg["n_embd"], cfg["n_head"], cfg["n_layer"])
    return cfg, vocab, dims


def byte_decoder():
    """GPT-2's printable-unicode character -> the byte it stands for."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table = {}
    extra = 0
    for b in range(256):
        if b in keep:
            table[chr(b)] = b
        else:
            table[chr(256 + extra)] = b
            extra += 1
    return table


def ggml_name(hf):
    """Hugging Face tensor name (no prefix) -> (ggml name, transpose?) or None to skip."""
    fixed = {"wte.weight": "model/wte", "wpe.weight": "model/wpe", "lm_head.weight": "model/lm_head",
             "ln_f.weight": "model/ln_f/g", "ln_f.bias": "model/ln_f/b"}
    if hf in fixed:
        return fixed[hf], False
    parts = hf.split(".")
    if len(parts) < 4 or parts[0] != "h":
        return None
    layer, rest = parts[1], ".".join(parts[2:])
    if rest in ("attn.bias", "attn.masked_bias"):
        return None
    leaf = {"weight": "w", "bias": "b"}
    if rest.startswith("ln_") and len(parts) == 4:
        return "model/h%s/%s/%s" % (layer, parts[2], "g" if parts[3] == "weight" else "b"), False
    if rest.split(".")[0] in ("attn", "mlp") and len(parts) == 5 and parts[4] in leaf:
        return "model/h%s/%s/%s/%s" % (layer, parts[2], parts[3], leaf[parts[4]]), parts[4] == "weight"
    return None


def main(argv):
    ftype = 1
    vocab_path = None
    rows = 0
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--ftype" and i + 1 < len(argv):
            if argv[i + 1] not in ("f16", "f32"):
                raise SystemExit("to_ggml_gpt2: --ftype f16 or f32")
            ftype = 1 if argv[i + 1] == "f16" else 0
            i += 2
        elif argv[i] == "--vocab" and i + 1 < len(argv):
            vocab_path = argv[i + 1]
            i += 2
        elif argv[i] == "--vocab-rows" and i + 1 < len(argv):
            rows = int(argv[i + 1])
            if rows < 1:
                raise SystemExit("to_ggml_gpt2: --vocab-rows N needs N >= 1")
            i += 2
        elif argv[i] in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        raise SystemExit("usage: to_ggml_gpt2.py [--ftype f16|f32] [--vocab FILE] [--vocab-rows N] DIR OUT")
    src, out_path = args
    cfg, vocab, (n_vocab, n_ctx, n_embd, n_head, n_layer) = read_folder(src, vocab_path)
    if len(vocab) != n_vocab or sorted(vocab.values()) != list(range(n_vocab)):
        raise SystemExit("to_ggml_gpt2: the vocab has %d entries, not ids 0..%d" % (len(vocab), n_vocab - 1))
    by_id = [None] * n_vocab
    for tok, idx in vocab.items():
        by_id[idx] = tok
    if rows:
        if rows > n_vocab:
            raise SystemExit("to_ggml_gpt2: --vocab-rows %d is over the vocabulary's %d" % (rows, n_vocab))
        n_vocab = rows
        by_id = by_id[:rows]
    dec = byte_decoder()
    tensors = read_safetensors(src + "/model.safetensors")

    with open(out_path, "wb") as out:
        out.write(struct.pack("<7i", MAGIC, n_vocab, n_ctx, n_embd, n_head, n_layer, ftype))
        out.write(struct.pack("<i", n_vocab))
        for tok in by_id:
            b = bytes(dec[c] for c in tok)
            out.write(struct.pack("<i", len(b)))
            out.write(b)
        written = 0
        for hf, x in tensors.items():
            name = hf[len("transformer."):] if hf.startswith("transformer.") else hf
            m = ggml_name(name)
            if m is None:
                if name.endswith("attn.bias") or name.endswith("attn.masked_bias"):
                    continue
                raise SystemExit("to_ggml_gpt2: unexpected tensor %s" % hf)
            gname, transpose = m
            if transpose:
                x = x.T
            if gname in ("model/wte", "model/lm_head"):
                x = x[:n_vocab]
            half = ftype == 1 and x.ndim == 2 and gname != "model/wpe"
            x = np.ascontiguousarray(x, dtype=np.float16 if half else np.float32)
            nb = gname.encode("utf-8")
            out.write(struct.pack("<3i", x.ndim, len(nb), 1 if half else 0))
            for d in reversed(x.shape):
                out.write(struct.pack("<i", d))
            out.write(nb)
            out.write(x.astype("<f2" if half else "<f4").tobytes())
            written += 1
    expect = 4 + 12 * n_layer + (1 if "lm_head.weight" in tensors else 0)
    if written != expect:
        raise SystemExit("to_ggml_gpt2: wrote %d tensors, expected %d" % (written, expect))
    print("to_ggml_gpt2: %s: %d tensors, %s, n_vocab %d n_ctx %d n_embd %d n_head %d n_layer %d"
          % (out_path, written, "F16" if ftype else "F32", n_vocab, n_ctx, n_embd, n_head, n_layer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
