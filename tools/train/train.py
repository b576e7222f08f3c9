#!/usr/bin/env python3
"""Train a small GPT-2-architecture language model on a text file (CPU).

The model is exactly GPT-2's architecture (Hugging Face GPT2LMHeadModel):
learned token + position embeddings, pre-LayerNorm blocks (eps 1e-5),
causal multi-head attention with a fused c_attn, tanh-approximation GELU
("gelu_new") MLP of width 4*n_embd, final LayerNorm and an LM head tied to
the token embedding.  Dropout is used during training only.

Pipeline (all seeded, deterministic for a fixed thread count):
  1. split the text by characters: the first 90% trains, the LAST 10% is
     held out for validation; the two parts are tokenized separately;
  2. train a byte-level BPE tokenizer (tools/train/train_tokenizer.py) on the
     training part only;
  3. train with AdamW (warmup + cosine decay) on random n_ctx windows of the
     training tokens, logging train / sampled validation loss;
  4. round the weights to the storage dtype (F16 by default) and save a
     Hugging Face style folder: model.safetensors (HF GPT-2 tensor names
     without the `transformer.` prefix, Conv1D [in, out] weight layout, no
     lm_head.weight since it is tied), config.json, vocab.json, merges.txt;
  5. evaluate the STORED weights with the windowed protocol below on the
     whole validation split (float64) and the whole training split
     (float32), and report both losses.

Windowed evaluation protocol (the one `build/score --window W` uses):
the T ids are cut into consecutive windows of W inputs; window k feeds
ids[kW .. kW+W) from an empty context and predicts ids[kW+1 .. kW+W] (the
token after each input, where it exists).  The loss is the mean negative
log-probability over all T-1 predictions; perplexity = exp(loss).

Example (the command used for models/shakespeare, run from the repo root):
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/train/train.py \\
        --data ../shared/data/text/tiny-shakespeare.txt --out models/shakespeare
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "reference")]  # train_tokenizer; gpt2_reference
import gpt2_reference as ref  # noqa: E402
import train_tokenizer as tt  # noqa: E402

VAL_FRACTION = 0.1


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def split_text(text, val_fraction=VAL_FRACTION):
    """First (1 - f) of the characters train, the last f validate."""
    cut = int(len(text) * (1.0 - val_fraction))
    return text[:cut], text[cut:]


# ---------------------------------------------------------------------------
# Model (GPT-2 architecture)
# ---------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, C, n_head, dropout, eps):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(C, eps=eps)
        self.c_attn = nn.Linear(C, 3 * C)
        self.attn_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C, eps=eps)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)
        self.drop = nn.Dropout(dropout)
        self.attn_drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q = q.view(B, T, H, C // H).transpose(1, 2)    # [B, H, T, hd]
        k = k.view(B, T, H, C // H).transpose(1, 2)
        v = v.view(B, T, H, C // H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // H))
        att = att.masked_fill(mask[:T, :T], float("-inf"))
        att = self.attn_drop(torch.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.drop(self.attn_proj(y))
        h = F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")
        return x + self.drop(self.mlp_proj(h))


class GPT(nn.Module):
    def __init__(self, vocab_size, n_ctx, n_layer, n_head, n_embd,
                 dropout=0.0, eps=1e-5):
        super().__init__()
        self.cfg = dict(vocab_size=vocab_size, n_ctx=n_ctx, n_layer=n_layer,
                        n_head=n_head, n_embd=n_embd, eps=eps)
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_ctx, n_embd)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList(Block(n_embd, n_head, dropout, eps)
                               for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd, eps=eps)
        self.register_buffer(
            "mask", torch.ones(n_ctx, n_ctx, dtype=torch.bool).triu(1),
            persistent=False)
        # GPT-2 initialisation
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" in name:
                nn.init.ones_(p)
            elif name.endswith("attn_proj.weight") or name.endswith("mlp_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))
            else:
                nn.init.normal_(p, 0.0, 0.02)
        nn.init.normal_(self.wpe.weight, 0.0, 0.01)

    def forward(self, idx):
        B, T = idx.shape
        x = self.drop(self.wte(idx) + self.wpe.weight[:T])
        for blk in self.h:
            x = blk(x, self.mask)
        x = self.ln_f(x)
        return x @ self.wte.weight.T                   # tied LM head

    # --- Hugging Face GPT-2 tensor names, Conv1D [in, out] layout -----------
    def hf_state(self):
        """name -> float32 numpy array, HF GPT-2 names (no prefix)."""
        t = lambda p: p.detach().to(torch.float32).cpu().numpy()  # noqa: E731
        out = {"wte.weight": t(self.wte.weight), "wpe.weight": t(self.wpe.weight),
               "ln_f.weight": t(self.ln_f.weight), "ln_f.bias": t(self.ln_f.bias)}
        for i, b in enumerate(self.h):
            p = f"h.{i}."
            out[p + "ln_1.weight"] = t(b.ln_1.weight)
            out[p + "ln_1.bias"] = t(b.ln_1.bias)
            out[p + "ln_2.weight"] = t(b.ln_2.weight)
            out[p + "ln_2.bias"] = t(b.ln_2.bias)
            out[p + "attn.c_attn.weight"] = t(b.c_attn.weight).T.copy()
            out[p + "attn.c_attn.bias"] = t(b.c_attn.bias)
            out[p + "attn.c_proj.weight"] = t(b.attn_proj.weight).T.copy()
            out[p + "attn.c_proj.bias"] = t(b.attn_proj.bias)
            out[p + "mlp.c_fc.weight"] = t(b.c_fc.weight).T.copy()
            out[p + "mlp.c_fc.bias"] = t(b.c_fc.bias)
            out[p + "mlp.c_proj.weight"] = t(b.mlp_proj.weight).T.copy()
            out[p + "mlp.c_proj.bias"] = t(b.mlp_proj.bias)
        return out

    @torch.no_grad()
    def load_hf_state(self, w):
        """Inverse of hf_state (w: name -> numpy array or tensor)."""
        g = lambda n: torch.as_tensor(np.asarray(w[n]))  # noqa: E731
        cp = lambda dst, src: dst.copy_(src.to(dst.dtype))  # noqa: E731
        cp(self.wte.weight, g("wte.weight"))
        cp(self.wpe.weight, g("wpe.weight"))
        cp(self.ln_f.weight, g("ln_f.weight"))
        cp(self.ln_f.bias, g("ln_f.bias"))
        for i, b in enumerate(self.h):
            p = f"h.{i}."
            cp(b.ln_1.weight, g(p + "ln_1.weight"))
            cp(b.ln_1.bias, g(p + "ln_1.bias"))
            cp(b.ln_2.weight, g(p + "ln_2.weight"))
            cp(b.ln_2.bias, g(p + "ln_2.bias"))
            cp(b.c_attn.weight, g(p + "attn.c_attn.weight").T)
            cp(b.c_attn.bias, g(p + "attn.c_attn.bias"))
            cp(b.attn_proj.weight, g(p + "attn.c_proj.weight").T)
            cp(b.attn_proj.bias, g(p + "attn.c_proj.bias"))
            cp(b.c_fc.weight, g(p + "mlp.c_fc.weight").T)
            cp(b.c_fc.bias, g(p + "mlp.c_fc.bias"))
            cp(b.mlp_proj.weight, g(p + "mlp.c_proj.weight").T)
            cp(b.mlp_proj.bias, g(p + "mlp.c_proj.bias"))


def hf_config(cfg, eot_id):
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.0,
        "bos_token_id": eot_id,
        "embd_pdrop": 0.0,
        "eos_token_id": eot_id,
        "initializer_range": 0.02,
        "layer_norm_epsilon": cfg["eps"],
        "model_type": "gpt2",
        "n_ctx": cfg["n_ctx"],
        "n_embd": cfg["n_embd"],
        "n_head": cfg["n_head"],
        "n_inner": None,
        "n_layer": cfg["n_layer"],
        "n_positions": cfg["n_ctx"],
        "resid_pdrop": 0.0,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": cfg["vocab_size"],
    }


def save_model(model, out_dir, dtype):
    """Write model.safetensors + config.json; return the stored weights
    (as float64 numpy, exactly the rounded values that were written)."""
    os.makedirs(out_dir, exist_ok=True)
    st = model.hf_state()
    path = os.path.join(out_dir, "model.safetensors")
    ref.write_safetensors(path, {k: (dtype, v) for k, v in st.items()},
                          metadata={"format": "pt"})
    eot = model.cfg["vocab_size"] - 1
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(hf_config(model.cfg, eot), f, indent=2, sort_keys=True)
        f.write("\n")
    stored, _ = ref.read_safetensors(path)
    return stored


def load_model(folder, dtype=torch.float32):
    """Build a GPT from a saved folder (weights as stored, cast to dtype)."""
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    w, _ = ref.read_safetensors(os.path.join(folder, "model.safetensors"))
    w = {k[len("transformer."):] if k.startswith("transformer.") else k: v
         for k, v in w.items()}
    m = GPT(c["vocab_size"], c["n_positions"], c["n_layer"], c["n_head"],
            c["n_embd"], 0.0, c["layer_norm_epsilon"])
    m = m.to(dtype)
    m.load_hf_state(w)
    return m.eval()


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

@torch.no_grad()
def windowed_loss(model, ids, window, batch=16):
    """Mean NLL of ids under the windowed protocol (see module docstring).

    Returns (loss, n_predictions).  Runs in the model's dtype.
    """
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    T = ids.shape[0]
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    starts = list(range(0, T, window))
    full = [s for s in starts if s + window + 1 <= T]      # all W inputs predict
    rest = [s for s in starts if s + window + 1 > T]
    for i in range(0, len(full), batch):
        ss = full[i:i + batch]
        x = torch.stack([ids[s:s + window] for s in ss])
        y = torch.stack([ids[s + 1:s + window + 1] for s in ss])
        logp = torch.log_softmax(model(x).to(torch.float64), dim=-1)
        total += -logp.gather(-1, y.unsqueeze(-1)).sum().item()
        count += y.numel()
    for s in rest:                                       # the final short window
        x = ids[s:min(s + window, T)]
        y = ids[s + 1:s + window + 1]                    # one fewer than x
        if y.numel() == 0:
            continue
        logp = torch.log_softmax(model(x[None]).to(torch.float64)[0], dim=-1)
        total += -logp[:y.numel()].gather(-1, y.unsqueeze(-1)).sum().item()
        count += y.numel()
    model.train(was_training)
    assert count == T - 1
    return total / count, count


@torch.no_grad()
def sampled_loss(model, data, n_ctx, batches, batch_size, gen):
    model.eval()
    losses = []
    for _ in range(batches):
        x, y = get_batch(data, n_ctx, batch_size, gen)
        losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return float(np.mean(losses))


def get_batch(data, n_ctx, batch_size, gen):
    ix = torch.randint(len(data) - n_ctx - 1, (batch_size,), generator=gen)
    x = torch.stack([data[i:i + n_ctx] for i in ix])
    y = torch.stack([data[i + 1:i + n_ctx + 1] for i in ix])
    return x, y


@torch.no_grad()
def generate(model, ids, n, temperature=1.0, top_k=None, gen=None):
    """Sample (or greedy when temperature == 0) n tokens after ids."""
    model.eval()
    ids = list(ids)
    n_ctx = model.cfg["n_ctx"]
    for _ in range(n):
        x = torch.tensor([ids[-n_ctx:]])
        logits = model(x)[0, -1].to(torch.float64)
        if temperature == 0:
            ids.append(int(logits.argmax()))
            continue
        logits = logits / temperature
        if top_k:
            kth = torch.topk(logits, top_k).values[-1]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        p = torch.softmax(logits, dim=-1)
        ids.append(int(torch.multinomial(p, 1, generator=gen)))
    return ids


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="UTF-8 text file")
    ap.add_argument("--out", required=True, help="output model folder")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--n-layer", type=int, default=6)
    ap.add_argument("--n-head", type=int, default=6)
    ap.add_argument("--n-embd", type=int, default=192)
    ap.add_argument("--n-ctx", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr", type=float, default=2e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-interval", type=int, default=100)
    ap.add_argument("--eval-batches", type=int, default=4)
    ap.add_argument("--dtype", choices=["F16", "F32"], default="F16",
                    help="storage precision of model.safetensors")
    ap.add_argument("--no-final-train-eval", action="store_true",
                    help="skip the full-training-split loss at the end")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_f = open(os.path.join(args.out, "train_log.txt"), "w")

    def log(msg):
        print(msg, flush=True)
        log_f.write(msg + "\n")
        log_f.flush()

    log("command: " + " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:]))
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    t_start = time.time()

    # 1-2. data + tokenizer
    with open(args.data, encoding="utf-8", newline="") as f:
        text = f.read()
    train_text, val_text = split_text(text)
    merges = tt.train_bpe(train_text, args.vocab_size, verbose=False)
    tt.save(args.out, merges)
    tok = tt.Tokenizer.load(args.out)
    train_ids = tok.encode(train_text)
    val_ids = tok.encode(val_text)
    assert tok.decode(train_ids) == train_text and tok.decode(val_ids) == val_text
    log(f"data: {len(text)} chars; train {len(train_text)} chars -> "
        f"{len(train_ids)} tokens, val {len(val_text)} chars -> {len(val_ids)} "
        f"tokens; vocab {len(tok.vocab)} ({time.time() - t_start:.1f}s)")
    train_data = torch.tensor(train_ids, dtype=torch.long)
    val_data = torch.tensor(val_ids, dtype=torch.long)

    # 3. model + training
    V = len(tok.vocab)
    model = GPT(V, args.n_ctx, args.n_layer, args.n_head, args.n_embd,
                args.dropout)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: n_layer={args.n_layer} n_head={args.n_head} "
        f"n_embd={args.n_embd} n_ctx={args.n_ctx} vocab={V}: "
        f"{n_params} parameters ({n_params - model.wte.weight.numel() - model.wpe.weight.numel()} "
        f"non-embedding)")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99), eps=1e-8)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        r = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * r))

    gen = torch.Generator().manual_seed(args.seed)
    eval_gen = torch.Generator()
    tokens_per_step = args.batch_size * args.n_ctx
    log(f"training: {args.steps} steps x {tokens_per_step} tokens "
        f"({args.steps * tokens_per_step / len(train_ids):.1f} epochs), "
        f"lr {args.lr} -> {args.min_lr} cosine, warmup {args.warmup}, "
        f"wd {args.weight_decay}, dropout {args.dropout}, seed {args.seed}")
    model.train()
    t_train = time.time()
    ema = None
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = get_batch(train_data, args.n_ctx, args.batch_size, gen)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        last = step == args.steps - 1
        if step % 50 == 0 or last:
            dt = time.time() - t_train
            print(f"step {step:5d} loss {loss.item():.4f} (ema {ema:.4f}) "
                  f"lr {lr_at(step):.2e} {(step + 1) * tokens_per_step / dt:.0f} tok/s "
                  f"{dt:.0f}s", flush=True)
        if (step > 0 and step % args.eval_interval == 0) or last:
            # fixed sample of windows each time (same generator seed)
            eval_gen.manual_seed(args.seed + 1)
            tl = sampled_loss(model, train_data, args.n_ctx, args.eval_batches,
                              args.batch_size, eval_gen)
            eval_gen.manual_seed(args.seed + 2)
            vl = sampled_loss(model, val_data, args.n_ctx, args.eval_batches,
                              args.batch_size, eval_gen)
            dt = time.time() - t_train
            log(f"step {step + 1:5d}: train loss {tl:.4f}, val loss {vl:.4f} "
                f"(sampled, {args.eval_batches * tokens_per_step} tokens each); "
                f"ema batch loss {ema:.4f}; {dt:.0f}s, "
                f"{(step + 1) * tokens_per_step / dt:.0f} tok/s")
    train_time = time.time() - t_train
    log(f"training time: {train_time:.0f}s ({train_time / 60:.1f} min), "
        f"{args.steps * tokens_per_step / train_time:.0f} tokens/s")

    # 4. save (rounded to the storage dtype)
    stored = save_model(model, args.out, args.dtype)
    log(f"saved {args.out}/model.safetensors ({args.dtype}, "
        f"{os.path.getsize(os.path.join(args.out, 'model.safetensors'))} bytes)")

    # 5. final evaluation of the stored weights with the windowed protocol
    m64 = load_model(args.out, torch.float64)
    t0 = time.time()
    vloss, vn = windowed_loss(m64, val_ids, args.n_ctx)
    log(f"FINAL val loss (stored {args.dtype} weights, float64, full validation "
        f"split, {vn} predictions, windows of {args.n_ctx}): {vloss:.6f} "
        f"(ppl {math.exp(vloss):.3f}; {vloss * vn / len(val_text):.4f} nats/char) "
        f"[{time.time() - t0:.0f}s]")
    if not args.no_final_train_eval:
        m32 = load_model(args.out, torch.float32)
        t0 = time.time()
        tloss, tn = windowed_loss(m32, train_ids, args.n_ctx)
        log(f"FINAL train loss (stored weights, float32, full training split, "
            f"{tn} predictions, windows of {args.n_ctx}): {tloss:.6f} "
            f"(ppl {math.exp(tloss):.3f}) [{time.time() - t0:.0f}s]")
    log(f"total time: {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
