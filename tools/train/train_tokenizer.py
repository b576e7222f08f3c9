#!/usr/bin/env python3
"""Train a byte-level BPE tokenizer in GPT-2's format.

Writes `vocab.json` + `merges.txt` exactly as GPT-2 / Hugging Face lay them
out:

  * vocab.json maps byte-level-unicode token strings to ids: ids 0..255 are
    the 256 single bytes in GPT-2's order (the order of GPT-2's
    `bytes_to_unicode` table: printable bytes '!'..'~', '\xa1'..'\xac',
    '\xae'..'\xff' first, then the remaining bytes), then one id per merge in
    rank order, then `<|endoftext|>` as the last id.
  * merges.txt starts with `#version: 0.2`, then one merge per line,
    "left right", in rank order.

Pre-tokenization is GPT-2's regex

    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+

implemented by hand with unicodedata categories (Python's `re` has no
\\p{L}; the `regex` module is not assumed).  Merges never cross pre-token
boundaries.

Training is deterministic: at each step the most frequent adjacent pair is
merged; ties are broken by the lexicographically smallest pair
(left string, then right string, compared as byte-level-unicode strings).
Pair counts are updated incrementally over a word-frequency table.

Library use (also used by tools/train/train.py):
    import train_tokenizer as tt
    merges = tt.train_bpe(text, vocab_size=4096)
    tt.save(folder, merges)
    tok = tt.Tokenizer.load(folder); ids = tok.encode(text); tok.decode(ids)

CLI:
    /usr/bin/python3 tools/train/train_tokenizer.py INPUT.txt OUT_DIR --vocab-size 4096
"""

import argparse
import heapq
import json
import os
import sys
import time
import unicodedata
from collections import Counter, defaultdict

EOT = "<|endoftext|>"


# ---------------------------------------------------------------------------
# GPT-2 byte <-> unicode map
# ---------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character map.

    Returned as an ordered list of (byte, char) in GPT-2's order, which is
    also the order of ids 0..255 in GPT-2's vocab.json.
    """
    bs = (list(range(ord("!"), ord("~") + 1))
          + list(range(ord("\xa1"), ord("\xac") + 1))
          + list(range(ord("\xae"), ord("\xff") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


BYTE_ORDER = bytes_to_unicode()
BYTE_ENCODER = {b: c for b, c in BYTE_ORDER}
BYTE_DECODER = {c: b for b, c in BYTE_ORDER}


# ---------------------------------------------------------------------------
# GPT-2 pre-tokenizer
# ---------------------------------------------------------------------------

_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")  # regex order


def _cls(ch):
    """'L' letter, 'N' number, 'S' whitespace, 'O' other."""
    if ch.isspace():
        # Python's str.isspace matches the Unicode White_Space chars the
        # regex module's \s matches (plus \x1c-\x1f, which GPT-2 text
        # practically never contains).
        return "S"
    cat = unicodedata.category(ch)[0]
    if cat == "L":
        return "L"
    if cat == "N":
        return "N"
    return "O"


def pretokenize(text):
    """Split text the way GPT-2's pre-tokenizer regex does."""
    out = []
    n = len(text)
    i = 0
    cls_cache = {}

    def cls(ch):
        c = cls_cache.get(ch)
        if c is None:
            c = cls_cache[ch] = _cls(ch)
        return c

    while i < n:
        ch = text[i]
        # 1. contractions
        if ch == "'":
            hit = None
            for c in _CONTRACTIONS:
                if text.startswith(c, i):
                    hit = c
                    break
            if hit is not None:
                out.append(hit)
                i += len(hit)
                continue
        # 2-4. ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
        j = i + 1 if (ch == " " and i + 1 < n) else i
        k = cls(text[j])
        if k != "S":
            e = j + 1
            while e < n and cls(text[e]) == k:
                e += 1
            out.append(text[i:e])
            i = e
            continue
        # 5-6. `\s+(?!\S)` then `\s+`
        e = i + 1
        while e < n and cls(text[e]) == "S":
            e += 1
        if e < n and e - i >= 2:
            e -= 1  # leave one space to prefix the next word
        out.append(text[i:e])
        i = e
    return out


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def train_bpe(text, vocab_size, verbose=True):
    """Return the list of merges (pairs of byte-level-unicode strings).

    vocab_size counts the 256 byte tokens, the merges and <|endoftext|>.
    """
    n_merges = vocab_size - 256 - 1
    if n_merges < 0:
        raise ValueError("vocab_size must be at least 257")
    t0 = time.time()
    word_freq = Counter(pretokenize(text))
    words = []   # list of token-string lists
    freqs = []
    for w, f in sorted(word_freq.items()):
        words.append([BYTE_ENCODER[b] for b in w.encode("utf-8")])
        freqs.append(f)

    pair_count = defaultdict(int)
    pair_words = defaultdict(set)   # pair -> indices of words containing it
    for wi, (syms, f) in enumerate(zip(words, freqs)):
        for a, b in zip(syms, syms[1:]):
            pair_count[(a, b)] += f
            pair_words[(a, b)].add(wi)

    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges:
        # pop the best valid entry (lazy deletion of stale counts)
        while heap:
            negc, p = heapq.heappop(heap)
            if pair_count.get(p, 0) == -negc and negc < 0:
                break
        else:
            break  # nothing left to merge
        a, b = p
        merged = a + b
        merges.append(p)
        changed = {}
        for wi in sorted(pair_words.pop(p, ())):
            syms = words[wi]
            f = freqs[wi]
            # remove this word's old pairs
            for x, y in zip(syms, syms[1:]):
                pair_count[(x, y)] -= f
                changed[(x, y)] = True
            new = []
            k = 0
            L = len(syms)
            while k < L:
                if k + 1 < L and syms[k] == a and syms[k + 1] == b:
                    new.append(merged)
                    k += 2
                else:
                    new.append(syms[k])
                    k += 1
            words[wi] = new
            old_pairs = set(zip(syms, syms[1:]))
            new_pairs = set(zip(new, new[1:]))
            for x, y in zip(new, new[1:]):
                pair_count[(x, y)] += f
                changed[(x, y)] = True
            for q in old_pairs - new_pairs:
                s = pair_words.get(q)
                if s is not None:
                    s.discard(wi)
            for q in new_pairs:
                pair_words[q].add(wi)
        pair_count.pop(p, None)
        for q in changed:
            c = pair_count.get(q, 0)
            if c > 0 and q != p:
                heapq.heappush(heap, (-c, q))
            elif c <= 0:
                pair_count.pop(q, None)
                pair_words.pop(q, None)
        if verbose and (len(merges) % 500 == 0 or len(merges) == n_merges):
            print(f"  merge {len(merges)}/{n_merges}: {a!r} + {b!r} "
                  f"({-negc}) [{time.time() - t0:.1f}s]", file=sys.stderr)
    return merges


