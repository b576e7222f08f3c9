#!/usr/bin/env python3
"""Independent beam search / greedy reference with Hugging Face's semantics.

A plain-Python beam search over the float64 forward pass of
tools/reference/gpt2_reference.py, written from the definition of Hugging Face
transformers' `generate(num_beams=..., do_sample=False)` (the vectorised
`_beam_search` that replaced BeamSearchScorer in transformers v4.50 and is
current on main), not from llm.h and without HF code.  It writes the fixtures
in tests/data/beam-ref/ (see the README there for format and semantics).

Semantics followed (B = num_beams, P = prompt length, max_length = P +
max_new_tokens, lp = length_penalty, "generated length" L = number of tokens
after the prompt, counting the EOS token itself when there is one):

  * Start: one live beam (the prompt) with score 0; the other B-1 beams hold
    the prompt with score -1e9 so the first step only expands beam 0.
  * Each step: for every running beam, log_softmax (float64) of the next
    token logits; no_repeat_ngram_size bans (log-prob -inf) are applied
    after the log_softmax (no renormalisation); the candidate score is beam
    score + token log-prob.  The top 2*B candidates over all (beam, token)
    pairs are kept, best first.
  * A candidate "hits a stopping criterion" if its token is EOS or if the
    sequence with it reaches max_length.
  * Next running beams: the best B candidates that did not hit a stopping
    criterion (a hit candidate is pushed down by -1e9, as HF does).
  * Finished hypotheses: among the first B of the 2*B candidates, those that
    hit a stopping criterion are offered with score sum_logprobs / L ** lp;
    the finished set keeps the best B of old + offered.  Nothing is offered
    when early_stopping is True and B hypotheses are already finished, or
    when the early-stop heuristic below has already fired.
  * After the step (with L = tokens generated so far): the heuristic fires
    when all B finished slots are filled and best_running / L' ** lp <=
    worst finished score, where best_running is the best running beam's sum
    of log-probs and L' = max_new_tokens if early_stopping == "never" and
    lp > 0, else L.  Once fired it stays fired.
  * Stop when the heuristic has fired, or when early_stopping is True and all
    B finished slots are filled, or when all 2*B candidates of the step hit a
    stopping criterion (that is the max_length step: there, the best B
    candidates are all offered as finished with L = max_new_tokens, so the
    final selection among unfinished beams is by sum_logprobs /
    max_new_tokens ** lp, merged with the earlier EOS hypotheses).
  * Output: the best num_return_sequences finished hypotheses, best first,
    each with its score; the ids are prompt + generated (with the EOS token
    when the hypothesis ended on EOS).

Greedy (num_beams == 1, do_sample=False) is HF's `_sample` path: argmax of the
processed logits each step (no_repeat_ngram bans applied), stopping after
EOS (kept in the output) or at max_new_tokens.  It has no score.

no_repeat_ngram_size = n > 0 (NoRepeatNGramLogitsProcessor): with the
sequence s (prompt + generated so far, length T), if T + 1 >= n, every token
t such that (s[T-n+1:], t) already occurs as an n-gram in s is banned.

Library use:
    import beam_reference as br
    model = br.Model("tests/data/tiny-f32")
    res = br.beam_search(model.next_logprobs, prompt, num_beams=4, ...)
    res["beams"] -> [(score, ids), ...]; res["min_gap"] -> smallest margin

CLI:
    /usr/bin/python3 tools/reference/beam_reference.py            # rewrite the fixtures
    /usr/bin/python3 tools/reference/beam_reference.py --print    # print, write nothing
"""

import argparse
import math
import os
import sys

import torch

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "train")]  # gpt2_reference; train, train_tokenizer
import gpt2_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "beam-ref")

DEAD = -1.0e9       # HF's score for the B-1 copies of the prompt at step 0
NEAR_TIE = 1e-4     # cases with any decisive margin below this are rejected


class Model:
    """Next-token float64 log-probabilities of a checkpoint (memoised)."""

    def __init__(self, folder):
        self.folder = folder
        self.m = ref.load_model(folder)
        self.vocab = self.m["vocab_size"]
        self.n_positions = self.m["n_positions"]
        self.cache = {}

    def next_logprobs(self, ids):
        key = tuple(ids)
        if key not in self.cache:
            logits = ref.forward(self.m, ids)[-1]                 # [V] float64
            self.cache[key] = torch.log_softmax(logits, dim=-1)   # [V] float64
        return self.cache[key]


