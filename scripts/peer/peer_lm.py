#!/usr/bin/env python3
"""PyTorch peer of `fulcrum bench lm`: the same Llama-style model, training step and KV-cache generation in plain torch.

Run through scripts/peer/run-peer-lm.sh (Debian's /usr/bin/python3 + python3-torch on OpenBLAS-OpenMP):

    scripts/peer/run-peer-lm.sh --threads 1

Model (as Fulcrum's DecoderLm, Llama family): token embedding, L blocks of [RMSNorm, q/k/v projections without bias,
rotary embedding (rotate-half), grouped-query attention composed from matmul + softmax with an additive causal mask,
o projection, residual, RMSNorm, SwiGLU MLP, residual], final RMSNorm, untied head. torch 1.13 has no fused attention
either (scaled_dot_product_attention arrived in 2.0), so both sides compose attention from the same primitives.

Training: each step draws random ids [batch, seq] and random targets, computes next-token cross-entropy over all tokens,
backward, torch.optim.Adam (lr 3e-4). Generation: batch random prompts, the prompt in one forward filling a
pre-allocated KV cache, then one position per step, sampling at temperature 1 with torch.multinomial, no stop token.
Reports wall-clock and process CPU time (time.process_time, all threads) per phase. Prints three result lines in Fulcrum's format (the last three lines of stdout), after a line naming the BLAS library
torch mapped; with PEER_BLAS=openblas-openmp (set by run-peer-lm.sh) it refuses to run on any other BLAS.
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads, kv_heads, mlp):
        super().__init__()
        self.heads, self.kv_heads, self.hd = heads, kv_heads, d // heads
        self.input_layernorm = torch.nn.Parameter(torch.ones(d))
        self.q_proj = torch.nn.Linear(d, heads * self.hd, bias=False)
        self.k_proj = torch.nn.Linear(d, kv_heads * self.hd, bias=False)
        self.v_proj = torch.nn.Linear(d, kv_heads * self.hd, bias=False)
        self.o_proj = torch.nn.Linear(heads * self.hd, d, bias=False)
        self.post_attention_layernorm = torch.nn.Parameter(torch.ones(d))
        self.gate_proj = torch.nn.Linear(d, mlp, bias=False)
        self.up_proj = torch.nn.Linear(d, mlp, bias=False)
        self.down_proj = torch.nn.Linear(mlp, d, bias=False)

    def forward(self, x, cos, sin, bias, cache=None, past=0):
        B, T, _ = x.shape
        a = rms(x, self.input_layernorm)
        q = rope(self.q_proj(a).view(B, T, self.heads, self.hd), cos, sin).transpose(1, 2) / math.sqrt(self.hd)
        k = rope(self.k_proj(a).view(B, T, self.kv_heads, self.hd), cos, sin).transpose(1, 2)
        v = self.v_proj(a).view(B, T, self.kv_heads, self.hd).transpose(1, 2)
        if cache is not None:
            cache[0][:, :, past:past + T] = k
            cache[1][:, :, past:past + T] = v
            k, v = cache[0][:, :, :past + T], cache[1][:, :, :past + T]
        g = self.heads // self.kv_heads
        Tk = k.shape[2]
        s = q.reshape(B, self.kv_heads, g * T, self.hd) @ k.transpose(2, 3)
        p = torch.softmax(s.view(B, self.kv_heads, g, T, Tk) + bias[:, :, None], dim=-1)
        y = (p.view(B, self.kv_heads, g * T, Tk) @ v).view(B, self.heads, T, self.hd).transpose(1, 2).reshape(B, T, -1)
        x = x + self.o_proj(y)
        m = rms(x, self.post_attention_layernorm)
        return x + self.down_proj(F.silu(self.gate_proj(m)) * self.up_proj(m))


def rms(x, w, eps=1e-6):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


class Model(torch.nn.Module):
    def __init__(self, vocab, d, layers, heads, kv_heads, mlp, max_pos):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.layers = torch.nn.ModuleList(Block(d, heads, kv_heads, mlp) for _ in range(layers))
        self.norm = torch.nn.Parameter(torch.ones(d))
        self.head = torch.nn.Linear(d, vocab, bias=False)
        hd = d // heads
        inv = 10000.0 ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
        ang = torch.arange(max_pos, dtype=torch.float64)[:, None] * inv
        ang = torch.cat([ang, ang], dim=-1)
        self.register_buffer("cos", ang.cos().float())
        self.register_buffer("sin", ang.sin().float())
        for p in self.parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02)

    def hidden(self, ids, pos, bias, caches=None, past=0):
        x = self.embed(ids)
        cos, sin = self.cos[pos][:, :, None], self.sin[pos][:, :, None]
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, bias, None if caches is None else caches[i], past)
        return rms(x, self.norm)


def causal_bias(T, past=0):
    keys = past + T
    allowed = torch.arange(keys)[None, :] <= (past + torch.arange(T))[:, None]
    return torch.zeros(1, 1, T, keys).masked_fill(~allowed, -1e9)


def report_blas():
    (torch.randn(64, 64) @ torch.randn(64, 64)).sum().item()
    mapped = sorted({l.split()[-1] for l in open("/proc/self/maps")
                     if len(l.split()) >= 6 and "blas" in os.path.basename(l.split()[-1]).lower()})
    print("peer BLAS:", ", ".join(mapped) or "none mapped")
    if os.environ.get("PEER_BLAS") == "openblas-openmp" and not any("/openblas-openmp/" in m for m in mapped):
        sys.exit("peer: OpenBLAS-OpenMP is not the BLAS torch loaded; refusing to benchmark")


def main():
    report_blas()
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--mlp", type=int, default=704)
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--prompt", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=112)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    max_pos = max(a.seq, a.prompt + a.new_tokens)
    model = Model(a.vocab, a.hidden, a.layers, a.heads, a.kv_heads, a.mlp, max_pos)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    params = sum(p.numel() for p in model.parameters())
    pos = torch.arange(a.seq)[None].expand(a.batch, a.seq)
    bias = causal_bias(a.seq)

    def train_step():
        ids = torch.randint(a.vocab, (a.batch, a.seq))
        y = torch.randint(a.vocab, (a.batch, a.seq))
        opt.zero_grad(set_to_none=False)
        logits = model.head(model.hidden(ids, pos, bias))
        F.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1)).backward()
        opt.step()

    for _ in range(a.warmup):
        train_step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        train_step()
    train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0

    @torch.no_grad()
    def generate(new_tokens):
        B, P = a.batch, a.prompt
        ids = torch.randint(a.vocab, (B, P))
        hd = a.hidden // a.heads
        caches = [(torch.zeros(B, a.kv_heads, P + new_tokens, hd), torch.zeros(B, a.kv_heads, P + new_tokens, hd))
                  for _ in range(a.layers)]
        h = model.hidden(ids, torch.arange(P)[None].expand(B, P), causal_bias(P), caches, 0)
        logits = model.head(h[:, -1])
        out = 0
        for step in range(new_tokens):
            nxt = torch.multinomial(torch.softmax(logits, dim=-1), 1)
            out += B
            if step == new_tokens - 1:
                break
            past = P + step
            h = model.hidden(nxt, torch.full((B, 1), past), torch.zeros(1, 1, 1, past + 1), caches, past)
            logits = model.head(h[:, -1])
        return out

    generate(4)
    t1, c1 = time.perf_counter(), time.process_time()
    generated = sum(generate(a.new_tokens) for _ in range(a.rounds))
    gen_s, gen_cpu = time.perf_counter() - t1, time.process_time() - c1
    print(f"peer LM (torch {torch.__version__}) llama hidden={a.hidden} layers={a.layers} heads={a.heads} "
          f"kv_heads={a.kv_heads} mlp={a.mlp} vocab={a.vocab} seq={a.seq} batch={a.batch} threads={a.threads} params={params}")
    print(f"train: {a.steps} steps x {a.batch * a.seq} tokens in {train_s:.2f} s => {a.steps * a.batch * a.seq / train_s:.0f} "
          f"tokens/s ({1e3 * train_s / a.steps:.1f} ms/step); cpu {train_cpu:.2f} s => "
          f"{a.steps * a.batch * a.seq / train_cpu:.0f} tokens/cpu-s")
    print(f"generate: {a.rounds} rounds x {a.batch} prompts x {a.new_tokens} new tokens (prompt {a.prompt}, KV cache) in "
          f"{gen_s:.2f} s => {generated / gen_s:.0f} tokens/s; cpu {gen_cpu:.2f} s => {generated / gen_cpu:.0f} tokens/cpu-s")


if __name__ == "__main__":
    main()
