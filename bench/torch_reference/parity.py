"""Loss and gradient parity of cart-engine against PyTorch on one batch (dropout off).

  java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.cartengine.bench.TorchParityDump /tmp/parity.safetensors
  /usr/bin/python3 bench/torch_reference/parity.py /tmp/parity.safetensors

Loads the checkpoint by parameter name, recomputes the loss of eq. (8) and every parameter gradient
in float32 and float64, and prints per tensor the largest relative difference
max|ours - torch| / max|torch| against both. Exit status 1 when the float32 comparison exceeds --tol.

The key projections' bias gradients are zero in exact arithmetic (softmax ignores a constant added to
every score of a row; torch's float64 gives about 1e-17), so both sides hold rounding noise there and a
ratio would compare noise with noise: for a tensor whose float64 gradient is below 1e-12 times the
largest gradient entry of the model, the difference is divided by that largest entry instead, and
the row is marked "zero".
"""
import argparse
import json
import sys

import torch

from cart_torch import CartModel, load_state, read_safetensors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--tol", type=float, default=1e-3)
    args = ap.parse_args()
    t, meta = read_safetensors(args.dump)
    cfg, omega = json.loads(meta["config"]), float(meta["omega"])
    ids, pad, pos = (t[k].long() for k in ("batch.ids", "batch.padding", "batch.positions"))
    targets = t["batch.targets"].long()
    results = {}
    for dt in (torch.float32, torch.float64):
        torch.manual_seed(0)
        model = CartModel(cfg).to(dt)
        load_state(model, t)
        model.eval()
        loss = model.loss(ids, pad, pos, targets, omega)
        loss.backward()
        results[dt] = (loss.item(), {k: p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p) for k, p in model.named_parameters()})

    scale = max(g.abs().max().item() for g in results[torch.float64][1].values())

    def rel(ours, ref, exact):
        ref, den = ref.double(), exact.abs().max().item()
        return ((ours.double() - ref).abs().max() / (scale if den < 1e-12 * scale else ref.abs().max().item())).item()

    ours_loss = t["loss"].item()
    print(f"cart-engine backend {meta.get('backend')}: loss {ours_loss:.7f}; torch {torch.__version__} float32 {results[torch.float32][0]:.7f}, "
          f"float64 {results[torch.float64][0]:.7f}")
    worst = abs(ours_loss - results[torch.float32][0]) / abs(results[torch.float32][0])
    print(f"{'tensor':55s} {'shape':>14s} {'rel. diff f32':>14s} {'rel. diff f64':>14s} {'max |grad|':>11s}")
    print(f"{'loss':55s} {'[]':>14s} {worst:14.2e} {abs(ours_loss - results[torch.float64][0]) / abs(results[torch.float64][0]):14.2e}")
    for k in results[torch.float32][1]:
        ours = t["grad." + k]
        exact = results[torch.float64][1][k]
        r32, r64 = rel(ours, results[torch.float32][1][k], exact), rel(ours, exact, exact)
        worst = max(worst, r32)
        print(f"{'grad.' + k:55s} {str(list(ours.shape)):>14s} {r32:14.2e} {r64:14.2e} {results[torch.float64][1][k].abs().max().item():11.2e}"
              + ("  zero" if results[torch.float64][1][k].abs().max().item() < 1e-12 * scale else ""))
    print(f"largest relative difference against torch float32: {worst:.2e} (tolerance {args.tol:g})")
    sys.exit(0 if worst <= args.tol else 1)


if __name__ == "__main__":
    main()