def banned_tokens(ids, n):
    """Tokens that would repeat an n-gram of `ids` (HF NoRepeatNGram)."""
    if n <= 0 or len(ids) + 1 < n:
        return set()
    prefix = tuple(ids[len(ids) - n + 1:]) if n > 1 else ()
    out = set()
    for i in range(len(ids) - n + 1):
        if tuple(ids[i:i + n - 1]) == prefix:
            out.add(ids[i + n - 1])
    return out


def processed_logprobs(next_logprobs, ids, no_repeat):
    lp = next_logprobs(ids).clone()
    for t in banned_tokens(ids, no_repeat):
        lp[t] = -math.inf
    return lp


def _sorted_gaps(values):
    """Smallest difference between neighbours of a descending list."""
    gaps = [a - b for a, b in zip(values, values[1:])
            if a > -1e8 and b > -1e8]   # ignore HF's -1e9 placeholders
    return min(gaps) if gaps else math.inf


def greedy(next_logprobs, prompt, max_new_tokens, eos=-1, no_repeat_ngram_size=0):
    """HF greedy decoding; returns dict(ids, min_gap) (top-1 vs top-2 margin)."""
    ids = list(prompt)
    min_gap = math.inf
    for _ in range(max_new_tokens):
        lp = processed_logprobs(next_logprobs, ids, no_repeat_ngram_size)
        top = torch.topk(lp, 2)
        min_gap = min(min_gap, float(top.values[0] - top.values[1]))
        tok = int(top.indices[0])
        ids.append(tok)
        if tok == eos:
            break
    return {"ids": ids, "min_gap": min_gap}


def beam_search(next_logprobs, prompt, num_beams, max_new_tokens, eos=-1,
                length_penalty=1.0, early_stopping=False, num_return_sequences=1,
                no_repeat_ngram_size=0):
    """HF beam search (see the module docstring).

    Returns dict(beams=[(score, ids), ...] best first, num_return_sequences
    of them; min_gap=smallest decisive margin seen; steps; n_eos=number of EOS
    hypotheses offered to the finished set; inf_candidate=True
    if a banned (-inf) candidate was ever among the kept 2*B).
    """
    B = num_beams
    P = len(prompt)
    max_length = P + max_new_tokens
    assert 1 <= num_return_sequences <= B and max_new_tokens >= 1
    assert early_stopping in (True, False, "never")

    running = [(0.0, list(prompt))] + [(DEAD, list(prompt))] * (B - 1)
    # B finished slots, best first: (score, ids, filled); empty slots hold
    # HF's placeholder score -1e9, so an offered hypothesis scoring below it
    # (possible only for candidates grown from the -1e9 copies) never enters
    finished = [(DEAD, None, False)] * B
    heuristic_fired = False
    min_gap = math.inf
    n_eos = 0
    inf_candidate = False
    cur_len = P
    steps = 0
    while True:
        steps += 1
        # all (beam, token) candidates with their accumulated log-probs
        cands = []
        for b, (score, ids) in enumerate(running):
            lp = processed_logprobs(next_logprobs, ids, no_repeat_ngram_size)
            for tok, val in enumerate(lp.tolist()):
                cands.append((score + val, b, tok))
        cands.sort(key=lambda c: -c[0])
        min_gap = min(min_gap, _sorted_gaps([c[0] for c in cands[:2 * B + 1]]))
        top = cands[:2 * B]
        if any(c[0] == -math.inf for c in top):
            inf_candidate = True
        hits = [tok == eos or cur_len + 1 >= max_length for _, _, tok in top]

        # next running beams: best B candidates, stopped ones pushed down
        order = sorted(range(len(top)), key=lambda i: -(top[i][0] + (DEAD if hits[i] else 0.0)))
        new_running = []
        for i in order[:B]:
            s, b, tok = top[i]
            new_running.append((s + (DEAD if hits[i] else 0.0), running[b][1] + [tok]))

        # finished hypotheses: only the first B of the 2*B candidates
        full = all(f[2] for f in finished)
        if not heuristic_fired and not (full and early_stopping is True):
            L = cur_len + 1 - P
            offered = []
            for i in range(B):
                if hits[i]:
                    s, b, tok = top[i]
                    offered.append((s / (L ** length_penalty), running[b][1] + [tok], True))
                    if tok == eos:
                        n_eos += 1
            if offered:
                pool = sorted(finished + offered, key=lambda h: -h[0])
                min_gap = min(min_gap, _sorted_gaps([h[0] for h in pool[:B + 1]]))
                finished = pool[:B]

        running = new_running
        cur_len += 1
        # early-stop heuristic (sticky)
        full = all(f[2] for f in finished)
        if full and not heuristic_fired:
            if early_stopping == "never" and length_penalty > 0.0:
                L = max_length - P
            else:
                L = cur_len - P
            best = running[0][0] / (L ** length_penalty)
            worst = finished[-1][0]
            if abs(best - worst) < 1e8:   # a real comparison, not a placeholder
                min_gap = min(min_gap, abs(best - worst))
            if not best > worst:
                heuristic_fired = True
        stop = (heuristic_fired or (full and early_stopping is True)
                or all(hits))
        if stop:
            break
    assert all(f[2] for f in finished[:num_return_sequences])
    return {"beams": [(f[0], f[1]) for f in finished[:num_return_sequences]], "min_gap": min_gap,
            "steps": steps, "n_eos": n_eos, "inf_candidate": inf_candidate}


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

