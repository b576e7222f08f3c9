#!/usr/bin/python3
"""Plain PyTorch GPT-2 with a KV cache, timed like tools/bench/bench.c times llm.h.

    /usr/bin/python3 tools/bench/bench_torch.py --model build/bench/f32 [--threads N] [--runs R]

Reads the F32 model.safetensors that tools/bench/bench.c wrote (same weights),
builds the usual GPT-2 forward pass (pre-LN, tanh GELU, causal attention,
LM head tied to wte) from torch primitives, and measures with the same
protocol: load time (file -> tensors), prompt throughput for 128 and 512
tokens (last position's logits), generation throughput for 128 tokens after
a 16-token prompt (greedy), each the median of R runs after one warm-up, and
peak RSS. Prints one line starting with RESULT (or SKIP when torch is
missing). Threads: torch.set_num_threads(N); tools/bench/bench.c also sets
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to N and OMP_WAIT_POLICY=PASSIVE.
"""
import argparse, json, os, resource, struct, sys, time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # pragma: no cover
    print("SKIP: PyTorch not importable (%s)" % e)
    sys.exit(0)


def reference_blas():
    """The path of Netlib's reference libblas if this process has it mapped
    (Debian's torch calls whatever the libblas.so.3 alternative points to:
    libblas3's reference BLAS unless OpenBLAS is installed), else None."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if "/blas/libblas.so" in line:
                    return line.split()[-1]
    except OSError:
        pass
    return None


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", "bench_torch.py reads the F32 checkpoint"
        a, b = t["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=np.float32).reshape(t["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class GPT2:
    def __init__(self, w, cfg):
        self.L, self.H, self.C = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.w = w
        self.n_ctx = cfg["n_positions"]
        self.k = torch.zeros(self.L, self.n_ctx, self.C)
        self.v = torch.zeros(self.L, self.n_ctx, self.C)
        self.pos = 0

    def reset(self):
        self.pos = 0

    def forward(self, ids):
        """ids: 1-D LongTensor of new tokens; returns the last position's logits."""
        w, C, H = self.w, self.C, self.H
        T, p0 = ids.shape[0], self.pos
        hd = C // H
        x = w["wte.weight"][ids] + w["wpe.weight"][p0:p0 + T]
        Tk = p0 + T
        mask = None
        if T > 1:
            mask = torch.full((T, Tk), float("-inf")).triu_(p0 + 1)
        for l in range(self.L):
            p = "h.%d." % l
            h = F.layer_norm(x, (C,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
            qkv = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"])
            q, k, v = qkv.split(C, dim=1)
            self.k[l, p0:Tk] = k
            self.v[l, p0:Tk] = v
            q = q.view(T, H, hd).transpose(0, 1)                      # H, T, hd
            kk = self.k[l, :Tk].view(Tk, H, hd).transpose(0, 1)       # H, Tk, hd
            vv = self.v[l, :Tk].view(Tk, H, hd).transpose(0, 1)
            att = torch.matmul(q, kk.transpose(1, 2)) * (1.0 / hd ** 0.5)
            if mask is not None:
                att = att + mask
            att = torch.softmax(att, dim=-1)
            y = torch.matmul(att, vv).transpose(0, 1).reshape(T, C)
            x = x + torch.addmm(w[p + "attn.c_proj.bias"], y, w[p + "attn.c_proj.weight"])
            h = F.layer_norm(x, (C,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
            h = F.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h, w[p + "mlp.c_fc.weight"]), approximate="tanh")
            x = x + torch.addmm(w[p + "mlp.c_proj.bias"], h, w[p + "mlp.c_proj.weight"])
        last = F.layer_norm(x[-1:], (C,), w["ln_f.weight"], w["ln_f.bias"], self.eps)
        self.pos = Tk
        return torch.matmul(last, w["wte.weight"].t())[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="build/bench/f32")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    blas = reference_blas()
    if blas:
        # Netlib's reference BLAS (Debian's libblas3): about 100x slower
        # than OpenBLAS; a baseline measured on it would flatter llm.h.
        print("SKIP: PyTorch would use the reference BLAS %s; install libopenblas0-pthread "
              "(apt-get) for a fair baseline" % blas)
        sys.exit(0)
    path = os.path.join(a.model, "model.safetensors")
    cfg = json.load(open(os.path.join(a.model, "config.json")))

    def med(v):
        v = sorted(v)
        n = len(v)
        return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])

    times = []
    for k in range(a.runs + 1):
        t0 = time.perf_counter()
        w = load_safetensors(path)
        if k:
            times.append(time.perf_counter() - t0)
        if k < a.runs:
            del w
    load_ms = med(times) * 1e3
    m = GPT2(w, cfg)
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, cfg["vocab_size"], (512,), generator=g)

    def timed(n_tok, body):
        v = []
        for k in range(a.runs + 1):
            m.reset()
            dt = body()
            if k:
                v.append(n_tok / dt)
        return med(v)

    def prompt(T):
        t0 = time.perf_counter()
        m.forward(ids[:T])
        return time.perf_counter() - t0

    def gen():
        logits = m.forward(ids[:16])
        t0 = time.perf_counter()
        for _ in range(128):
            nxt = torch.argmax(logits).view(1)
            logits = m.forward(nxt)
        return time.perf_counter() - t0

    with torch.inference_mode():
        p128 = timed(128, lambda: prompt(128))
        p512 = timed(512, lambda: prompt(512))
        g128 = timed(128, gen)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("RESULT load_ms=%.3f p128=%.2f p512=%.2f gen=%.3f rss_kb=%d threads=%d torch=%s" %
          (load_ms, p128, p512, g128, rss_kb, torch.get_num_threads(), torch.__version__))


if __name__ == "__main__":
    main()
