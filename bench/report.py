#!/usr/bin/python3
"""Prints the benchmark tables (Markdown) from the files bench/run.sh leaves in OUT.

    report.py OUT

OUT holds bench/timeit.py's JSON per case (CASE.json for schemagate and its floor, interleaved;
CASE-peers.json and CASE-sqitch.json for Alembic and sqitch), messages.tsv (strace counts),
wait.json or wait.skipped, and meta.json.

Times are medians of wall time. "ratio" is schemagate's median over the floor's median; "paired"
is the median over rounds of schemagate's time over the floor's time in the same round, which
cancels load that comes and goes on a shared machine, and is what the verdicts use. CPU is the
median user + system time of the client process (never the server's). Peak RSS is the largest
ru_maxrss over the runs, in decimal MB (and MiB).
"""
import json
import os
import statistics
import sys

KIB_PER_MB = 1000 * 1000 / 1024
RSS_TARGET_MB = 15
PLAN_TARGET_S = 0.5
CASES = [
    # case, title, the floor's description, target ratio for schemagate (None: absolute target)
    ("apply-100", "apply 100 migrations from empty", "psql -X -q -f, same SQL + history rows", 1.1),
    ("apply-1000", "apply 1000 migrations from empty", "psql -X -q -f, same SQL + history rows", 1.1),
    ("noop-100", "no-op upgrade at head, 100 applied", "psql -X -c 'select 1'", 1.5),
    ("noop-1000", "no-op upgrade at head, 1000 applied", "psql -X -c 'select 1'", 1.5),
    ("plan", "parse + plan {files} files, no database", "cat of the {files} files", None),
]


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def fmt_rss(kb):
    return "—" if kb is None else f"{kb / KIB_PER_MB:.1f} MB ({kb / 1024:.1f} MiB)"


def main():
    out = sys.argv[1]
    meta = load(os.path.join(out, "meta.json")) or {}
    rows, verdicts = [], []
    files = f"{meta.get('plan_files', 10000):,}"
    for case, title, floor_desc, ratio_target in CASES:
        title, floor_desc = title.format(files=files), floor_desc.format(files=files)
        results = []
        for suffix in ("", "-peers", "-sqitch"):
            data = load(os.path.join(out, f"{case}{suffix}.json"))
            if data:
                results += data["results"]
        if not results:
            continue
        by_name = {r["command"]: r for r in results}
        floor = by_name.get("floor")
        order = ["schemagate", "floor"] + sorted(n for n in by_name if n not in ("schemagate", "floor"))
        for name in order:
            r = by_name.get(name)
            if r is None:
                continue
            median = r["median"]
            ratio = median / floor["median"] if floor else None
            ratio_text = "—" if ratio is None else f"{ratio:.2f}×"
            paired = None
            if name == "schemagate" and floor and len(floor["times"]) == len(r["times"]):
                paired = statistics.median(a / b for a, b in zip(r["times"], floor["times"]))
                ratio_text += f" (paired {paired:.2f}×)"
            tool = f"floor: {floor_desc}" if name == "floor" else name
            if name == "schemagate" and case == "plan":
                tool = f"schemagate {meta.get('plan_command', 'history')}"
            target, verdict = "", ""
            if name == "schemagate":
                if ratio_target is not None:
                    target = f"≤ {ratio_target}× floor"
                    verdict = "met" if (paired or ratio) <= ratio_target else "MISSED"
                elif case == "plan":
                    cpu = r["user"] + r["system"]
                    target = f"< {PLAN_TARGET_S} s"
                    verdict = "met" if median < PLAN_TARGET_S else (
                        "MISSED" if cpu >= PLAN_TARGET_S else
                        f"MISSED on wall time; its CPU time ({fmt_s(cpu)}) is under")
                if verdict:
                    verdicts.append((f"{title}: {target}", verdict))
            kb = r.get("max_rss_kb")
            if name == "schemagate" and kb is not None:
                verdicts.append((f"{title}: peak RSS < {RSS_TARGET_MB} MB",
                                 f"met ({fmt_rss(kb)})" if kb < RSS_TARGET_MB * KIB_PER_MB
                                 else f"MISSED ({fmt_rss(kb)})"))
            rows.append((title, tool, f"{fmt_s(median)} (n={len(r['times'])})", ratio_text,
                         fmt_s(r["user"] + r["system"]), fmt_rss(kb), target, verdict))

    wait = load(os.path.join(out, "wait.json"))
    if wait:
        title = f"wait release latency, {wait['waiters']} waiters"
        runner = (f"; the runner took {fmt_s(wait['runner_wall'])} meanwhile"
                  if "runner_wall" in wait else "")
        cpu = fmt_s(wait["waiters_cpu"]) + " (all waiters)" if "waiters_cpu" in wait else "—"
        rows.append((title, "schemagate wait: runner's exit → last waiter's exit" + runner,
                     f"{fmt_s(wait['median'])} (n={len(wait['times'])})", "—", cpu,
                     f"{fmt_rss(wait['waiter_rss_kb'])} per waiter", "", ""))
        verdicts.append((f"{title}: peak RSS < {RSS_TARGET_MB} MB per waiter",
                         "met" if wait["waiter_rss_kb"] < RSS_TARGET_MB * KIB_PER_MB else "MISSED"))
    elif os.path.exists(os.path.join(out, "wait.skipped")):
        with open(os.path.join(out, "wait.skipped")) as f:
            reason = f.read().strip()
        rows.append(("wait release latency, 200 waiters", "schemagate wait",
                     f"not available yet: {reason}", "—", "—", "—", "", "skipped"))

    print("| case | tool | median wall | ratio to floor | client CPU | peak RSS | target | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")

    messages = os.path.join(out, "messages.tsv")
    if os.path.exists(messages):
        print()
        print("| applying 100 migrations | client sendto calls | per migration | threads started | programs run |")
        print("|---|---|---|---|---|")
        with open(messages) as f:
            for line in f:
                tool, sends, threads, execs = line.rstrip("\n").split("\t")
                per = f"{int(sends) / 100:.2f}" if sends else "?"
                print(f"| {tool} | {sends} | {per} | {threads} | {execs} |")

    print()
    print("| target | verdict |")
    print("|---|---|")
    for target, verdict in verdicts:
        print(f"| {target} | {verdict} |")


if __name__ == "__main__":
    main()
