#!/usr/bin/env python3
"""Reference data for the C tests of the shipped Shakespeare model.

Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/reference/make_shakespeare_ref.py
    # options: --model models/shakespeare --data ../shared/data/text/tiny-shakespeare.txt
    #          --out tests/data/shakespeare-ref

Writes into the output folder:

  reference.safetensors  F32 `ids_0` [T] (a held-out passage of T = 64 tokens
                         from the validation split) and `logits_0` [T, V],
                         float64 forward of the stored weights by
                         tools/reference/gpt2_reference.py, stored as float32.
  greedy.txt             line 1: prompt text; line 2: prompt ids; line 3: the
                         32 greedy continuation ids (float64 reference),
                         for a prompt whose 32 steps have no near-ties.
  val.ids                validation token ids, whitespace separated (all of
                         them if the file stays under 200 KB, else the first
                         8192).
  val_loss.txt           a comment line describing the protocol, then the
                         mean NLL (nats/token) of val.ids under the windowed
                         protocol with W = n_ctx.

It also checks that the model round-trips: the float64 logits of
tools/reference/gpt2_reference.py and of tools/train/train.py's own model class (loaded from
the same files) agree within 1e-4, and that the float32 greedy run gives the
same ids as the float64 one.  Deterministic: rerunning rewrites identical
files.
"""

import argparse
import math
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "train")]  # gpt2_reference; train, train_tokenizer
import gpt2_reference as ref  # noqa: E402
import train as tr  # noqa: E402
import train_tokenizer as tt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

T_REF = 64            # positions in reference.safetensors
REF_START = 4096      # where in the validation ids the passage starts
N_GREEDY = 32
NEAR_TIE = 1e-3
MAX_IDS_BYTES = 200_000
N_IDS_FALLBACK = 8192

# single-line prompts, tried in order until one has no near-ties
PROMPTS = [
    "ROMEO: But soft, what light through yonder window breaks?",
    "To be, or not to be, that is the question:",
    "KING RICHARD III: Now is the winter of our discontent",
    "First Citizen: Before we proceed any further, hear me speak.",
]


def ref_windowed_loss(model, ids, window):
    """The windowed protocol, computed with gpt2_reference.forward (float64)."""
    T = len(ids)
    total, count = 0.0, 0
    for s in range(0, T, window):
        x = ids[s:s + window]
        y = ids[s + 1:s + window + 1]
        if not y:
            continue
        logp = torch.log_softmax(ref.forward(model, x), dim=-1)
        total -= float(logp[torch.arange(len(y)), torch.tensor(y)].sum())
        count += len(y)
    assert count == T - 1
    return total / count


