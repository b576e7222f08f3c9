#!/usr/bin/env python3
"""Sample text from a saved GPT-2 folder with PyTorch (tools/train/train.py's model).

    /usr/bin/python3 tools/train/sample.py models/shakespeare --prompt "ROMEO:" \\
        --tokens 100 --temperature 0.8 --top-k 40 --seed 42 --num 3

--temperature 0 gives greedy decoding.  Seeded, so reruns give the same text.
"""

import argparse
import os
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as tr  # noqa: E402
import train_tokenizer as tt  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--prompt", default="\n")
    ap.add_argument("--tokens", type=int, default=100)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--top-k", type=int, default=40)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--num", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    tok = tt.Tokenizer.load(args.model_dir)
    model = tr.load_model(args.model_dir, torch.float32)
    gen = torch.Generator().manual_seed(args.seed)
    p_ids = tok.encode(args.prompt)
    for i in range(args.num):
        ids = tr.generate(model, p_ids, args.tokens, args.temperature,
                          args.top_k, gen)
        if args.num > 1:
            print(f"--- sample {i + 1} ---")
        print(tok.decode(ids))


if __name__ == "__main__":
    main()