def fmt_lp(x):
    return f"{x:g}"


def fmt_es(x):
    return {True: "true", False: "false", "never": "never"}[x]


def case_line(c):
    return (f"case {c['name']} model={c['model']} prompt={','.join(map(str, c['prompt']))} "
            f"num_beams={c['num_beams']} length_penalty={fmt_lp(c['length_penalty'])} "
            f"early_stopping={fmt_es(c['early_stopping'])} "
            f"num_return_sequences={c['num_return_sequences']} "
            f"max_new_tokens={c['max_new_tokens']} "
            f"no_repeat_ngram_size={c['no_repeat_ngram_size']} eos={c['eos']} "
            f"do_sample=false min_gap={c['min_gap']:.3g}")


def run_case(models, c):
    """Run one case; returns its text block, or None (with a reason) if rejected."""
    model = models[c["model"]]
    P = len(c["prompt"])
    assert len(c["prompt"]) + c["max_new_tokens"] <= model.n_positions, c["name"]
    if c["num_beams"] == 1:
        assert c["num_return_sequences"] == 1
        r = greedy(model.next_logprobs, c["prompt"], c["max_new_tokens"], c["eos"],
                   c["no_repeat_ngram_size"])
        c["min_gap"] = r["min_gap"]
        lines = [f"beam 0 score=nan ids={','.join(map(str, r['ids']))}"]
        info = f"greedy, {len(r['ids']) - len(c['prompt'])} new"
        n_eos_out = int(r["ids"][-1] == c["eos"] and len(r["ids"]) - P >= 3)
    else:
        assert 2 * c["num_beams"] <= model.vocab
        r = beam_search(model.next_logprobs, c["prompt"], c["num_beams"], c["max_new_tokens"],
                        c["eos"], c["length_penalty"], c["early_stopping"],
                        c["num_return_sequences"], c["no_repeat_ngram_size"])
        if r["inf_candidate"]:
            return None, "a banned (-inf) candidate was among the 2*B kept"
        c["min_gap"] = r["min_gap"]
        lines = [f"beam {i} score={s:.9g} ids={','.join(map(str, ids))}"
                 for i, (s, ids) in enumerate(r["beams"])]
        n_eos_out = sum(ids[-1] == c["eos"] and len(ids) - P >= 3 for _, ids in r["beams"])
        info = f"{r['steps']} steps, {r['n_eos']} EOS hypotheses offered"
    if c["min_gap"] < NEAR_TIE:
        return None, f"near-tie {c['min_gap']:.2e}"
    info += f", {n_eos_out} returned end on EOS after >= 2 other new tokens"
    return "\n".join([case_line(c)] + lines + ["end"]) + "\n", info


