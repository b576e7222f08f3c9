#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Run from the repository root:  python3 tests/fuzz/make_seeds.py
Deterministic (fixed seeds), standard library only. The outputs are
committed; rerunning gives byte-identical files. Every seed is a few KB at
most. The tiny model images here have the same shapes as the one that
tests/fuzz/fuzz_config.c builds in memory (n_layer 1, n_embd 8, n_head 2,
n_positions 4, vocab 8, n_inner 32)."""
import json
import os
import random
import struct
import sys

ROOT = os.path.join("tests", "fuzz", "corpus")


def out(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- safetensors images ------------------------------------------------------

DT = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
      "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}


def pack(dtype, values):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)
    if dtype == "BF16":
        return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)
    raise ValueError(dtype)


def safetensors(tensors, metadata=None, pad_to=8, extra_header_bytes=0):
    """tensors: list of (name, dtype, shape, raw bytes), in file order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    off = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * extra_header_bytes
    if pad_to == 0:  # misalign the data: (8 + header) % 4 == 2
        h += b" " * ((2 - (8 + len(h))) % 4)
    elif pad_to == -1:  # odd offset
        h += b" " * ((1 - (8 + len(h))) % 2)
    elif pad_to:
        h += b" " * ((-(8 + len(h))) % pad_to)
    return struct.pack("<Q", len(h)) + h + b"".join(t[3] for t in tensors)


def tiny_model(dtype="F32", prefix="transformer.", n_head_meta="2", lm_head=False, attn_bias=False,
               L=1, C=8, T=4, V=8, I=32, seed=1, pad_to=8, extra=0):
    rng = random.Random(seed)

    def t(name, shape, scale=0.3, base=0.0):
        n = 1
        for d in shape:
            n *= d
        vals = [base + scale * rng.uniform(-1, 1) for _ in range(n)]
        return (name, dtype, shape, pack(dtype, vals))

    ts = [t(prefix + "wte.weight", [V, C]), t(prefix + "wpe.weight", [T, C], 0.1),
          t(prefix + "ln_f.weight", [C], 0.1, 1.0), t(prefix + "ln_f.bias", [C], 0.02)]
    for l in range(L):
        p = "%sh.%d." % (prefix, l)
        ts += [t(p + "ln_1.weight", [C], 0.1, 1.0), t(p + "ln_1.bias", [C], 0.02),
               t(p + "attn.c_attn.weight", [C, 3 * C]), t(p + "attn.c_attn.bias", [3 * C], 0.02),
               t(p + "attn.c_proj.weight", [C, C]), t(p + "attn.c_proj.bias", [C], 0.02),
               t(p + "ln_2.weight", [C], 0.1, 1.0), t(p + "ln_2.bias", [C], 0.02),
               t(p + "mlp.c_fc.weight", [C, I]), t(p + "mlp.c_fc.bias", [I], 0.02),
               t(p + "mlp.c_proj.weight", [I, C]), t(p + "mlp.c_proj.bias", [C], 0.02)]
        if attn_bias:  # HF's causal-mask buffer, which a loader skips
            ts.append((p + "attn.bias", "F32", [1, 1, T, T],
                       pack("F32", [1.0 if j <= i else 0.0 for i in range(T) for j in range(T)])))
    if lm_head:
        ts.append(t("lm_head.weight", [V, C]))
    ts.sort(key=lambda x: x[0])  # Hugging Face writes names sorted
    meta = {"format": "pt"}
    if n_head_meta is not None:
        meta["n_head"] = n_head_meta
    return safetensors(ts, meta, pad_to, extra)


