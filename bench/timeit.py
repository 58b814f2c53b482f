#!/usr/bin/python3
"""Times commands in interleaved rounds and writes hyperfine-shaped JSON.

    timeit.py --measure PATH --out F.json --runs R [--warmup W] [--prepare CMD]
              --cmd NAME CMD [--cmd NAME CMD...]

Each round runs every command once, in an order that alternates from round to round (A B, B A,
...), each after --prepare (a shell command, not timed). Interleaving matters on a shared
machine: a burst of load from elsewhere then hits both sides of a comparison instead of all the
runs of one of them, as it would with hyperfine's run-all-of-A-then-all-of-B.

A command is split like a shell would (shlex) but run without one, by bench/measure.cpp (built
to PATH), which takes the wall time around fork + exec + wait4 and reports wait4's user and
system CPU time and peak RSS (ru_maxrss, KiB: the number GNU time prints for %M). Its stdout goes
to /dev/null; a non-zero exit stops everything and prints the command's stderr.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(measure, argv):
    with tempfile.NamedTemporaryFile() as err:
        out = subprocess.run([measure, err.name] + argv, check=True, capture_output=True, text=True)
        wall_ns, user_us, sys_us, rss_kb, code = (int(x) for x in out.stdout.split())
        if code != 0:
            sys.stderr.write(open(err.name, errors="replace").read()[-4000:])
            sys.exit(f"timeit: exit code {code} from: {shlex.join(argv)}")
    return wall_ns / 1e9, user_us / 1e6, sys_us / 1e6, rss_kb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--prepare")
    ap.add_argument("--cmd", nargs=2, action="append", metavar=("NAME", "CMD"), required=True)
    args = ap.parse_args()

    cmds = [(name, shlex.split(cmd)) for name, cmd in args.cmd]
    samples = {name: [] for name, _ in cmds}
    for rnd in range(args.warmup + args.runs):
        order = cmds if rnd % 2 == 0 else list(reversed(cmds))
        for name, argv in order:
            if args.prepare:
                subprocess.run(args.prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
            sample = run_once(args.measure, argv)
            if rnd >= args.warmup:
                samples[name].append(sample)

    results = []
    for name, argv in cmds:
        s = samples[name]
        times = [x[0] for x in s]
        results.append({
            "command": name,
            "argv": argv,
            "median": statistics.median(times),
            "mean": statistics.mean(times),
            "min": min(times),
            "max": max(times),
            "times": times,
            "user": statistics.median(x[1] for x in s),
            "system": statistics.median(x[2] for x in s),
            "max_rss_kb": max(x[3] for x in s),
        })
        print(f"  {name:<12} median {statistics.median(times) * 1000:9.1f} ms  "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})  "
              f"cpu {(results[-1]['user'] + results[-1]['system']) * 1000:.1f} ms  "
              f"rss {results[-1]['max_rss_kb']} KiB", file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump({"results": results, "loadavg": os.getloadavg()}, f, indent=1)


if __name__ == "__main__":
    main()
