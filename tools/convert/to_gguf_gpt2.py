"""to_gguf_gpt2: a Hugging Face GPT-2 folder -> a GGUF file for llama.cpp
(the side-by-side speed comparison, tools/bench/bench_llamacpp.sh).

    PYTHONPATH=LLAMA_SRC/gguf-py /usr/bin/python3 tools/convert/to_gguf_gpt2.py \
        [--ftype f32|f16|bf16] [--vocab FILE] [--merges FILE] DIR OUT

DIR holds model.safetensors (F32, F16 or BF16, Conv1D [in, out] layout, as
llm.h reads) and config.json; FILE defaults to DIR/vocab.json (GPT-2's
token -> id JSON map, or OpenAI's encoder.json) and DIR/merges.txt (or
OpenAI's vocab.bpe). llama.cpp's own convert_hf_to_gguf.py needs the
transformers package for the tokenizer; this writes the same file with
only numpy and llama.cpp's gguf-py package (its GGUFWriter; gguf-py
imports sentencepiece at the top but needs it only for SentencePiece
vocabularies, so an empty stand-in is put in its place when it is not
installed). Nothing from llama.cpp is in this repository.

What is written, as llama.cpp's loader (src/llama-model.cpp, LLM_ARCH_GPT2)
reads it and as convert_hf_to_gguf.py's GPT2Model writes it:
  general.architecture "gpt2", gpt2.{context_length, embedding_length,
  feed_forward_length (4 n_embd), block_count, attention.head_count,
  attention.layer_norm_epsilon}, general.file_type;
  tokenizer.ggml.model "gpt2", tokenizer.ggml.pre "gpt-2", .tokens (the
  byte-level strings of vocab.json, by id), .token_type (CONTROL for
  <|endoftext|>, NORMAL otherwise), .merges, .bos/.eos_token_id (config),
  .add_bos_token false (GPT-2 prompts start without one, as in llm.h);
  tensors token_embd, position_embd, output (wte again: GPT-2 ties it),
  output_norm.{weight,bias}, blk.N.{attn_norm, attn_qkv, attn_output,
  ffn_norm, ffn_up, ffn_down}.{weight,bias}. The matrices are stored [out,
  in] (Conv1D transposed; ggml's shape {in, out}). With f16 or bf16 the
  matrices, token_embd and output take that type and the rest F32 (as
  convert_hf_to_gguf.py: vectors, norms and position_embd in F32); f32
  writes all in F32. Values from an F16 or BF16 checkpoint written in its
  own type are bit-exact; F32 -> BF16 rounds to nearest even. llama.cpp's
  llama-quantize makes Q8_0 of the F16 or F32 file. """
import json
import os
import sys
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from to_ggml_gpt2 import read_folder, read_safetensors  # noqa: E402

try:
    import sentencepiece  # noqa: F401
except ImportError:
    stub = types.ModuleType("sentencepiece")
    stub.SentencePieceProcessor = None
    sys.modules["sentencepiece"] = stub
try:
    import gguf  # noqa: E402
except ImportError as e:
    raise SystemExit("to_gguf_gpt2: cannot import gguf (%s): set PYTHONPATH to llama.cpp's gguf-py folder" % e)

LAYER = {"ln_1.weight": "attn_norm.weight", "ln_1.bias": "attn_norm.bias",
         "attn.c_attn.weight": "attn_qkv.weight", "attn.c_attn.bias": "attn_qkv.bias",
         "attn.c_proj.weight": "attn_output.weight", "attn.c_proj.bias": "attn_output.bias",
         "ln_2.weight": "ffn_norm.weight", "ln_2.bias": "ffn_norm.bias",
         "mlp.c_fc.weight": "ffn_up.weight", "mlp.c_fc.bias": "ffn_up.bias",
         "mlp.c_proj.weight": "ffn_down.weight", "mlp.c_proj.bias": "ffn_down.bias"}
FIXED = {"wte.weight": "token_embd.weight", "wpe.weight": "position_embd.weight",
         "lm_head.weight": "output.weight", "ln_f.weight": "output_norm.weight", "ln_f.bias": "output_norm.bias"}
FTYPES = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
          "bf16": gguf.LlamaFileType.MOSTLY_BF16}


def gguf_name(hf):
    """Hugging Face tensor name (no prefix) -> (GGUF name, transpose?) or None to skip."""
    if hf in FIXED:
        return FIXED[hf], False
    parts = hf.split(".", 2)
    if len(parts) == 3 and parts[0] == "h" and parts[1].isdigit() and parts[2] in LAYER:
        return "blk.%s.%s" % (parts[1], LAYER[parts[2]]), parts[2].endswith("weight") and "c_" in parts[2]
    return None


