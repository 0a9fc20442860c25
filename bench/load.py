"""Classroom load: N simultaneous sessions against the real server, over Streamlit's websocket.

    python3 bench/load.py                      # 10, 30 and 60 sessions (a fresh server each)
    python3 bench/load.py --sessions 30 --steps 5 --think 0.5
    python3 bench/load.py --sessions 30 --profile   # py-spy samples the server meanwhile
    python3 bench/load.py --classroom --sessions 60 --think 3 --distinct-seeds
    python3 bench/load.py --classroom --sessions 30 --kill-replica-at 20   # a replica dies

Each session is one simulated browser tab (bench/st_client.py): it opens the app, visits every
page of the navigation in order, clicks Next a few times on the Feedforward and Backprop
step-throughs, and presses Train on the Training page (its default epochs). Each action's time
is from sending the BackMsg to the server's script_finished message. Sessions start within
`--ramp` seconds of each other and pause `--think` seconds (+-50 %, seeded) between actions,
like students following a teacher. Everything runs on 127.0.0.1; the server is stopped at the
end. Errors: exception elements, compile errors, timeouts, disconnects, missing widgets.

`--classroom` runs the same load through the README's classroom setup (`python3 -m classroom`:
`--replicas` Streamlit processes behind HAProxy); CPU and memory are then the replicas' sum.
`--kill-replica-at T` kills the first replica T seconds into the run: each session that loses
its websocket reconnects through HAProxy with its URL (as a browser reloads its link), opens
the page it was on and retries the action; those are counted as disconnects and recoveries.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import ClassroomServer, Server, export_commit  # noqa: E402
from bench.st_client import StreamlitSession  # noqa: E402

# What a session does on each page: (measure name, widget key) per click.
STEP_KEYS = {"Feedforward": "ff.next", "Backprop": "bp.next"}
TRAIN_KEY = {"Training": "train.train"}


async def session(i, port, args, times, errors, done: asyncio.Event, all_done, faults,
                  release: asyncio.Event):
    """One student: open, visit every page, step, train; then wait for the others and leave."""
    rng = random.Random(args.seed * 1000 + i)
    s = StreamlitSession(port, timeout=args.timeout)

    async def think():
        await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))

    def record(name, result):
        times[name].append(result.seconds)
        errors.extend(f"session {i} {name}: {e}" for e in result.errors)

    async def act(name, action):
        """Run one action; when the replica died under it, reconnect with the URL and retry."""
        nonlocal s
        try:
            record(name, await action())
        except (ConnectionClosed, OSError) as err:
            if args.kill_replica_at is None:
                raise
            faults["disconnects"] += 1
            page, query = s.page_hash, s.query_string
            start = time.perf_counter()
            s = StreamlitSession(port, timeout=args.timeout)
            await s.connect(query)  # the browser reloads its link on a live replica
            if page and page != s.page_hash:
                await s.rerun(page_hash=page)
            faults["recoveries"] += 1
            times["recovery"].append(time.perf_counter() - start)
            faults["retried"].append(f"session {i} {name} after {type(err).__name__}")
            record(name, await action())

    await asyncio.sleep(rng.uniform(0, args.ramp))
    try:
        query = "&".join(q for q in (args.query, f"seed={i}" if args.distinct_seeds else "") if q)
        await act("open", lambda: s.connect(query))
        for title in [t for t in s.pages if t != "Playground"] + ["Playground"]:
            await think()
            await act("page", lambda title=title: s.switch_page(title))
            for key in ([STEP_KEYS[title]] * args.steps if title in STEP_KEYS else []):
                if key not in s.widgets:
                    errors.append(f"session {i}: no widget {key!r} on {title}")
                    break
                await think()
                await act("step", lambda key=key: s.click(key))
            if title in TRAIN_KEY:
                await think()
                await act("train", lambda title=title: s.click(TRAIN_KEY[title]))
    except Exception as err:  # a timeout, a disconnect (websockets.ConnectionClosed), ...
        errors.append(f"session {i}: {type(err).__name__}: {err}")
    finally:
        all_done.append(i)
        if len(all_done) == args.n:
            done.set()
        await done.wait()
        await release.wait()  # hold the session open until memory has been measured
        await s.close()


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def run_level(n, server, args) -> dict:
    times, errors, finished = defaultdict(list), [], []
    faults = {"disconnects": 0, "recoveries": 0, "retried": []}
    done, release = asyncio.Event(), asyncio.Event()
    args.n = n
    before, cpu_before, load = server.rss(), server.cpu(), os.getloadavg()[0]
    peak = [before]
    stop = threading.Event()

    def sample():  # the highest RSS while the sessions run
        while not stop.wait(0.2):
            peak[0] = max(peak[0], server.rss())
            server.tick()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    tasks = [asyncio.create_task(session(i, server.port, args, times, errors, done, finished,
                                         faults, release)) for i in range(n)]
    if args.kill_replica_at is not None:
        async def kill():
            await asyncio.sleep(args.kill_replica_at)
            faults["killed_at"] = time.perf_counter() - start
            faults["killed_sessions"] = server.kill_first()
        tasks.append(asyncio.create_task(kill()))
    await done.wait()
    await asyncio.sleep(0.5)
    held = server.rss()  # all N sessions still connected, their state in memory
    spread = server.spread()
    release.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    cpu = server.cpu() - cpu_before
    stop.set()
    sampler.join()
    return dict(n=n, times=times, errors=errors, rss_before=before, rss_held=held,
                rss_peak=max(peak[0], held), wall=wall, cpu=cpu, load=load, faults=faults,
                spread=spread, load_after=os.getloadavg()[0])


def warm_up(port, args):
    """One session first, so imports and first-run caches are not counted as per-session."""
    async def go():
        s = StreamlitSession(port, timeout=args.timeout)
        await s.connect()
        for title in list(s.pages):
            await s.switch_page(title)
        await s.close()
    asyncio.run(go())


def start_profiler(pid, seconds, out):
    cmd = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)),
           "--rate", "50", "--format", "raw", "--output", str(out), "--threads", "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fmt(values, q=None):
    if not values:
        return "-"
    return f"{(statistics.median(values) if q is None else percentile(values, q)):.2f}"


def print_table(rows, args):
    setup = (f"python3 -m classroom --replicas {args.replicas} (HAProxy)" if args.classroom
             else "streamlit run app.py")
    print(f"\nserver: {setup} {' '.join(args.server_arg)} "
          f"({'commit ' + args.commit if args.commit else 'working tree'}); "
          f"{os.cpu_count()} CPUs")
    link = "&".join(q for q in (args.query, "seed=<i>" if args.distinct_seeds else "") if q)
    print(f"think {args.think:g} s, ramp {args.ramp:g} s, {args.steps} Next clicks per "
          f"step-through, Train with the page's default epochs; link ?{link}; times in seconds "
          f"(BackMsg sent -> script_finished)\n")
    head = ("sessions", "open p50", "open p95", "page p50", "page p95", "step p50", "step p95",
            "train p50", "train p95", "errors", "RSS before MB", "RSS held MB", "MB/session",
            "server CPU s/session", "wall s")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        t = r["times"]
        per = (r["rss_held"] - r["rss_before"]) / r["n"]
        per = "-" if "killed_at" in r["faults"] else f"{per:.2f}"  # a fresh replica replaced one
        cells = (r["n"], fmt(t["open"]), fmt(t["open"], .95), fmt(t["page"]),
                 fmt(t["page"], .95), fmt(t["step"]), fmt(t["step"], .95), fmt(t["train"]),
                 fmt(t["train"], .95), len(r["errors"]), f"{r['rss_before']:.0f}",
                 f"{r['rss_held']:.0f}", per, f"{r['cpu'] / r['n']:.2f}",
                 f"{r['wall']:.0f}")
        print("| " + " | ".join(map(str, cells)) + " |")
    print("\ncounts: " + "; ".join(
        f"{r['n']} sessions: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(r["times"].items()))
        + f", peak RSS {r['rss_peak']:.0f} MB, load average before {r['load']:.1f}, "
        f"after {r['load_after']:.1f}" + (f"; students per replica {r['spread']}"
                                          if r["spread"] else "")
        for r in rows))
    for r in rows:
        f = r["faults"]
        if "killed_at" in f:
            rec = r["times"]["recovery"]
            print(f"replica r1 killed at {f['killed_at']:.0f} s holding {f['killed_sessions']} "
                  f"students ({r['n']} sessions): {f['disconnects']} disconnects, "
                  f"{f['recoveries']} recovered (reconnect + reopen p50 {fmt(rec)} s, max "
                  f"{max(rec) if rec else 0:.2f} s), {len(r['errors'])} errors")
    for r in rows:
        for e in r["errors"][:10]:
            print(f"  error ({r['n']} sessions): {e[:300]}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, nargs="+", default=[10, 30, 60])
    p.add_argument("--steps", type=int, default=3, help="Next clicks per step-through page")
    p.add_argument("--think", type=float, default=1.0, help="mean pause between actions (s)")
    p.add_argument("--ramp", type=float, default=3.0, help="sessions start within this (s)")
    p.add_argument("--timeout", type=float, default=120.0, help="per action (s)")
    p.add_argument("--seed", type=int, default=0, help="of the think times")
    p.add_argument("--query", default="", help="the link everyone opens, e.g. preset=spiral")
    p.add_argument("--distinct-seeds", action="store_true",
                   help="session i adds seed=i to the link: every network (and training) differs")
    p.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                   help="extra `streamlit run` argument, repeatable, e.g. "
                        "--server-arg=--runner.postScriptGC=false")
    p.add_argument("--commit", metavar="REV", help="run the app as committed at REV "
                   "(e.g. HEAD) from a temporary copy instead of the working tree")
    p.add_argument("--profile", action="store_true", help="py-spy record the server (raw "
                   "folded stacks in /tmp/nn_load_profile_<N>_<replica>.txt)")
    p.add_argument("--classroom", action="store_true", help="through the classroom setup: "
                   "Streamlit replicas behind HAProxy (python3 -m classroom)")
    p.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                   help="with --classroom (default: one per core, %(default)s)")
    p.add_argument("--kill-replica-at", type=float, metavar="SECONDS",
                   help="with --classroom: kill the first replica this long into the run")
    args = p.parse_args(argv)
    root = export_commit(args.commit) if args.commit else ROOT
    rows = []
    for n in args.sessions:
        # No file watcher: a change on disk mid-run makes Streamlit drop modules that other
        # sessions are importing (a shared working tree changes under a long bench).
        server_args = ["--server.fileWatcherType", "none", *args.server_arg]
        server = (ClassroomServer(args.replicas, args.server_arg, root) if args.classroom
                  else Server(server_args, root))
        try:
            for port in server.warm_ports():
                warm_up(port, args)
            profs = []
            if args.profile:
                profs = [start_profiler(pid, 600, f"/tmp/nn_load_profile_{n}_{k}.txt")
                         for k, pid in enumerate(server.pids())]
            rows.append(asyncio.run(run_level(n, server, args)))
            for prof in profs:
                prof.send_signal(2)  # SIGINT: py-spy writes what it has and exits
                prof.wait(30)
            r = rows[-1]
            print(f"{n} sessions: done in {r['wall']:.0f} s, {len(r['errors'])} errors",
                  flush=True)
        finally:
            server.stop()
    if args.commit:
        shutil.rmtree(root, ignore_errors=True)
    print_table(rows, args)
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
