#!/usr/bin/env python3
"""Joins GpuCheck's results (cart-engine, bench/gpu-check.sh) with PyTorch's from the same run into the short
table the GPU check prints last. Usage: gpu_table.py OURS.tsv TORCH.tsv. Lines of both files are
RESULT<TAB>key<TAB>value<TAB>unit; other lines are ignored. Targets are those of issue 3."""
import sys


def load(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3 and parts[0] == "RESULT":
                    out[parts[1]] = (parts[2], parts[3] if len(parts) > 3 else "")
    except FileNotFoundError:
        pass
    return out


def num(d, key):
    try:
        return float(d[key][0])
    except (KeyError, ValueError):
        return None


def main():
    ours, torch = load(sys.argv[1]), load(sys.argv[2])
    rows = []

    def row(name, a, unit, b, ref_name, ratio, target, ok):
        fa = "-" if a is None else f"{a:g} {unit}"
        fb = "-" if b is None else f"{b:g} {unit}"
        fr = "-" if ratio is None else f"{ratio:.0%}" if ratio < 10 else f"{ratio:.1f}x"
        verdict = "" if ok is None else ("ok" if ok else "BELOW TARGET")
        rows.append((name, fa, f"{ref_name}: {fb}", fr, target, verdict))

    for key, label, target in (("gemm_fp32_4096", "GEMM FP32 4096^3 (rb128)", 0.75), ("gemm_tf32_4096", "GEMM TF32 4096^3 (mma.sync)", None),
                               ("gemm_fp32_8192x512x512", "GEMM FP32 8192x512x512 (x w^T)", None),
                               ("gemm_fp32_8192x2048x512", "GEMM FP32 8192x2048x512 (x w^T)", None),
                               ("gemm_fp32_8192x512x2048", "GEMM FP32 8192x512x2048 (x w^T)", None)):
        a, b = num(ours, key), num(torch, key)
        ratio = a / b if a is not None and b else None
        ok = None if target is None or ratio is None else ratio >= target
        row(label, a, "TFLOP/s", b, "cuBLAS", ratio, f">= {target:.0%} of cuBLAS" if target else "", ok)
    copy = num(ours, "bw_copy")
    for key, label in (("bw_softmax", "softmax 65536x1024"), ("bw_softmax_bwd", "softmax backward"), ("bw_layernorm", "layer norm 65536x1024"),
                       ("bw_gelu", "GELU (elementwise)"), ("bw_add", "add (elementwise)"), ("bw_adam", "fused Adam")):
        a, b = num(ours, key), num(torch, key)
        ratio = a / copy if a is not None and copy else None
        ok = None if ratio is None else ratio >= 0.70
        row(label, a, "GB/s", b, "torch", ratio, ">= 70% of copy", ok)
    for t in (4, 8, 16, 32):
        key = f"attn_fwdbwd_T{t}"
        a, b = num(ours, key), num(torch, key)
        ratio = b / a if a and b is not None else None
        ok = None if ratio is None else ratio > 1
        row(f"attention fwd+bwd T={t} (B=256 H=8 D=64)", a, "ms", b, "torch eager", ratio, "faster than eager", ok)

    dev = ours.get("device", torch.get("device", ("?", "")))[0]
    print(f"\nGPU check table: {dev}  (device-to-device copy: {copy:g} GB/s)" if copy else f"\nGPU check table: {dev}")
    for key in ("parity_f32", "parity_f64", "train_loss_rel_diff", "train_weight_rel_err", "train_step_ms", "train_driver_allocs_after_step2"):
        if key in ours:
            print(f"  {key}: {ours[key][0]} {ours[key][1]}")
    head = ("benchmark", "cart-engine", "reference (same run)", "ratio", "target", "")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = "| " + " | ".join("{:<" + str(w) + "}" for w in widths) + " |"
    print(fmt.format(*head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(fmt.format(*r))
    print("ratio: GEMM ours/cuBLAS; bandwidth ours/copy; attention eager time / ours (speed-up).")


if __name__ == "__main__":
    main()
