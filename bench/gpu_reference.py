#!/usr/bin/env python3
"""PyTorch's numbers for the GPU check, on the same card and with the same shapes and timing method as
GpuCheck.java: CUDA events after warm-up, median of 10. Prints RESULT<TAB>key<TAB>value<TAB>unit lines with the
keys GpuCheck uses, which bench/gpu_table.py joins. GEMM: cuBLAS FP32 with TF32 off, and TF32 on. Attention:
PyTorch eager (q k^T, mask, softmax, @ v, autograd backward) as the issue asks, and scaled_dot_product_attention
for information. Needs python3 with torch and a CUDA device."""
import sys

import torch
import torch.nn.functional as F

WARM, REPS = 3, 10


def result(key, value, unit):
    print(f"RESULT\t{key}\t{value}\t{unit}", flush=True)


def median_ms(fn):
    for _ in range(WARM):
        fn()
    times = []
    for _ in range(REPS):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    return times[REPS // 2]


def gemm():
    n = 4096
    a = torch.rand(n, n, device="cuda") * 2 - 1
    b = torch.rand(n, n, device="cuda") * 2 - 1
    for tf32, key in ((False, f"gemm_fp32_{n}"), (True, f"gemm_tf32_{n}")):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        ms = median_ms(lambda: torch.mm(a, b))
        result(key, f"{2 * n ** 3 / ms / 1e9:.2f}", f"TFLOP/s (cuBLAS, TF32 {'on' if tf32 else 'off'}, {ms:.3f} ms)")
    torch.backends.cuda.matmul.allow_tf32 = False
    for m, nn, k in ((8192, 512, 512), (8192, 2048, 512), (8192, 512, 2048)):
        x = torch.rand(m, k, device="cuda") * 2 - 1
        w = torch.rand(nn, k, device="cuda") * 2 - 1
        ms = median_ms(lambda: torch.mm(x, w.t()))
        result(f"gemm_fp32_{m}x{nn}x{k}", f"{2 * m * nn * k / ms / 1e9:.2f}", "TFLOP/s (cuBLAS, x @ w^T)")


def bandwidth():
    rows, cols = 65536, 1024
    mb = rows * cols * 4 / 1e6
    x = torch.rand(rows, cols, device="cuda") * 2 - 1
    y = torch.empty_like(x)
    z = torch.rand_like(x)
    g = torch.rand(cols, device="cuda")
    bt = torch.rand(cols, device="cuda")

    def bw(key, traffic, fn):
        ms = median_ms(fn)
        result(key, f"{traffic / ms:.0f}", f"GB/s (torch, {ms:.3f} ms)")

    bw("bw_copy", 2 * mb, lambda: y.copy_(x))
    bw("bw_softmax", 2 * mb, lambda: torch.softmax(x, dim=-1))
    bw("bw_layernorm", 2 * mb, lambda: F.layer_norm(x, (cols,), g, bt, 1e-5))
    bw("bw_gelu", 2 * mb, lambda: F.gelu(x, approximate="tanh"))
    bw("bw_add", 3 * mb, lambda: torch.add(x, z, out=y))


def attention():
    b, h, d = 256, 8, 64
    for t in (4, 8, 16, 32):
        q, k, v = (torch.rand(b, h, t, d, device="cuda", requires_grad=True) for _ in range(3))
        dout = torch.rand(b, h, t, d, device="cuda")
        causal = torch.ones(t, t, device="cuda", dtype=torch.bool).triu(1)
        scale = d ** -0.5

        def eager():
            s = (q @ k.transpose(-2, -1)) * scale
            s = s.masked_fill(causal, float("-inf"))
            return torch.softmax(s, dim=-1) @ v

        def eager_both():
            eager().backward(dout)

        def sdpa_both():
            F.scaled_dot_product_attention(q, k, v, is_causal=True).backward(dout)

        with torch.no_grad():
            result(f"attn_fwd_T{t}", f"{median_ms(eager):.4f}", f"ms (torch eager, B={b} H={h} D={d}, causal)")
        result(f"attn_fwdbwd_T{t}", f"{median_ms(eager_both):.4f}", f"ms (torch eager, B={b} H={h} D={d}, causal)")
        result(f"attn_sdpa_fwdbwd_T{t}", f"{median_ms(sdpa_both):.4f}", "ms (torch scaled_dot_product_attention)")


def main():
    if not torch.cuda.is_available():
        print("FAIL: torch sees no CUDA device", file=sys.stderr)
        sys.exit(2)
    result("device", torch.cuda.get_device_name(), f"torch {torch.__version__}, CUDA {torch.version.cuda}")
    gemm()
    bandwidth()
    attention()


if __name__ == "__main__":
    main()
