#!/usr/bin/env python3
"""numpy float32 `a @ b` (OpenBLAS SGEMM) at the shapes of MatmulBench, as the bar for the SIMD backend.

Shapes are "M" (square) or "MxNxK", "t" prefix = A transposed (a.T @ b with a stored [K, M]).
Each shape: warm-up, then 5 timed rounds of about 1 s each (like JMH's iterations); prints
the mean time per call and GFLOP/s = 2*M*N*K / time, and writes JSON with -o FILE.
"""
import argparse, json, time
import numpy as np

SHAPES = ["256", "512", "1024", "2048", "4096x1024x256", "4096x256x1024", "t256x1024x4096"]


def dims(shape):
    t = shape.startswith("t")
    s = shape[1:] if t else shape
    m, n, k = (int(x) for x in s.split("x")) if "x" in s else (int(s),) * 3
    return t, m, n, k


def measure(shape, rounds=5, seconds=1.0):
    t, m, n, k = dims(shape)
    rng = np.random.default_rng(1)
    a = (rng.random((k, m) if t else (m, k), dtype=np.float32) * 2 - 1)
    b = rng.random((k, n), dtype=np.float32) * 2 - 1
    f = (lambda: a.T @ b) if t else (lambda: a @ b)
    end = time.perf_counter() + 1.0
    calls = 0
    while time.perf_counter() < end or calls < 3:
        f()
        calls += 1
    per = max(1, int(calls * seconds))
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(per):
            f()
        times.append((time.perf_counter() - t0) / per)
    mean = sum(times) / len(times)
    return {"shape": shape, "us_per_op": mean * 1e6, "gflops": 2.0 * m * n * k / mean / 1e9}


def cpu_time(shape, rounds=15):
    """Best single-thread GFLOP per CPU-second (run with OPENBLAS_NUM_THREADS=1), the counterpart of GemmCpuTime."""
    t, m, n, k = dims(shape)
    rng = np.random.default_rng(1)
    a = rng.random((m, k), dtype=np.float32) * 2 - 1
    b = rng.random((k, n), dtype=np.float32) * 2 - 1
    reps = max(1, int(1e9 / (2.0 * m * n * k)))
    best = 0.0
    for r in range(rounds):
        t0 = time.thread_time()
        for _ in range(reps):
            a @ b
        dt = time.thread_time() - t0
        if r >= 3 and dt > 0:
            best = max(best, 2.0 * m * n * k * reps / dt / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--out")
    ap.add_argument("--cpu-time", action="store_true", help="single-thread GFLOP per CPU-second instead (set OPENBLAS_NUM_THREADS=1)")
    ap.add_argument("shapes", nargs="*", default=SHAPES)
    args = ap.parse_args()
    if args.cpu_time:
        for s in args.shapes:
            print(f"numpy {s:>5}: {cpu_time(s):6.1f} GFLOP per CPU-second (best of 12 rounds, one thread)", flush=True)
        return
    res = []
    for s in args.shapes:
        r = measure(s)
        res.append(r)
        print(f"numpy {s:>16}: {r['us_per_op']:10.1f} us/op  {r['gflops']:7.1f} GFLOP/s", flush=True)
    info = {"numpy": np.__version__}
    try:
        cfg = np.show_config(mode="dicts")
        info["blas"] = cfg["Build Dependencies"]["blas"]["name"] + " " + cfg["Build Dependencies"]["blas"]["version"]
    except Exception:
        pass
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"info": info, "results": res}, fh, indent=1)


if __name__ == "__main__":
    main()
