#!/usr/bin/env python3
"""Generate tests/data/wordpiece-gpt2/: a random-weight GPT-2 checkpoint with
the synthetic BERT vocabulary of tests/data/wordpiece (the layout of the
Chinese GPT-2s such as uer/gpt2-chinese-cluecorpussmall: GPT2LMHeadModel,
vocab.txt, tokenizer_config.json, no eos_token_id in config.json).

Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/reference/make_wordpiece_model.py

Seeded and single-threaded, so a rerun gives byte-identical files. Writes

    model.safetensors      F32 weights (tools/reference/make_fixtures.py's generator)
    config.json            GPT2Config, "tokenizer_class": "BertTokenizer"
    vocab.txt, tokenizer_config.json   copies of tests/data/wordpiece/
                           (vocab.txt, uncased.tokenizer_config.json)
    reference.safetensors  ids_0: [CLS] + the prompt's ids (the JS oracle's
                           ids for PROMPT, from tests/data/wordpiece/cases.tsv);
                           logits_0 [T, V] for them; greedy_0: the greedy
                           continuation (argmax, up to and including [SEP] or
                           MAX_NEW ids); greedy_empty: the same from [CLS]
                           alone (an empty prompt)

The [SEP] embedding row is made a frequent argmax (make_fixtures.boost_eos,
moved from id V-1 to [SEP]'s id), so that greedy generation reaches it.
Logits come from tools/reference/gpt2_reference.py in float64 from the weights read
back from model.safetensors.
"""
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402
import make_fixtures as mf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WP = os.path.join(ROOT, "tests", "data", "wordpiece")
OUT = os.path.join(ROOT, "tests", "data", "wordpiece-gpt2")
PROMPT_CASE = "uncased-zh-0"          # 这是很久之前的事情了
MAX_NEW = 24
MIN_MARGIN = 1e-3                     # top-1 minus top-2 logit at every greedy step


def main():
    torch.set_num_threads(1)
    vocab = open(os.path.join(WP, "vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
    V = len(vocab)
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    fx = dict(name="wordpiece-gpt2", seed=17, n_layer=2, n_head=2, n_embd=16, n_positions=48,
              vocab=V, dtype="F32", prefix=True, eos_logit=7.0)
    rng = np.random.default_rng(fx["seed"])
    os.makedirs(OUT, exist_ok=True)
    w = mf.make_weights(fx, rng)
    mf.boost_eos(fx, w)                                       # boosts id V-1
    wte = w["wte.weight"]
    wte[[sep, V - 1]] = wte[[V - 1, sep]]                     # ... make it [SEP]'s row
    ref.write_safetensors(os.path.join(OUT, "model.safetensors"), mf.to_file_tensors(fx, w), {"format": "pt"})
    cfg = mf.hf_config(fx)
    del cfg["bos_token_id"], cfg["eos_token_id"]              # as uer's config.json: none
    cfg["tokenizer_class"] = "BertTokenizer"
    mf.write_json(os.path.join(OUT, "config.json"), cfg)
    shutil.copyfile(os.path.join(WP, "vocab.txt"), os.path.join(OUT, "vocab.txt"))
    shutil.copyfile(os.path.join(WP, "uncased.tokenizer_config.json"), os.path.join(OUT, "tokenizer_config.json"))

    prompt = None
    for line in open(os.path.join(WP, "cases.tsv"), encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == PROMPT_CASE and f[2] == "0":
            prompt = [int(x) for x in f[4].split()]
    assert prompt, PROMPT_CASE

    model = ref.load_model(OUT)
    ids = [cls] + prompt
    logits = ref.forward(model, ids).numpy()

    def greedy(start):
        seq, out, margin = list(start), [], 1e9
        for _ in range(MAX_NEW):
            last = ref.forward(model, seq).numpy()[-1]
            top = np.sort(last)[-2:]
            margin = min(margin, top[1] - top[0])
            nxt = int(np.argmax(last))
            out.append(nxt)
            seq.append(nxt)
            if nxt == sep:
                break
        return out, margin

    g0, m0 = greedy(ids)
    ge, me = greedy([cls])
    if min(m0, me) < MIN_MARGIN:
        raise SystemExit("greedy margin %.2g is too small: change the seed" % min(m0, me))
    ref.write_safetensors(os.path.join(OUT, "reference.safetensors"), {
        "ids_0": ("F32", np.array(ids, dtype=np.float32)),
        "logits_0": ("F32", logits.astype(np.float32)),
        "greedy_0": ("F32", np.array(g0, dtype=np.float32)),
        "greedy_empty": ("F32", np.array(ge, dtype=np.float32))}, {
        "generator": "tools/reference/make_wordpiece_model.py", "precision": "float64 reference from stored weights"})
    print("wordpiece-gpt2: V %d, prompt %d ids, greedy %d ids (ends in [SEP]: %s, margin %.3g), "
          "empty prompt %d ids (ends in [SEP]: %s, margin %.3g)" %
          (V, len(prompt), len(g0), g0[-1] == sep, m0, len(ge), ge[-1] == sep, me))
    print("greedy_0", g0)
    print("greedy_empty", ge)


if __name__ == "__main__":
    main()