# Each case: the model folder, the generation options, and how to pick the
# prompt: "prompt" (fixed ids) or "text" (a list of texts for the model's own
# tokenizer), else random prompts of `plen` ids (never the eos id) from a
# generator seeded with the case's position in this list.  Prompts are tried in
# order until one has no near-tie (and, with want_eos, at least one returned
# hypothesis that ends on EOS before max_new_tokens; with differs, other
# hypotheses or scores than the same case with the options in differs).
SHAKESPEARE = ["ROMEO:", "JULIET:", "KING RICHARD III:", "First Citizen:", "MENENIUS:"]
CASES = [
    # end-of-text hit by some beams (eos-f32: eos id 39 is a frequent choice)
    dict(name="eos_b2_lp1_false", model="tests/data/eos-f32", num_beams=2, length_penalty=1.0,
         early_stopping=False, num_return_sequences=2, max_new_tokens=20, want_eos=True),
    dict(name="eos_b4_lp1_true", model="tests/data/eos-f32", num_beams=4, length_penalty=1.0,
         early_stopping=True, num_return_sequences=4, max_new_tokens=20, want_eos=True),
    dict(name="eos_b4_lp1_false", model="tests/data/eos-f32", num_beams=4, length_penalty=1.0,
         early_stopping=False, num_return_sequences=3, max_new_tokens=20, want_eos=True),
    dict(name="eos_b4_lp1_never", model="tests/data/eos-f32", num_beams=4, length_penalty=1.0,
         early_stopping="never", num_return_sequences=2, max_new_tokens=20, want_eos=True),
    dict(name="eos_b3_lp0_never", model="tests/data/eos-f32", num_beams=3, length_penalty=0.0,
         early_stopping="never", num_return_sequences=3, max_new_tokens=16, want_eos=True),
    dict(name="eos_b5_lp2_false", model="tests/data/eos-f32", num_beams=5, length_penalty=2.0,
         early_stopping=False, num_return_sequences=5, max_new_tokens=20, want_eos=True),
    dict(name="eos_b5_lp2_never", model="tests/data/eos-f32", num_beams=5, length_penalty=2.0,
         early_stopping="never", num_return_sequences=1, max_new_tokens=20),
    dict(name="eos_b3_lpm1_true", model="tests/data/eos-f32", num_beams=3, length_penalty=-1.0,
         early_stopping=True, num_return_sequences=2, max_new_tokens=12, want_eos=True),
    dict(name="eos_b4_lp05_never", model="tests/data/eos-f32", num_beams=4, length_penalty=0.5,
         early_stopping="never", num_return_sequences=4, max_new_tokens=16, want_eos=True),
    dict(name="eos_b3_lp1_false_ignore_eos", model="tests/data/eos-f32", num_beams=3,
         length_penalty=1.0, early_stopping=False, num_return_sequences=3, max_new_tokens=16, eos=-1),
    dict(name="eos_greedy", model="tests/data/eos-f32", num_beams=1, max_new_tokens=20, want_eos=True),
    # the other random checkpoints (their eos is never chosen)
    dict(name="tiny_b3_lp1_false", model="tests/data/tiny-f32", num_beams=3, length_penalty=1.0,
         early_stopping=False, num_return_sequences=1, max_new_tokens=16),
    dict(name="h3_b5_lp1_never", model="tests/data/h3-f16", num_beams=5, length_penalty=1.0,
         early_stopping="never", num_return_sequences=5, max_new_tokens=12),
    dict(name="lmhead_b2_lp2_true", model="tests/data/lmhead-f32", num_beams=2, length_penalty=2.0,
         early_stopping=True, num_return_sequences=1, max_new_tokens=10),
    # no_repeat_ngram_size, greedy and beams
    dict(name="tiny_greedy_ngram2", model="tests/data/tiny-f32", num_beams=1, max_new_tokens=20,
         no_repeat_ngram_size=2),
    dict(name="h3_greedy_ngram3", model="tests/data/h3-f16", num_beams=1, max_new_tokens=16,
         no_repeat_ngram_size=3),
    dict(name="eos_greedy_ngram2", model="tests/data/eos-f32", num_beams=1, max_new_tokens=20,
         no_repeat_ngram_size=2),
    dict(name="tiny_b4_lp1_false_ngram2", model="tests/data/tiny-f32", num_beams=4, length_penalty=1.0,
         early_stopping=False, num_return_sequences=4, max_new_tokens=16, no_repeat_ngram_size=2),
    dict(name="h3_b2_lp1_true_ngram3", model="tests/data/h3-f16", num_beams=2, length_penalty=1.0,
         early_stopping=True, num_return_sequences=2, max_new_tokens=16, no_repeat_ngram_size=3),
    dict(name="eos_b3_lp1_never_ngram3", model="tests/data/eos-f32", num_beams=3, length_penalty=1.0,
         early_stopping="never", num_return_sequences=3, max_new_tokens=20, no_repeat_ngram_size=3),
    # the shipped Shakespeare model (F16 weights, read as stored)
    dict(name="shakespeare_b4_lp1_false", model="models/shakespeare", text=SHAKESPEARE, num_beams=4,
         length_penalty=1.0, early_stopping=False, num_return_sequences=4, max_new_tokens=16),
    dict(name="shakespeare_b3_lp1_true_ngram3", model="models/shakespeare", text=SHAKESPEARE,
         num_beams=3, length_penalty=1.0, early_stopping=True, num_return_sequences=2,
         max_new_tokens=16, no_repeat_ngram_size=3),
    dict(name="shakespeare_b5_lp05_never", model="models/shakespeare", text=SHAKESPEARE, num_beams=5,
         length_penalty=0.5, early_stopping="never", num_return_sequences=3, max_new_tokens=12),
    dict(name="shakespeare_greedy_ngram2", model="models/shakespeare", text=SHAKESPEARE, num_beams=1,
         max_new_tokens=24, no_repeat_ngram_size=2),
    # early_stopping "never" against false (fixed prompts, found by searching prompts and options). With
    # length_penalty > 0, "never" bounds the running beams with max_new_tokens ** lp, false with the
    # current length: here false stops after 2 steps, "never" runs all 8 and returns other hypotheses.
    dict(name="eos_b2_lp1_never_vs_false", model="tests/data/eos-f32", prompt=[26, 2, 6, 9], num_beams=2,
         length_penalty=1.0, early_stopping="never", num_return_sequences=2, max_new_tokens=8,
         differs=dict(early_stopping=False)),
    dict(name="eos_b2_lp1_false_vs_never", model="tests/data/eos-f32", prompt=[26, 2, 6, 9], num_beams=2,
         length_penalty=1.0, early_stopping=False, num_return_sequences=2, max_new_tokens=8,
         differs=dict(early_stopping="never")),
    # with length_penalty <= 0, "never" uses the current length like false (HF); a bound from
    # max_new_tokens would stop this one after 4 steps instead of 7, with another 4th hypothesis
    dict(name="eos_b4_lpm025_never", model="tests/data/eos-f32", prompt=[30, 8, 0, 5], num_beams=4,
         length_penalty=-0.25, early_stopping="never", num_return_sequences=4, max_new_tokens=27),
]
DEFAULTS = dict(length_penalty=1.0, early_stopping=False, num_return_sequences=1,
                no_repeat_ngram_size=0, plen=4, want_eos=False, differs=None)