def model_seeds():
    m = {
        "f32_prefix": tiny_model("F32", attn_bias=True),
        "f16_noprefix": tiny_model("F16", prefix="", seed=2),
        "bf16_lmhead": tiny_model("BF16", lm_head=True, seed=3),
        "f32_misaligned": tiny_model("F32", seed=4, pad_to=0),  # data not 4-aligned: copied at load
        "f16_odd_offset": tiny_model("F16", prefix="", seed=6, pad_to=-1),
        "f16_2layers_ninner": tiny_model("F16", L=2, I=12, n_head_meta="4", seed=5),
    }
    # n_embd 64 and no n_head metadata: n_head = n_embd / 64 (25 KB)
    m["bf16_c64_no_n_head"] = tiny_model("BF16", n_head_meta=None, C=64, T=1, V=2, I=4, seed=7)
    # zero-size tensors: a zero dimension, and a shape over llm.h's limits
    m["zero_vocab"] = safetensors([("wpe.weight", "F32", [4, 8], bytes(128)), ("wte.weight", "F32", [0, 8], b""),
                                   ("h.0.ln_1.weight", "F32", [8], bytes(32))], {"n_head": "2"})
    m["over_limit_embd"] = safetensors([("transformer.wpe.weight", "F16", [0, 70000], b""),
                                        ("transformer.wte.weight", "F16", [0, 70000], b""),
                                        ("transformer.h.0.ln_1.weight", "F16", [0], b"")])
    for k, v in m.items():
        out("model", k, v)
    return m


def safetensors_seeds(models):
    out("safetensors", "model_f32", models["f32_prefix"])
    out("safetensors", "model_f16", models["f16_noprefix"])
    out("safetensors", "empty_header", safetensors([]))
    out("safetensors", "metadata_only", safetensors([], {"format": "pt", "k\u00e9y": "v\\al\"ue", "n_head": "2"}))
    ts = []
    for i, (dt, sz) in enumerate(sorted(DT.items())):
        shape = [2, 1] if i % 2 else [2]
        ts.append(("t.%s" % dt, dt, shape, bytes(range(i, i + sz * 2))))
    ts.append(("scalar", "F32", [], b"\x00\x00\x80\x3f"))
    ts.append(("empty_a", "F16", [0, 5], b""))
    ts.append(("empty_b", "U8", [3, 0, 2], b""))
    out("safetensors", "all_dtypes", safetensors(ts, {"format": "pt"}))
    out("safetensors", "eight_dims", safetensors([("x", "U8", [1, 2, 1, 2, 1, 1, 1, 2], bytes(8))]))
    # escapes in a name, unsorted offsets (the file order is not the offset order)
    h = ('{"b\\u00e9\\ud83d\\ude00":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},'
         '"a\\n\\"":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}').encode()
    out("safetensors", "escaped_unsorted", struct.pack("<Q", len(h)) + h + b"abcd")
    # a few rejected ones
    h = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}'
    out("safetensors", "bad_overlap", struct.pack("<Q", len(h)) + h + bytes(6))
    h = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'
    out("safetensors", "bad_hole", struct.pack("<Q", len(h)) + h + bytes(8))
    out("safetensors", "bad_header_size", struct.pack("<Q", 1 << 40) + b"{}")


# ---- config.json -------------------------------------------------------------

def config_seeds():
    full = {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": 7, "embd_pdrop": 0.1, "eos_token_id": 7, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 4, "n_embd": 8, "n_head": 2,
        "n_inner": None, "n_layer": 1, "n_positions": 4, "resid_pdrop": 0.1,
        "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False,
        "add_cross_attention": False, "tie_word_embeddings": True,
        "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
        "vocab_size": 8}
    out("config", "hf_full", json.dumps(full, indent=2, sort_keys=True))
    out("config", "minimal", '{"n_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":8}')
    out("config", "n_ctx_only", '{"n_layer":1,"n_head":4,"n_embd":8,"n_ctx":4,"vocab_size":8,"n_inner":32,'
                                '"layer_norm_epsilon":1.5e-6,"activation_function":"gelu_pytorch_tanh"}')
    out("config", "escaped_keys", '{"\\u006e_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":8,'
                                  '"n_layer":1,"eos_token_id":null,"activation_function":"gelu_fast"}')
    base = '{"n_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":8,'
    out("config", "seqcls", base + '"architectures":["GPT2ForSequenceClassification"],"num_labels":2,'
        '"id2label":{"0":"NEG","1":"POS"},"label2id":{"NEG":0,"POS":1},"pad_token_id":7,'
        '"problem_type":"multi_label_classification"}')
    out("config", "tokcls", base + '"architectures":["GPT2ForTokenClassification"],'
        '"id2label":{"2":"I","0":"O","1":"B"},"problem_type":null}')
    out("config", "seqcls_bad_labels", base + '"architectures":["GPT2ForSequenceClassification"],"num_labels":2,'
        '"id2label":{"0":"a","0":"b"}}')
    out("config", "bad_architecture", base + '"architectures":["GPT2DoubleHeadsModel"]}')
    out("config", "bad_relu", '{"n_layer":1,"n_head":2,"n_embd":8,"n_positions":4,"vocab_size":8,"activation_function":"relu"}')
    out("config", "bad_shape", '{"n_layer":2,"n_head":3,"n_embd":8,"n_positions":4,"vocab_size":9,"layer_norm_epsilon":0}')


