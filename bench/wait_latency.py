#!/usr/bin/python3
"""Release latency of `schemagate wait`: W waiters block on a target revision while one runner
applies the migrations; the latency is the time from the runner's exit to the last waiter's exit.

    wait_latency.py MEASURE SCHEMAGATE DIR URL REV FRESH_DB_CMD WAITERS RUNS OUT.json

Each run starts from a fresh database (FRESH_DB_CMD), starts the waiters, waits until each holds
its database connection, then runs `upgrade head`. Every process runs under MEASURE (bench/measure.cpp), which reports its peak
RSS; one thread per process notes the time its MEASURE exits, right after the process itself.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time


def spawn(measure, argv):
    record = {}
    proc = subprocess.Popen([measure, os.devnull] + argv, stdout=subprocess.PIPE, text=True)

    def reap():
        out, _ = proc.communicate()
        record["end"] = time.monotonic()
        wall_ns, user_us, sys_us, rss_kb, code = (int(x) for x in out.split())
        record["status"] = code
        record["rss_kb"] = rss_kb
        record["wall"] = wall_ns / 1e9
        record["cpu"] = (user_us + sys_us) / 1e6

    thread = threading.Thread(target=reap)
    thread.start()
    record["thread"] = thread
    return record


def settle(url, waiters, patience=180):
    """Returns once every waiter holds its connection (each costs the database one), so the
    runner starts against waiters that are all listening, not still starting up."""
    import psycopg2
    deadline = time.monotonic() + patience
    while True:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            connected = cur.fetchone()[0]
        conn.close()
        if connected >= waiters:
            time.sleep(0.5)
            return
        if time.monotonic() > deadline:
            sys.exit(f"wait_latency: only {connected} of {waiters} waiters connected "
                     f"within {patience}s")
        time.sleep(0.2)


def main():
    measure, sg, mdir, url, rev, fresh, waiters, runs, out = sys.argv[1:]
    waiters, runs = int(waiters), int(runs)
    common = ["--dir", mdir, "--database-url", url]
    latencies, waiter_rss, runner_rss, runner_wall, waiters_cpu = [], [], [], [], []
    for _ in range(runs):
        subprocess.run(fresh, shell=True, check=True)
        ws = [spawn(measure, [sg, "wait", "--target", rev, "--timeout", "300s"] + common)
              for _ in range(waiters)]
        settle(url, waiters)
        early = [w for w in ws if not w["thread"].is_alive()]
        if early:
            sys.exit(f"wait_latency: {len(early)} waiters exited before the runner started "
                     f"(first exit code {early[0]['status']})")
        runner = spawn(measure, [sg, "upgrade", "head"] + common)
        runner["thread"].join()
        if runner["status"] != 0:
            sys.exit(f"wait_latency: the runner failed with exit code {runner['status']}")
        for w in ws:
            w["thread"].join(timeout=330)
        bad = [w for w in ws if w.get("status") != 0]
        if bad:
            sys.exit(f"wait_latency: {len(bad)} waiters failed (first exit code {bad[0].get('status')})")
        latencies.append(max(w["end"] for w in ws) - runner["end"])
        waiter_rss.append(max(w["rss_kb"] for w in ws))
        runner_rss.append(runner["rss_kb"])
        runner_wall.append(runner["wall"])
        waiters_cpu.append(sum(w["cpu"] for w in ws))
    with open(out, "w") as f:
        json.dump({"median": statistics.median(latencies), "times": latencies,
                   "waiter_rss_kb": max(waiter_rss), "runner_rss_kb": max(runner_rss),
                   "runner_wall": statistics.median(runner_wall),
                   "waiters_cpu": statistics.median(waiters_cpu),
                   "waiters": waiters}, f)


if __name__ == "__main__":
    main()
