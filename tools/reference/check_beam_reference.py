#!/usr/bin/env python3
"""Sanity checks for tools/reference/beam_reference.py and tests/data/beam-ref/cases.txt.

    /usr/bin/python3 tools/reference/check_beam_reference.py

1. num_beams=1 beam search equals greedy decoding (no EOS, and with EOS plus
   early_stopping=True), on several checkpoints and prompts.
2. Exhaustive search: when num_beams is at least the number of all possible
   hypotheses, beam search must return exactly the best hypotheses of a
   brute-force enumeration (every sequence that ends on EOS at any length,
   plus every EOS-free sequence of max_new_tokens tokens, scored
   sum_logprobs / generated_length ** length_penalty).  Checked on a synthetic
   5-token model over 4 steps and on tests/data/eos-f32 over 2 steps, for
   several length penalties, every early_stopping value and with
   no_repeat_ngram_size.
3. Every case in cases.txt: the stored scores equal a fresh recomputation from
   tools/reference/gpt2_reference.py's logits of the stored ids; hypotheses are sorted
   best first, distinct, end on EOS or at max_new_tokens, contain no earlier
   EOS and repeat no n-gram when no_repeat_ngram_size is set; and the file is
   exactly what tools/reference/beam_reference.py generates now.
"""

import itertools
import math
import os
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beam_reference as br  # noqa: E402
import gpt2_reference as ref  # noqa: E402

ROOT = br.ROOT
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


def synthetic(vocab, seed):
    """A fixed random 'model': log-probs depend on the whole prefix."""
    cache = {}

    def next_logprobs(ids):
        key = tuple(ids)
        if key not in cache:
            g = torch.Generator().manual_seed(seed * 1000003 + hash(key) % 1000003)
            cache[key] = torch.log_softmax(2.0 * torch.randn(vocab, generator=g,
                                                             dtype=torch.float64), dim=-1)
        return cache[key]
    return next_logprobs


def brute_force(next_logprobs, vocab, prompt, n_new, eos, lp, ngram):
    """All hypotheses with their HF scores, best first."""
    out = []

    def rec(ids, total):
        L = len(ids) - len(prompt)
        if L == n_new:
            out.append((total / L ** lp, ids))
            return
        logp = br.processed_logprobs(next_logprobs, ids, ngram)
        for t in range(vocab):
            if logp[t] == -math.inf:
                continue
            s = total + float(logp[t])
            if t == eos:
                out.append((s / (L + 1) ** lp, ids + [t]))
            else:
                rec(ids + [t], s)
    rec(list(prompt), 0.0)
    out.sort(key=lambda h: -h[0])
    return out


def check_greedy_equivalence():
    for folder in ("tests/data/tiny-f32", "tests/data/eos-f32", "tests/data/h3-f16"):
        model = br.Model(os.path.join(ROOT, folder))
        eos = br.model_eos(folder)
        g = torch.Generator().manual_seed(7)
        for _ in range(3):
            prompt = torch.randint(0, model.vocab - 1, (3,), generator=g).tolist()
            for eos_id, es in ((-1, False), (-1, "never"), (eos, True)):
                for ngram in (0, 2):
                    gr = br.greedy(model.next_logprobs, prompt, 12, eos_id, ngram)
                    bs = br.beam_search(model.next_logprobs, prompt, 1, 12, eos_id, 1.0, es, 1, ngram)
                    score, ids = bs["beams"][0]
                    check(ids == gr["ids"], f"{folder} prompt {prompt} eos {eos_id} es {es} "
                          f"ngram {ngram}: num_beams=1 == greedy ({len(ids) - 3} new)")