# ---- tokenizers --------------------------------------------------------------

def byte_alphabet():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tokenizer_seeds():
    small = os.path.join("tests", "data", "tokenizer")
    with open(os.path.join(small, "small-hf", "vocab.json"), "rb") as f:
        v = f.read()
    with open(os.path.join(small, "small-hf", "merges.txt"), "rb") as f:
        m = f.read()
    out("vocab", "small_hf", v + b"\0" + m)
    with open(os.path.join(small, "small-json", "tokenizer.json"), "rb") as f:
        out("tokenizer_json", "small_json", f.read())

    # a generated one: the 256 byte tokens, a few merges, CRLF lines,
    # a token outside the byte alphabet, end of text, an id gap
    b2u = byte_alphabet()
    vocab = {b2u[b]: b for b in range(256)}
    merges = [("\u0120", "t"), ("h", "e"), ("\u0120t", "he"), ("i", "n"), ("\u0120", "\u0120"),
              ("\u0120\u0120", "\u0120\u0120"), ("\u00e4", "\u00b8"), ("\u00e4\u00b8", "\u0143")]
    nid = 256
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = nid
            nid += 1
    vocab["\u4e2d\u6587"] = nid + 3          # not in the byte alphabet: its own UTF-8
    vocab["<|endoftext|>"] = nid + 4
    vtxt = json.dumps(vocab, ensure_ascii=False)
    mtxt = "#version: 0.2\r\n" + "".join("%s %s\r\n" % ab for ab in merges)
    out("vocab", "generated_crlf", vtxt.encode() + b"\0" + mtxt.encode())
    out("vocab", "generated_ascii_escapes", json.dumps(vocab, ensure_ascii=True).encode() + b"\0" +
        "".join("%s %s\n" % ab for ab in merges).encode())

    tj = {"version": "1.0", "added_tokens": [
              {"id": nid + 4, "content": "<|endoftext|>", "special": True},
              {"id": nid + 5, "content": "<pad>", "special": True}],
          "normalizer": None,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
          "decoder": {"type": "ByteLevel"},
          "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                    "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                    "ignore_merges": False, "vocab": vocab, "merges": [[a, b] for a, b in merges]}}
    out("tokenizer_json", "generated_pairs", json.dumps(tj, ensure_ascii=False))
    tj["model"]["ignore_merges"] = True
    tj["model"]["merges"] = ["%s %s" % ab for ab in merges]
    out("tokenizer_json", "generated_ignore_merges", json.dumps(tj, ensure_ascii=True))


def encode_seeds():
    # first byte: flags (bit 0: LLM_TOKENIZE_SPECIAL); the rest is the text
    texts = {
        "english": "The quick brown fox jumps over the lazy dog. It's 2024; we'll see, they're here!",
        "contractions": "'s 't 're 've 'm 'll 'd 'S 'x ''s don't I'M",
        "whitespace": "a  b\t\tc\n\n\nd \r\n e   \u3000\u00a0x  ",
        "unicode": "h\u00e9llo w\u00f6rld \u4e2d\u6587 \u0661\u0662\u0663 \U0001f600\U0001f680 \u00bd \u2167 caf\u00e9",
        "endoftext": "Hello<|endoftext|>world <|endoftext|><|endo|endoftext|>",
        "digits": "3.14159 2,718 1e10 0x1F 12345678901234567890",
        "long_word": "a" * 70 + " " + "\u00e9" * 40 + " " + "ab" * 50,
        "code": "int main(void) {\n    return x->y[0] != NULL && !!z;\n}\n",
    }
    for i, (k, t) in enumerate(sorted(texts.items())):
        out("encode", k, bytes([i & 1]) + t.encode("utf-8"))
    out("encode", "invalid_utf8", b"\x01" + b"ab\xff\xfe\xc3(\xe2\x82\xf0\x9f\x98 \xed\xa0\x80x\xf4\x90\x80\x80\xc0\xaf\x80")
    out("encode", "spaces_run", b"\x00" + b" " * 300 + b"x")
    # over 8 KB: llm.h keeps a per-call cache of BPE results for long texts
    rng = random.Random(7)
    words = ["the", "tokenizer", "caf\u00e9", "\u4e2d\u6587", "don't", "x" * 30, "12345", "!!", "\U0001f600",
             "Abracadabra", "supercalifragilistic", "  ", "\n", "<|endoftext|>", "antidisestablishmentarianism"]
    text = ""
    while len(text.encode("utf-8")) < 8400:
        text += rng.choice(words) + rng.choice([" ", " ", ", ", ". ", "\n"])
    out("encode", "long_text_cache", b"\x02" + text.encode("utf-8"))