def greedy64(model, ids, n):
    """Float64 greedy continuation; also returns the smallest top-2 gap."""
    ids = list(ids)
    out, min_gap = [], math.inf
    for _ in range(n):
        logits = ref.forward(model, ids[-model["n_positions"]:])[-1]
        top = torch.topk(logits, 2).values
        min_gap = min(min_gap, float(top[0] - top[1]))
        nxt = int(logits.argmax())
        out.append(nxt)
        ids.append(nxt)
    return out, min_gap


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "shakespeare"))
    ap.add_argument("--data", default=os.path.join(
        ROOT, "..", "shared", "data", "text", "tiny-shakespeare.txt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data",
                                                  "shakespeare-ref"))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    model = ref.load_model(args.model)
    tok = tt.Tokenizer.load(args.model)
    n_ctx = model["n_positions"]
    with open(args.data, encoding="utf-8", newline="") as f:
        _, val_text = tr.split_text(f.read())
    val_ids = tok.encode(val_text)
    print(f"validation split: {len(val_text)} chars -> {len(val_ids)} tokens")

    # -- round trip: gpt2_reference vs train.py's model class, float64 ------
    passage = val_ids[REF_START:REF_START + T_REF]
    assert len(passage) == T_REF
    logits = ref.forward(model, passage)                      # float64 [T, V]
    m64 = tr.load_model(args.model, torch.float64)
    with torch.no_grad():
        mine = m64(torch.tensor([passage]))[0]
    diff = float((logits - mine).abs().max())
    print(f"round trip: max |gpt2_reference - train.GPT| (float64) = {diff:.3e}")
    assert diff < 1e-4, diff
    long_ids = val_ids[:n_ctx]
    with torch.no_grad():
        diff_long = float((ref.forward(model, long_ids)
                           - m64(torch.tensor([long_ids]))[0]).abs().max())
    print(f"round trip at T={n_ctx}: {diff_long:.3e}")
    assert diff_long < 1e-4, diff_long

    ref.write_safetensors(
        os.path.join(args.out, "reference.safetensors"),
        {"ids_0": ("F32", np.array(passage, dtype=np.float32)),
         "logits_0": ("F32", logits.numpy().astype(np.float32))},
        metadata={"generator": "tools/reference/make_shakespeare_ref.py",
                  "precision": "float64 reference from stored weights",
                  "passage": f"validation ids [{REF_START}, {REF_START + T_REF})"})
    print(f"passage: {tok.decode(passage)!r}")

    # -- greedy -------------------------------------------------------------
    m32 = tr.load_model(args.model, torch.float32)
    chosen = None
    for prompt in PROMPTS:
        p_ids = tok.encode(prompt)
        g, gap = greedy64(model, p_ids, N_GREEDY)
        g32 = tr.generate(m32, p_ids, N_GREEDY, temperature=0)[len(p_ids):]
        print(f"prompt {prompt!r}: min top-2 gap {gap:.4g}, "
              f"float32 {'agrees' if g32 == g else 'DIFFERS'}")
        if gap >= NEAR_TIE and g32 == g:
            chosen = (prompt, p_ids, g, gap)
            break
    assert chosen is not None, "every prompt has a near-tie"
    prompt, p_ids, g, gap = chosen
    with open(os.path.join(args.out, "greedy.txt"), "w") as f:
        f.write(prompt + "\n")
        f.write(" ".join(map(str, p_ids)) + "\n")
        f.write(" ".join(map(str, g)) + "\n")
    print(f"greedy: {prompt!r} -> {tok.decode(g)!r} (min gap {gap:.4f})")

    # -- validation ids + loss ----------------------------------------------
    def ids_text(ids):
        return "\n".join(" ".join(map(str, ids[i:i + 32]))
                         for i in range(0, len(ids), 32)) + "\n"

    txt = ids_text(val_ids)
    subset = len(txt.encode()) >= MAX_IDS_BYTES
    ids = val_ids[:N_IDS_FALLBACK] if subset else val_ids
    with open(os.path.join(args.out, "val.ids"), "w") as f:
        f.write(ids_text(ids))
    loss = ref_windowed_loss(model, ids, n_ctx)
    what = (f"the first {len(ids)} of the {len(val_ids)} validation tokens"
            if subset else f"all {len(ids)} validation tokens")
    with open(os.path.join(args.out, "val_loss.txt"), "w") as f:
        f.write(f"# mean NLL (nats/token) of val.ids ({what}): consecutive "
                f"windows of W={n_ctx} inputs from an empty context, each "
                f"predicting the next token; {len(ids) - 1} predictions; "
                f"float64 tools/reference/gpt2_reference.py; perplexity "
                f"{math.exp(loss):.4f}\n")
        f.write(f"{loss:.6f}\n")
    print(f"val.ids: {what}; windowed loss (W={n_ctx}) {loss:.6f}, "
          f"ppl {math.exp(loss):.4f}")
    if subset:
        full = ref_windowed_loss(model, val_ids, n_ctx)
        print(f"full validation loss (float64 reference): {full:.6f}")
    for name in sorted(os.listdir(args.out)):
        print(f"  {name}: {os.path.getsize(os.path.join(args.out, name))} bytes")


if __name__ == "__main__":
    main()
