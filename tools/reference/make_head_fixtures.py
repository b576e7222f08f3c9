#!/usr/bin/env python3
"""Small random GPT-2 classifier checkpoints and their reference outputs,
for tests/test_heads.c (run from the repository root with the system python
that has torch: /usr/bin/python3 tools/reference/make_head_fixtures.py).

The heads follow Hugging Face's definitions, written here from them (no
code shared with llm.h):

  GPT2ForSequenceClassification: logits = score(hidden) with score a
    bias-free Linear [num_labels, n_embd]; the row read for each sequence
    is, with config.pad_token_id set, the last token that is not a pad
    (argmax of arange * (ids != pad): the first token when all are pads),
    else the last token.
  GPT2ForTokenClassification: logits = classifier(hidden) at every
    position, classifier a Linear [num_labels, n_embd] with a bias.
  problem_type: single_label_classification -> softmax,
    multi_label_classification -> sigmoid, regression -> the raw values;
    unset: num_labels 1 is regression, more is single-label.

hidden is GPT-2's last hidden state (after ln_f), from
gpt2_reference.hidden_states (float64).  Each fixture folder gets
config.json, model.safetensors (F32, HF names with the "transformer."
prefix) and reference.safetensors (F32):
  ids [P, T] (rows padded with -1), len [P], logits and probs [P, N]
  (sequence) or [P, T, N] (token, zero past len), and for seqcls-2 also
  hidden [P, T, C], mean / last [P, C] and mean_norm / last_norm (L2);
  seqcls-2/love.txt: the logits and probabilities of "I love programming."
"""

import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402
from make_fixtures import make_weights, write_json  # noqa: E402

OUT = "tests/data/heads"
TOK = "tests/data/tokenizer/small-hf"   # byte-level vocab with ids 0..300

FIXTURES = [
    # name, vocab, head, num_labels, extra config, tokenizer
    ("seqcls-2", 301, "GPT2ForSequenceClassification", 2,
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}, True),
    ("seqcls-5-pad", 40, "GPT2ForSequenceClassification", 5,
     {"pad_token_id": 0, "problem_type": "multi_label_classification",
      "id2label": {str(i): f"topic{i}" for i in range(5)}}, False),
    ("seqcls-1", 40, "GPT2ForSequenceClassification", 1, {"pad_token_id": 39}, False),
    ("tokcls-3", 301, "GPT2ForTokenClassification", 3,
     {"id2label": {"0": "O", "1": "B-X", "2": "I-X"}, "problem_type": "single_label_classification"}, True),
]

SHAPE = {"n_embd": 16, "n_head": 2, "n_layer": 2, "n_positions": 32}


def prompts(vocab, pad):
    rng = np.random.default_rng(vocab * 7 + 3)
    out = [list(rng.integers(1, vocab - 1, size=n)) for n in (1, 3, 7, 12)]
    if pad is not None:   # right padding, a pad in the middle, a pad first, only pads
        out.append([5, 9, 11, pad, pad])
        out.append([7, pad, 8, 9])
        out.append([pad, 3, 4])
        out.append([pad, pad])
    return [[int(t) for t in p] for p in out]


def cls_index(ids, pad):
    if pad is None:
        return len(ids) - 1
    # HF: the last token that is not a pad (arange * mask, argmax: 0 when every token is a pad)
    mask = torch.ne(torch.tensor(ids), pad).int()
    return int((torch.arange(len(ids)) * mask).argmax(-1))


def probs(logits, problem):
    if problem == "single_label_classification":
        return torch.softmax(logits, dim=-1)
    if problem == "multi_label_classification":
        return torch.sigmoid(logits)
    return logits.clone()


