#!/usr/bin/env python3
"""Turns JMH JSON results (one file per JDK) and openblas_sgemm.py's JSON into the tables of bench/README.md.

usage: report.py --numpy numpy.json --jmh "JDK 17=jmh-17.json" --jmh "JDK 25=jmh-25.json"
"""
import argparse, json, platform, subprocess


def dims(shape):
    t = shape.startswith("t")
    s = shape[1:] if t else shape
    m, n, k = (int(x) for x in s.split("x")) if "x" in s else (int(s),) * 3
    return m, n, k


def us(r):
    score, unit = r["primaryMetric"]["score"], r["primaryMetric"]["scoreUnit"]
    return score * {"us/op": 1, "ms/op": 1e3, "ns/op": 1e-3, "s/op": 1e6}[unit]


def machine():
    model = cores = "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name": model = v.strip()
            if k.strip() == "CPU(s)": cores = v.strip()
        flags = next((l for l in out.splitlines() if l.startswith("Flags")), "")
        simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    except OSError:
        simd = "?"
    return f"{model}, {cores} cores, {simd}, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--numpy", required=True)
    ap.add_argument("--jmh", action="append", required=True, help="LABEL=file.json")
    a = ap.parse_args()
    npres = json.load(open(a.numpy))
    blas = {r["shape"]: r for r in npres["results"]}
    runs = []
    for spec in a.jmh:
        label, _, path = spec.partition("=")
        runs.append((label, json.load(open(path))))
    print(f"Machine: {machine()}; numpy {npres['info'].get('numpy')} with {npres['info'].get('blas', 'its BLAS')}.\n")
    for label, res in runs:
        jvm = res[0]["jvm"] if res else "?"
        print(f"- {label}: {res[0].get('vmName', '')} {res[0].get('vmVersion', '')} ({jvm})")
    print()
    head = "| shape (M x N x K) | OpenBLAS GFLOP/s |" + "".join(f" simd {l} GFLOP/s | ratio {l} |" for l, _ in runs)
    print(head)
    print("|" + " --- |" * (2 + 2 * len(runs)))
    shapes = [r["params"]["shape"] for r in runs[0][1] if r["benchmark"].endswith("MatmulBench.gemm")]
    for s in shapes:
        m, n, k = dims(s)
        flop = 2.0 * m * n * k
        ob = blas.get(s)
        row = f"| {('A^T ' if s.startswith('t') else '')}{m} x {n} x {k} | {ob['gflops']:.1f} |" if ob else f"| {s} | - |"
        for _, res in runs:
            r = next((r for r in res if r["benchmark"].endswith("MatmulBench.gemm") and r["params"]["shape"] == s), None)
            g = flop / (us(r) * 1e-6) / 1e9 if r else float("nan")
            row += f" {g:.1f} | {g / ob['gflops']:.2f} |" if ob else f" {g:.1f} | - |"
        print(row)
    print()
    print("| kernel | shape | " + " | ".join(f"{l} simd us/op | {l} scalar us/op" for l, _ in runs) + " |")
    print("|" + " --- |" * (2 + 2 * len(runs)))
    keys = []
    for r in runs[0][1]:
        if r["benchmark"].endswith("MatmulBench.gemm"):
            continue
        key = (r["benchmark"].split(".")[-2] + "." + r["benchmark"].split(".")[-1], r["params"].get("shape", "4096x256x64"))
        if key not in keys:
            keys.append(key)
    for bench, shape in keys:
        row = f"| {bench} | {shape} |"
        for _, res in runs:
            for mode in ("simd", "scalar"):
                r = next((r for r in res if r["benchmark"].endswith(bench) and r["params"].get("shape", "4096x256x64") == shape and r["params"]["mode"] == mode), None)
                row += f" {us(r):.1f} |" if r else " - |"
        print(row)


if __name__ == "__main__":
    main()