def check_exhaustive(name, next_logprobs, vocab, prompt, n_new, eos, num_beams):
    for lp in (0.0, 1.0, 2.0, -1.0, 0.5):
        for es in (True, False, "never"):
            for ngram in (0, 2):
                want = brute_force(next_logprobs, vocab, prompt, n_new, eos, lp, ngram)
                assert len(want) <= num_beams
                got = br.beam_search(next_logprobs, prompt, num_beams, n_new, eos, lp, es, 8, ngram)
                ok = all(a[1] == b[1] and abs(a[0] - b[0]) < 1e-12
                         for a, b in zip(got["beams"], want[:8]))
                n_eos = sum(ids[-1] == eos for _, ids in want[:8])
                check(ok, f"{name}: lp {lp:g} es {es} ngram {ngram}: top 8 of {len(want)} "
                      f"hypotheses == exhaustive ({n_eos} of them end on EOS)")


def parse_cases(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("case "):
                kv = dict(tok.split("=", 1) for tok in line.split()[2:])
                cur = {"name": line.split()[1], "kv": kv, "beams": []}
            elif line.startswith("beam "):
                parts = line.split()
                cur["beams"].append((float(parts[2].split("=")[1]),
                                     [int(x) for x in parts[3].split("=")[1].split(",")]))
            elif line == "end":
                cases.append(cur)
    return cases


def check_fixtures():
    path = os.path.join(br.OUT, "cases.txt")
    cases = parse_cases(path)
    models = {}
    for c in cases:
        kv = c["kv"]
        if kv["model"] not in models:
            models[kv["model"]] = ref.load_model(os.path.join(ROOT, kv["model"]))
        m = models[kv["model"]]
        prompt = [int(x) for x in kv["prompt"].split(",")]
        P, N = len(prompt), int(kv["max_new_tokens"])
        lp, eos, K = float(kv["length_penalty"]), int(kv["eos"]), int(kv["no_repeat_ngram_size"])
        B, R = int(kv["num_beams"]), int(kv["num_return_sequences"])
        ok = len(c["beams"]) == R and R <= B
        scores = []
        for score, ids in c["beams"]:
            gen = ids[P:]
            ok &= ids[:P] == prompt and 1 <= len(gen) <= N
            ok &= (gen[-1] == eos) or len(gen) == N
            ok &= eos not in gen[:-1]
            if K:
                grams = [tuple(ids[i:i + K]) for i in range(len(ids) - K + 1)]
                ok &= len(grams) == len(set(grams))
            if B > 1:
                logp = torch.log_softmax(ref.forward(m, ids[:-1]), dim=-1)     # [T-1, V]
                total = sum(float(logp[P - 1 + i, t]) for i, t in enumerate(gen))
                fresh = total / len(gen) ** lp
                ok &= abs(fresh - score) <= 1e-8 * max(1.0, abs(score))
                scores.append(score)
            else:
                ok &= math.isnan(score)
        ok &= scores == sorted(scores, reverse=True)
        ok &= len({tuple(ids) for _, ids in c["beams"]}) == len(c["beams"])
        n_eos = sum(ids[-1] == eos for _, ids in c["beams"])
        check(ok, f"cases.txt {c['name']}: {R} hypotheses consistent ({n_eos} end on EOS)")
    with open(path) as f:
        stored = f.read()
    text = capture_build()
    check(text == stored, "cases.txt is exactly what tools/reference/beam_reference.py generates")


def capture_build():
    """Run the generator in --print mode and return the fixture text."""
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        br.build(print_only=True)
    out = buf.getvalue()
    start = out.index("# Beam search / greedy reference")
    return out[start:-1]   # print() added one newline


def main():
    torch.set_num_threads(1)
    check_greedy_equivalence()
    check_exhaustive("synthetic V=5, 4 steps", synthetic(5, 1), 5, [0, 1], 4, 4, 700)
    check_exhaustive("synthetic V=5, 4 steps, seed 2", synthetic(5, 2), 5, [3], 4, 2, 700)
    eos_model = br.Model(os.path.join(ROOT, "tests/data/eos-f32"))
    check_exhaustive("eos-f32, 2 steps", eos_model.next_logprobs, eos_model.vocab,
                     [5, 9, 2], 2, 39, 1600)
    check_fixtures()
    print()
    print("ALL CHECKS PASSED" if not failures else f"{len(failures)} CHECK(S) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