def to_bf16_bits(x):
    """float32 array -> BF16 bit patterns (uint16), round to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def add(writer, name, x, ftype):
    """Add one tensor, the matrices (and embeddings) in ftype, the rest in F32."""
    big = x.ndim == 2 and name != "position_embd.weight"
    if ftype == "f16" and big:
        writer.add_tensor(name, np.ascontiguousarray(x, dtype=np.float16))
    elif ftype == "bf16" and big:
        bits = to_bf16_bits(x)
        writer.add_tensor(name, bits, raw_shape=bits.shape, raw_dtype=gguf.GGMLQuantizationType.BF16)
    else:
        writer.add_tensor(name, np.ascontiguousarray(x, dtype=np.float32))


def main(argv):
    ftype, vocab_path, merges_path, args = "f16", None, None, []
    i = 1
    while i < len(argv):
        if argv[i] in ("--ftype", "--vocab", "--merges") and i + 1 < len(argv):
            if argv[i] == "--ftype":
                if argv[i + 1] not in FTYPES:
                    raise SystemExit("to_gguf_gpt2: --ftype f32, f16 or bf16")
                ftype = argv[i + 1]
            elif argv[i] == "--vocab":
                vocab_path = argv[i + 1]
            else:
                merges_path = argv[i + 1]
            i += 2
        elif argv[i] in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2:
        raise SystemExit("usage: to_gguf_gpt2.py [--ftype f32|f16|bf16] [--vocab FILE] [--merges FILE] DIR OUT")
    src, out_path = args
    cfg, vocab, (n_vocab, n_ctx, n_embd, n_head, n_layer) = read_folder(src, vocab_path)
    with open(merges_path or os.path.join(src, "merges.txt"), encoding="utf-8") as f:
        merges = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#version")]
    if len(vocab) != n_vocab or sorted(vocab.values()) != list(range(n_vocab)):
        raise SystemExit("to_gguf_gpt2: the vocab has %d entries, not ids 0..%d" % (len(vocab), n_vocab - 1))
    if any(len(m.split(" ")) != 2 for m in merges):
        raise SystemExit("to_gguf_gpt2: a merges line is not two symbols separated by one space")
    tokens = [None] * n_vocab
    for tok, idx in vocab.items():
        tokens[idx] = tok
    types_ = [gguf.TokenType.CONTROL if t == "<|endoftext|>" else gguf.TokenType.NORMAL for t in tokens]
    tensors = read_safetensors(os.path.join(src, "model.safetensors"))

    w = gguf.GGUFWriter(out_path, "gpt2")
    w.add_name(os.path.basename(os.path.normpath(src)))
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_feed_forward_length(cfg.get("n_inner") or 4 * n_embd)
    w.add_block_count(n_layer)
    w.add_head_count(n_head)
    w.add_layer_norm_eps(cfg.get("layer_norm_epsilon", 1e-5))
    w.add_file_type(FTYPES[ftype])
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types_)
    w.add_token_merges(merges)
    w.add_bos_token_id(cfg.get("bos_token_id", n_vocab - 1))
    w.add_eos_token_id(cfg.get("eos_token_id", n_vocab - 1))
    w.add_add_bos_token(False)
    written = 0
    for hf, x in tensors.items():
        name = hf[len("transformer."):] if hf.startswith("transformer.") else hf
        if name.endswith("attn.bias") and name.count(".") == 3 or name.endswith("attn.masked_bias"):
            continue
        m = gguf_name(name)
        if m is None:
            raise SystemExit("to_gguf_gpt2: unexpected tensor %s" % hf)
        gname, transpose = m
        add(w, gname, x.T if transpose else x, ftype)
        written += 1
        if gname == "token_embd.weight" and "lm_head.weight" not in tensors:
            add(w, "output.weight", x, ftype)
            written += 1
    expect = 3 + 2 + 12 * n_layer
    if written != expect:
        raise SystemExit("to_gguf_gpt2: wrote %d tensors, expected %d" % (written, expect))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print("to_gguf_gpt2: %s: %d tensors, %s, n_vocab %d n_ctx %d n_embd %d n_head %d n_layer %d"
          % (out_path, written, ftype.upper(), n_vocab, n_ctx, n_embd, n_head, n_layer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