def decode_seeds():
    out("decode", "ascii_ids", b"\x00" + struct.pack("<8i", 464, 2068, 7586, 21831, 18045, 625, 262, 50256))
    out("decode", "split_utf8", b"\x00" + struct.pack("<6i", 171, 120, 246, 156, 94, 50255))
    out("decode", "out_of_range", b"\x00" + struct.pack("<4i", -1, 50257, 2147483647, -2147483648))
    out("decode", "near_range_u16", b"\x01" + bytes(range(0, 64)))
    out("decode", "byte_tokens", b"\x01" + bytes(b for i in range(40) for b in (i * 7 % 256, 0)))


def generate_args_seeds():
    def argv(*a):
        return b"\0".join(x.encode() for x in a)
    out("generate_args", "typical", argv("-m", "models/none", "-p", "The quick brown fox", "--max-length", "50",
                                         "-n", "5", "--top-k", "40", "--temperature", "0.8", "--seed", "42"))
    out("generate_args", "all_flags", argv("-m", "x", "--max-new-tokens", "3", "--top-p", "0.9", "--min-p", "0.05",
                                           "--repetition-penalty", "1.3", "--greedy", "--stop", "\n", "--stop", ".",
                                           "--ignore-eos", "--special", "--threads", "2", "-q", "-p", "-"))
    out("generate_args", "bad_values", argv("-m", "x", "--top-k", "-1", "--seed", "-5", "--temperature", "nan"))
    out("generate_args", "help", argv("--help"))


def generate_text_seeds():
    # 4 option bytes (sampling, seed, sequences/flags, max_new_tokens), the
    # prompt, then NUL-separated stop strings
    out("generate_text", "greedy_stop", b"\x00\x01\x01\x10hello the cat\0 the\0zz")
    out("generate_text", "sampled_3_seqs", b"\x2a\x07\x02\x20The cat's hat, \xe4\xb8\xad\xe6\x96\x87!")
    out("generate_text", "special_max_length", b"\x46\x03\x48\x00hello<|endoftext|>cat\0he\0ll\0o\0 ")
    out("generate_text", "ignore_eos_long", b"\x83\x0a\x04\x00" + b"the cat " * 4)
    out("generate_text", "too_long_prompt", b"\x00\x00\x00\x05" + bytes(range(32, 127)))


def json_seeds():
    s = {
        "object": '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
        "numbers": "[1, -0, 0.5, -1.25e-3, 1E+10, 12345678901234567890, 18446744073709551615, 1e400, 1e-400, 99999999999999999999999e-3]",
        "escapes": '"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u4e2d \\ud83d\\ude00 \\u0000"',
        "utf8": '"h\u00e9 \u4e2d \U0001f600 \uffff"',
        "deep": "[" * 64 + "{}" + "]" * 64,
        "ws": " \t\r\n{ } ",
        "st_header": '{"__metadata__":{"format":"pt"},"wte.weight":{"dtype":"F32","shape":[8,8],"data_offsets":[0,256]}}',
        "config": '{"n_layer": 1, "n_head": 2, "n_embd": 8, "n_positions": 4, "vocab_size": 8, "layer_norm_epsilon": 1e-05, "n_inner": null, "\\u006e_ctx": 4, "n_layer": 2}',
        "tokjson": '{"model":{"type":"BPE","vocab":{"a":0,"\\u0120":1},"merges":["a b",["c","d"]]},"added_tokens":[{"id":2,"content":"<|endoftext|>","special":true}]}',
        "lone_surrogate": '"lone \\ud800 surrogate"',
        "bad_trailing_comma": '{"a":1,}',
        "bad_leading_zero": "[01]",
    }
    for k, v in s.items():
        out("json", k, v)


