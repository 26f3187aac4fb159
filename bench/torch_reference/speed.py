"""Samples/s of one full PyTorch training step (forward, backward, clipping, Adam) at the shapes of
org.cartengine.bench.TrainThroughput: emoji-shaped data (queries of 2-8 tokens from a 3,000-token
vocabulary, identifiers (k, v1, v2, u) with vocabularies 128, 128, 128, 2), fusion, R-Drop as the
doubled batch, dropout 0.1, Adam (0.9, 0.98, 1e-9), global-norm clipping at 1.0.

  /usr/bin/python3 bench/torch_reference/speed.py [--d-model 64 --ffn 128 --heads 4 --batch 128 --threads 2 --steps 30 --rounds 3]

Prints the median step over the timed steps, in wall-clock seconds and in CPU seconds of the process
(time.process_time, all threads), as samples/s and samples per CPU-second (a sample is one query,
counted once although R-Drop runs it twice, as in the Java benchmark).
"""
import argparse
import os
import statistics
import time

import torch

from cart_torch import CartModel


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--ffn", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the same step on a GPU (timed with a synchronise)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(1)
    vocab = [128, 128, 128, 2]
    cfg = dict(textVocab=3000, idVocab=vocab, dModel=args.d_model, heads=args.heads, ffn=args.ffn, encoderLayers=3,
               decoderLayers=3, dropout=0.1, maxQueryLength=24, fusion=True)
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    model = CartModel(cfg).to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
    b = args.batch

    def batch():
        lengths = torch.randint(2, 9, (b,), generator=g)
        t = int(lengths.max())
        ids = torch.randint(2, 3000, (b, t), generator=g)
        pad = (torch.arange(t)[None, :] < lengths[:, None]).long()
        ids = ids * pad
        tgt = torch.stack([torch.randint(0, v, (b,), generator=g) for v in vocab], 1)
        pos = torch.arange(t).expand(b, t)
        return tuple(x.repeat(2, 1).to(dev) for x in (ids, pad, pos, tgt))

    data = [batch() for _ in range(args.steps + args.warmup)]

    def step(i):
        ids, pad, pos, tgt = data[i]
        loss = model.loss(ids, pad, pos, tgt, 0.15)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for i in range(args.warmup):
        step(i)
    sync()
    walls, cpus = [], []
    for r in range(args.rounds):
        w, c = [], []
        for i in range(args.steps):
            t0, c0 = time.perf_counter(), time.process_time()
            step(args.warmup + i)
            sync()
            w.append(time.perf_counter() - t0)
            c.append(time.process_time() - c0)
        mw, mc = statistics.median(w), statistics.median(c)
        walls.append(b / mw)
        cpus.append(b / mc)
        print(f"torch {torch.__version__} train step: median {1e3 * mw:.1f} ms over {args.steps} steps (min {1e3 * min(w):.1f}, max {1e3 * max(w):.1f}) "
              f"= {b / mw:.0f} samples/s; CPU {1e3 * mc:.1f} ms/step = {b / mc:.0f} samples per CPU-second; {torch.get_num_threads()} threads, device {dev}; "
              f"d_model {args.d_model}, FFN {args.ffn}, heads {args.heads}, batch {b}; load average {os.getloadavg()[0]:.2f}", flush=True)
    if args.rounds > 1:
        print(f"median of {args.rounds} rounds: {statistics.median(walls):.0f} samples/s, {statistics.median(cpus):.0f} samples per CPU-second")


if __name__ == "__main__":
    main()