def build_vocab(merges):
    vocab = {}
    for _, ch in BYTE_ORDER:
        vocab[ch] = len(vocab)
    for a, b in merges:
        vocab[a + b] = len(vocab)
    vocab[EOT] = len(vocab)
    return vocab


def save(folder, merges):
    os.makedirs(folder, exist_ok=True)
    vocab = build_vocab(merges)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")


# ---------------------------------------------------------------------------
# Encoding / decoding (GPT-2's algorithm: lowest-rank merge first)
# ---------------------------------------------------------------------------

class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inv = {i: s for s, i in vocab.items()}
        self.ranks = {p: r for r, p in enumerate(merges)}
        self.cache = {}

    @classmethod
    def load(cls, folder):
        with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
            vocab = json.load(f)
        merges = []
        with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#version"):
                    continue
                a, b = line.split(" ")
                merges.append((a, b))
        return cls(vocab, merges)

    def _bpe(self, word):
        ids = self.cache.get(word)
        if ids is not None:
            return ids
        syms = [BYTE_ENCODER[b] for b in word.encode("utf-8")]
        while len(syms) > 1:
            best, bi = None, -1
            for k in range(len(syms) - 1):
                r = self.ranks.get((syms[k], syms[k + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, k
            if best is None:
                break
            a, b = syms[bi], syms[bi + 1]
            new, k = [], 0
            while k < len(syms):
                if k + 1 < len(syms) and syms[k] == a and syms[k + 1] == b:
                    new.append(a + b)
                    k += 2
                else:
                    new.append(syms[k])
                    k += 1
            syms = new
        ids = [self.vocab[s] for s in syms]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        out = []
        for w in pretokenize(text):
            out.extend(self._bpe(w))
        return out

    def decode(self, ids):
        s = "".join(self.inv[i] for i in ids)
        if EOT in s:
            parts = s.split(EOT)
            return EOT.join(bytes(BYTE_DECODER[c] for c in p).decode(
                "utf-8", errors="replace") for p in parts)
        return bytes(BYTE_DECODER[c] for c in s).decode("utf-8", errors="replace")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="UTF-8 text file")
    ap.add_argument("out_dir", help="folder for vocab.json and merges.txt")
    ap.add_argument("--vocab-size", type=int, default=4096,
                    help="total ids: 256 bytes + merges + <|endoftext|>")
    ap.add_argument("--first-fraction", type=float, default=1.0,
                    help="train only on the first fraction of the characters "
                         "(e.g. 0.9 to keep a held-out tail unseen)")
    args = ap.parse_args(argv)
    with open(args.input, encoding="utf-8", newline="") as f:
        text = f.read()
    text = text[:int(len(text) * args.first_fraction)]
    t0 = time.time()
    merges = train_bpe(text, args.vocab_size)
    save(args.out_dir, merges)
    tok = Tokenizer.load(args.out_dir)
    ids = tok.encode(text)
    assert tok.decode(ids) == text, "round trip failed"
    print(f"{len(merges)} merges, vocab {len(merges) + 257}; "
          f"{len(text)} chars -> {len(ids)} tokens "
          f"({len(text) / len(ids):.2f} chars/token) in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