def http_seeds():
    """HTTP requests (head + JSON body) for fuzz_http (examples/server_http.h)."""
    def req(head, body=""):
        return head.replace("\n", "\r\n") + body
    body = '{"prompt":"ROMEO:","max_tokens":20,"temperature":0.8,"stop":["\\n\\n"],"stream":true,"seed":1}'
    s = {
        "completion": req("POST /v1/completions HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                          "Content-Length: %d\n\n" % len(body), body),
        "ids": req("POST /v1/completions?x=1 HTTP/1.0\nConnection: keep-alive\nContent-Length: 25\n\n",
                   '{"prompt":[1,2,3],"n":2}\n'),
        "auth": req("GET /v1/models HTTP/1.1\nAuthorization: Bearer k\nExpect: 100-continue\nConnection: close\n\n"),
        "health": req("GET /health HTTP/1.1\n\n"),
        "tokenize": req("POST /tokenize HTTP/1.1\nContent-Length: 40\n\n", '{"content":"h\u00e9 \\ud83d\\ude00","with_pieces":true}'),
        "chunked": req("POST /v1/completions HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n"),
        "two_lengths": req("POST / HTTP/1.1\nContent-Length: 1\nContent-Length: 2\n\nab"),
        "bad_version": req("GET / HTTP/2.0\n\n"),
        "partial": "GET /health HTTP/1.1\r\nHost",
        "garbage": b"\x00\xff\x01 / HTTP/1.1\r\n\r\n",
        "pipelined": req("GET /health HTTP/1.1\n\nGET /v1/models HTTP/1.1\n\n"),
        "embeddings": req("POST /v1/embeddings HTTP/1.1\nContent-Length: 98\n\n",
                          '{"input":["I love programming.","ab"],"encoding_format":"base64","pooling":"last",'
                          '"dimensions":16}'),
        "embeddings_ids": req("POST /v1/embeddings HTTP/1.1\nContent-Length: 43\n\n",
                              '{"input":[[1,2,3],[300],[0,7]],"model":"m"}'),
        "classify": req("POST /classify HTTP/1.1\nContent-Length: 32\n\n", '{"model":"m","input":[5,9,11,0]}'),
    }
    for k, v in s.items():
        out("http", k, v)


def index_seeds():
    """model.safetensors.index.json: a real layout, and the broken ones."""
    layers = {f"transformer.h.{i}.{n}": f"model-{i // 2 + 1:05d}-of-00002.safetensors"
              for i in range(4) for n in ("ln_1.weight", "attn.c_attn.weight")}
    s = {
        "two_shards": json.dumps({"metadata": {"total_size": 1234}, "weight_map": layers}, indent=2),
        "escaped": '{"weight_map": {"t\\u00e9": "model\\u002d1.safetensors"}}',
        "duplicate": '{"weight_map": {"a": "b.safetensors", "a": "b.safetensors"}}',
        "bad_names": '{"weight_map": {"a": "../b.safetensors", "c": 1}}',
        "slash": '{"weight_map": {"a": "x\\u002fy.safetensors"}}',
        "empty_map": '{"weight_map": {}}',
        "no_map": '{"metadata": {}}',
        "many_shards": json.dumps({"weight_map": {f"t{i}": f"s{i % 300}.safetensors" for i in range(600)}}),
    }
    for k, v in s.items():
        out("index", k, v)


def generation_config_seeds():
    """generation_config.json: Hugging Face's shapes, and wrong types."""
    s = {
        "gpt2": {"_from_model_config": True, "bos_token_id": 50256, "eos_token_id": 50256,
                 "transformers_version": "4.27.0.dev0"},
        "sampling": {"do_sample": True, "temperature": 0.7, "top_k": 40, "top_p": 0.95,
                     "repetition_penalty": 1.2, "max_length": 128, "max_new_tokens": 64,
                     "pad_token_id": 0, "eos_token_id": [2, 3], "num_beams": 1},
        "beams": {"num_beams": 4, "no_repeat_ngram_size": 3, "length_penalty": 1.0, "early_stopping": True},
        "bad_types": {"do_sample": "yes", "top_k": -1, "top_p": 2, "eos_token_id": [1, "x"]},
        "nulls": {"do_sample": None, "max_new_tokens": None, "pad_token_id": None, "eos_token_id": None},
    }
    for k, v in s.items():
        out("generation_config", k, json.dumps(v, indent=2))
    out("generation_config", "many_eos", '{"eos_token_id": [1,2,3,4,5,6,7,8,9]}')


def wordpiece_seeds():
    """vocab.txt (NUL tokenizer_config.json) and WordPiece tokenizer.json."""
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "##ing", "play", "caf", "##e",
             "na", "##ive", ",", "!", ".", "a", "##a", "\u4e2d", "\u6587", "\U0001F600"]
    vocab = "\n".join(words) + "\n"
    out("wordpiece", "small_no_config", vocab)
    out("wordpiece", "small_uncased", vocab + "\0" + json.dumps({"do_lower_case": True}))
    out("wordpiece", "small_cased_strip", vocab + "\0" + json.dumps({"do_lower_case": False, "strip_accents": True,
                                                                    "tokenize_chinese_chars": False}))
    out("wordpiece", "small_never_split", vocab + "\0" + json.dumps({"never_split": ["[FOO]", "hello!"],
                                                                    "unk_token": {"content": "[UNK]"}}))
    out("wordpiece", "crlf", vocab.replace("\n", "\r\n"))
    out("wordpiece", "no_unk", "a\nb\n")
    out("wordpiece", "duplicate", "[UNK]\na\na\n")
    out("wordpiece", "invalid_utf8", b"[UNK]\na\xff\n")
    out("wordpiece", "long_line", "[UNK]\n" + "x" * 2000 + "\n")
    tj = {"version": "1.0", "added_tokens": [{"id": i, "content": w, "special": True, "normalized": False}
                                             for i, w in enumerate(words[:5])],
          "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                         "strip_accents": None, "lowercase": True},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 10, "vocab": {w: i for i, w in enumerate(words)}}}
    out("tokenizer_json", "wordpiece", json.dumps(tj))
    tj["normalizer"] = None
    tj["decoder"] = None
    out("tokenizer_json", "wordpiece_bare", json.dumps(tj))


def chat_seeds():
    """Chat templates: tokenizer_config.json NUL config.json, and messages cut by 0x1e."""
    dialogpt = "{% for message in messages %}{{ message.content }}{{ eos_token }}{% endfor %}"
    chatml = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
              "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
              "{% endif %}")
    seeds = {
        "dialogpt": json.dumps({"eos_token": "<|endoftext|>", "chat_template": dialogpt}),
        "dialogpt_trim": json.dumps({"chat_template": "{%- for message in messages -%}{{- message['content'] -}}"
                                                      "{{ eos_token }}{%- endfor %}"}),
        "chatml": json.dumps({"chat_template": chatml}),
        "list": json.dumps({"chat_template": [{"name": "default", "template": dialogpt},
                                              {"name": "tool_use", "template": "{{ tools }}"}]}),
        "list_bad": '{"chat_template": [{"name": 1}]}',
        "unknown": json.dumps({"chat_template": "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"}),
        "config": '{}\0' + json.dumps({"_name_or_path": "microsoft/DialoGPT-small",
                                         "task_specific_params": {"conversational": {"max_length": 1000}}}),
        "config_bad": '{}\0{"_name_or_path": ',
        "messages": "\x01Be brief.\x1e\x02Hi<|im_end|>\x1e\x03Yo\x1e\x02Ok? \u00e9\u4e2d\n\x1e\x04tool",
        "empty_messages": "\x1e\x1e\x1e",
    }
    for k, v in seeds.items():
        out("chat", k, v)


def main():
    if not os.path.isdir(os.path.join("tests", "fuzz")):
        sys.exit("run from the repository root")
    models = model_seeds()
    safetensors_seeds(models)
    config_seeds()
    tokenizer_seeds()
    encode_seeds()
    decode_seeds()
    generate_args_seeds()
    generate_text_seeds()
    json_seeds()
    http_seeds()
    index_seeds()
    generation_config_seeds()
    wordpiece_seeds()
    chat_seeds()


if __name__ == "__main__":
    main()
