#!/usr/bin/env python3
"""Top frames of a JFR recording by own samples (the top of each stack) and by inclusive samples (anywhere in it).

  python3 bench/jfr_top.py RECORDING.jfr [N] [--thread NAME_PREFIX] [--inclusive]

Reads `jfr print --stack-depth 64 --json --events jdk.ExecutionSample` (jfr print keeps 5 frames per stack unless told) (the JDK's jfr tool on PATH); frames are Class.method.
"""
import argparse
import collections
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description="Top frames of a JFR recording by own and inclusive samples.")
    ap.add_argument("recording")
    ap.add_argument("n", nargs="?", type=int, default=25)
    ap.add_argument("--thread", help="only samples of threads whose name starts with this")
    ap.add_argument("--inclusive", action="store_true", help="rank frames by inclusive samples (where the time goes by caller) instead of own")
    a = ap.parse_args()
    rec, n, prefix = a.recording, a.n, a.thread
    out = subprocess.run(["jfr", "print", "--stack-depth", "256", "--json", "--events", "jdk.ExecutionSample", rec], capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    own, incl, total = collections.Counter(), collections.Counter(), 0
    for e in events:
        v = e["values"]
        thread = (v.get("sampledThread") or {}).get("javaName") or ""
        if prefix and not thread.startswith(prefix):
            continue
        frames = [f["method"]["type"]["name"].split(".")[-1] + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
        if not frames:
            continue
        total += 1
        own[frames[0]] += 1
        for f in set(frames):
            incl[f] += 1
    print(f"{total} samples{' on threads ' + prefix + '*' if prefix else ''}")
    print(f"{'own %':>6}  {'incl %':>6}  frame")
    for f, _ in (incl if a.inclusive else own).most_common(n):
        print(f"{100 * own[f] / total:6.1f}  {100 * incl[f] / total:6.1f}  {f}")


if __name__ == "__main__":
    main()