def make(name, V, head, N, extra, tok):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    fx = dict(SHAPE, vocab=V)
    rng = np.random.default_rng(sum(map(ord, name)))
    w = make_weights(fx, rng)
    C = fx["n_embd"]
    tensors = {"transformer." + k: ("F32", v) for k, v in w.items()}
    if head == "GPT2ForSequenceClassification":
        tensors["score.weight"] = ("F32", (rng.standard_normal((N, C)) * 0.5).astype(np.float32))
    else:
        tensors["classifier.weight"] = ("F32", (rng.standard_normal((N, C)) * 0.5).astype(np.float32))
        tensors["classifier.bias"] = ("F32", (rng.standard_normal(N) * 0.1).astype(np.float32))
    ref.write_safetensors(os.path.join(d, "model.safetensors"), tensors)
    cfg = {"activation_function": "gelu_new", "architectures": [head], "bos_token_id": V - 1,
           "eos_token_id": V - 1, "layer_norm_epsilon": 1e-5, "model_type": "gpt2", "n_ctx": SHAPE["n_positions"],
           "n_embd": C, "n_head": SHAPE["n_head"], "n_inner": None, "n_layer": SHAPE["n_layer"],
           "n_positions": SHAPE["n_positions"], "vocab_size": V, "num_labels": N}
    cfg.update(extra)
    write_json(os.path.join(d, "config.json"), cfg)
    if tok:
        for f in ("vocab.json", "merges.txt"):
            shutil.copy(os.path.join(TOK, f), os.path.join(d, f))

    # the reference reads the written files back
    model = ref.load_model(d)
    raw, _ = ref.read_checkpoint(d)
    head_w = torch.from_numpy(raw["score.weight" if "score.weight" in raw else "classifier.weight"])
    head_b = torch.from_numpy(raw["classifier.bias"]) if "classifier.bias" in raw else None
    pad = cfg.get("pad_token_id")
    problem = cfg.get("problem_type") or ("regression" if N == 1 else "single_label_classification")
    ps = prompts(V, pad)
    if name == "seqcls-2":
        # "I love programming.": no merge of the small-hf tokenizer applies, so its ids are its bytes
        ps.append(list(b"I love programming."))
    P, T = len(ps), max(len(p) for p in ps)
    ids = np.full((P, T), -1, np.float32)
    lens = np.array([len(p) for p in ps], np.float32)
    hid = np.zeros((P, T, C), np.float64)
    if head == "GPT2ForSequenceClassification":
        logits, pr = np.zeros((P, N)), np.zeros((P, N))
    else:
        logits, pr = np.zeros((P, T, N)), np.zeros((P, T, N))
    for i, p in enumerate(ps):
        ids[i, :len(p)] = p
        h = ref.hidden_states(model, p)                      # [t, C] float64
        hid[i, :len(p)] = h.numpy()
        lg = h @ head_w.T + (head_b if head_b is not None else 0)   # [t, N]
        if head == "GPT2ForSequenceClassification":
            row = lg[cls_index(p, pad)]
            logits[i], pr[i] = row.numpy(), probs(row, problem).numpy()
        else:
            logits[i, :len(p)], pr[i, :len(p)] = lg.numpy(), probs(lg, problem).numpy()
    out = {"ids": ("F32", ids), "len": ("F32", lens), "logits": ("F32", logits), "probs": ("F32", pr)}
    if name == "seqcls-2":
        mean = np.stack([hid[i, :len(p)].mean(0) for i, p in enumerate(ps)])
        last = np.stack([hid[i, len(p) - 1] for i, p in enumerate(ps)])
        out["hidden"] = ("F32", hid)
        out["mean"], out["last"] = ("F32", mean), ("F32", last)
        out["mean_norm"] = ("F32", mean / np.linalg.norm(mean, axis=1, keepdims=True))
        out["last_norm"] = ("F32", last / np.linalg.norm(last, axis=1, keepdims=True))
    ref.write_safetensors(os.path.join(d, "reference.safetensors"), out)
    if name == "seqcls-2":   # what classify -p "I love programming." --json should print (tests/test_heads_cli.sh)
        with open(os.path.join(d, "love.txt"), "w") as f:
            f.write(" ".join(f"{v:.9g}" for v in list(logits[-1]) + list(pr[-1])) + "\n")
    print(f"{d}: {head}, {N} labels, {problem}, pad {pad}, {P} prompts")


def main():
    for f in FIXTURES:
        make(*f)


if __name__ == "__main__":
    main()