MAX_TRIES = 12


def model_eos(folder):
    """The eos id llm.h stops at: config.json eos_token_id (all models here have it)."""
    import json
    with open(os.path.join(ROOT, folder, "config.json")) as f:
        return int(json.load(f)["eos_token_id"])


def candidate_prompts(index, spec, model):
    if "prompt" in spec:
        yield list(spec["prompt"]), None
        return
    if "text" in spec:
        import train_tokenizer as tt
        tok = tt.Tokenizer.load(os.path.join(ROOT, spec["model"]))
        for text in spec["text"]:
            yield tok.encode(text), text
        return
    rng = torch.Generator().manual_seed(1000 + index)
    for _ in range(MAX_TRIES):
        ids = torch.randint(0, model.vocab - 1, (spec["plen"],), generator=rng).tolist()
        yield ids, None


def build(print_only=False):
    torch.set_num_threads(1)
    models = {}
    blocks = []
    for index, spec in enumerate(CASES):
        spec = dict(DEFAULTS, **spec)
        if spec["model"] not in models:
            models[spec["model"]] = Model(os.path.join(ROOT, spec["model"]))
        model = models[spec["model"]]
        spec.setdefault("eos", model_eos(spec["model"]))
        chosen = None
        for prompt, text in candidate_prompts(index, spec, model):
            c = dict(spec, prompt=prompt)
            block, info = run_case(models, c)
            if block is not None and spec["want_eos"] and ", 0 returned end on EOS" in info:
                block, info = None, "no returned hypothesis ends on EOS"
            if block is not None and spec["differs"]:
                other = run_case(models, dict(c, **spec["differs"]))[0]
                if other is None or other.split("\n")[1:] == block.split("\n")[1:]:
                    block, info = None, f"not different with {spec['differs']}"
            label = repr(text) if text else ",".join(map(str, prompt))
            print(f"{spec['name']:34s} prompt {label}: "
                  + (info + f", min gap {c['min_gap']:.2e}" if block else "rejected: " + info))
            if block is not None:
                chosen = (block, text)
                break
        if chosen is None:
            raise SystemExit(f"{spec['name']}: no prompt kept (the reasons are above)")
        block, text = chosen
        if text:
            block = f"# prompt text {text!r}\n" + block
        blocks.append(block)
    header = (
        "# Beam search / greedy reference: tools/reference/beam_reference.py (float64, Hugging Face\n"
        "# transformers main semantics; see README.md here).  Regenerate with\n"
        "#   /usr/bin/python3 tools/reference/beam_reference.py\n")
    text = header + "".join(blocks)
    if print_only:
        print(text)
        return
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write(text)
    print(f"wrote {os.path.join(OUT, 'cases.txt')}: {len(blocks)} cases, {len(text)} bytes")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--print", action="store_true", help="print the fixtures, write nothing")
    args = ap.parse_args(argv)
    build(print_only=args.print)


if __name__ == "__main__":
    main()
