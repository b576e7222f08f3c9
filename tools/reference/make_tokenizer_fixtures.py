#!/usr/bin/env python3
"""Write the small hand-made tokenizer fixtures in tests/data/tokenizer/.

    python3 tools/reference/make_tokenizer_fixtures.py      (from the repository root)

One tiny byte-level BPE vocabulary (not GPT-2's: 256 byte tokens at ids
0..255 in byte order, ten merges, a gap, "<|endoftext|>" at 300) in the three
formats llm.h reads:

    small-hf/vocab.json + merges.txt      (Hugging Face)
    small-openai/encoder.json + vocab.bpe (OpenAI names, same content)
    small-json/tokenizer.json             (Hugging Face fast tokenizer; its
                                           added_tokens add "<|pad|>" = 301)

tests/test_tokenizer.c knows the expected encodings, worked out by hand.
The output is deterministic.
"""
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "tokenizer")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


B2U = bytes_to_unicode()
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("a", "t"), ("c", "at"),
          ("Ġ", "cat"), ("l", "l"), ("e", "ll"), ("h", "ell"), ("hell", "o")]


def main():
    vocab = {}
    for b in range(256):
        vocab[B2U[b]] = b
    for a, c in MERGES:
        vocab[a + c] = len(vocab)
    vocab["<|endoftext|>"] = 300          # ids 266..299 are a gap
    merges_txt = "#version: 0.2\n" + "".join("%s %s\n" % m for m in MERGES)
    vocab_json = json.dumps(vocab, ensure_ascii=False)
    for sub, vname, mname in (("small-hf", "vocab.json", "merges.txt"),
                              ("small-openai", "encoder.json", "vocab.bpe")):
        d = os.path.join(ROOT, sub)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, vname), "w", encoding="utf-8", newline="\n") as f:
            f.write(vocab_json)
        with open(os.path.join(d, mname), "w", encoding="utf-8", newline="\n") as f:
            f.write(merges_txt)
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": 300, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": True, "special": True},
            {"id": 301, "content": "<|pad|>", "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True},
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": ["%s %s" % m for m in MERGES]},
    }
    d = os.path.join(ROOT, "small-json")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(tok, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
