"""Classroom load: N simultaneous sessions against the real server, over Streamlit's websocket.

    python3 bench/load.py                      # 10, 30 and 60 sessions (a fresh server each)
    python3 bench/load.py --sessions 30 --steps 5 --think 0.5
    python3 bench/load.py --sessions 30 --profile   # py-spy samples the server meanwhile

Each session is one simulated browser tab (bench/st_client.py): it opens the app, visits every
page of the navigation in order, clicks Next a few times on the Feedforward and Backprop
step-throughs, and presses Train on the Training page (its default epochs). Each action's time
is from sending the BackMsg to the server's script_finished message. Sessions start within
`--ramp` seconds of each other and pause `--think` seconds (+-50 %, seeded) between actions,
like students following a teacher. Everything runs on 127.0.0.1; the server is stopped at the
end. Errors: exception elements, compile errors, timeouts, disconnects, missing widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.st_client import StreamlitSession  # noqa: E402

# What a session does on each page: (measure name, widget key) per click.
STEP_KEYS = {"Feedforward": "ff.next", "Backprop": "bp.next"}
TRAIN_KEY = {"Training": "train.train"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Server:
    """`streamlit run app.py` on a free loopback port, stopped on exit."""

    def __init__(self, extra_args=(), root=ROOT):
        self.port = free_port()
        cmd = [sys.executable, "-m", "streamlit", "run", str(Path(root) / "app.py"),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
               *extra_args]
        self.log = open(f"/tmp/nn_load_server_{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=root, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health",
                                            timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start; see " + self.log.name)

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


async def session(i, port, args, times, errors, done: asyncio.Event, all_done):
    """One student: open, visit every page, step, train; then wait for the others and leave."""
    rng = random.Random(args.seed * 1000 + i)

    async def think():
        await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))

    def record(name, result):
        times[name].append(result.seconds)
        errors.extend(f"session {i} {name}: {e}" for e in result.errors)

    s = StreamlitSession(port, timeout=args.timeout)
    await asyncio.sleep(rng.uniform(0, args.ramp))
    try:
        query = "&".join(q for q in (args.query, f"seed={i}" if args.distinct_seeds else "") if q)
        record("open", await s.connect(query))
        for title in [t for t in s.pages if t != "Playground"] + ["Playground"]:
            await think()
            record("page", await s.switch_page(title))
            for key in ([STEP_KEYS[title]] * args.steps if title in STEP_KEYS else []):
                if key not in s.widgets:
                    errors.append(f"session {i}: no widget {key!r} on {title}")
                    break
                await think()
                record("step", await s.click(key))
            if title in TRAIN_KEY:
                await think()
                record("train", await s.click(TRAIN_KEY[title]))
    except Exception as err:  # a timeout, a disconnect (websockets.ConnectionClosed), ...
        errors.append(f"session {i}: {type(err).__name__}: {err}")
    finally:
        all_done.append(i)
        if len(all_done) == args.n:
            done.set()
        await done.wait()  # hold the session open until everyone is done: memory is measured
        await s.close()


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def run_level(n, server, args) -> dict:
    times, errors, finished = defaultdict(list), [], []
    done = asyncio.Event()
    args.n = n
    before, cpu_before, load = server.rss(), server.cpu(), os.getloadavg()[0]
    peak = [before]
    stop = threading.Event()

    def sample():  # the highest RSS while the sessions run
        while not stop.wait(0.2):
            peak[0] = max(peak[0], server.rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    tasks = [asyncio.create_task(session(i, server.port, args, times, errors, done, finished))
             for i in range(n)]
    await done.wait()
    await asyncio.sleep(0.5)
    held = server.rss()  # all N sessions still connected, their state in memory
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    cpu = server.cpu() - cpu_before
    stop.set()
    sampler.join()
    return dict(n=n, times=times, errors=errors, rss_before=before, rss_held=held,
                rss_peak=max(peak[0], held), wall=wall, cpu=cpu, load=load)


def warm_up(port, args):
    """One session first, so imports and first-run caches are not counted as per-session."""
    async def go():
        s = StreamlitSession(port, timeout=args.timeout)
        await s.connect()
        for title in list(s.pages):
            await s.switch_page(title)
        await s.close()
    asyncio.run(go())


def export_commit(rev: str) -> Path:
    """Copy the app as committed at `rev` into a temporary directory (git archive; the repo
    and its working tree are only read), so edits in progress do not change what is measured."""
    out = Path(tempfile.mkdtemp(prefix="nn_load_tree_"))
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def start_profiler(pid, seconds, out):
    cmd = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)),
           "--rate", "50", "--format", "raw", "--output", str(out), "--threads", "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fmt(values, q=None):
    if not values:
        return "-"
    return f"{(statistics.median(values) if q is None else percentile(values, q)):.2f}"


def print_table(rows, args):
    print(f"\nserver: streamlit run app.py {' '.join(args.server_arg)} "
          f"({'commit ' + args.commit if args.commit else 'working tree'}); "
          f"{os.cpu_count()} CPUs")
    print(f"think {args.think:g} s, ramp {args.ramp:g} s, {args.steps} Next clicks per "
          f"step-through, Train with the page's default epochs; link ?{args.query}"
          f"{'&seed=<i>' if args.distinct_seeds else ''}; times in seconds "
          f"(BackMsg sent -> script_finished)\n")
    head = ("sessions", "open p50", "open p95", "page p50", "page p95", "step p50", "step p95",
            "train p50", "train p95", "errors", "RSS before MB", "RSS held MB", "MB/session",
            "server CPU s/session", "wall s")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        t = r["times"]
        per = (r["rss_held"] - r["rss_before"]) / r["n"]
        cells = (r["n"], fmt(t["open"]), fmt(t["open"], .95), fmt(t["page"]),
                 fmt(t["page"], .95), fmt(t["step"]), fmt(t["step"], .95), fmt(t["train"]),
                 fmt(t["train"], .95), len(r["errors"]), f"{r['rss_before']:.0f}",
                 f"{r['rss_held']:.0f}", f"{per:.2f}", f"{r['cpu'] / r['n']:.2f}",
                 f"{r['wall']:.0f}")
        print("| " + " | ".join(map(str, cells)) + " |")
    print("\ncounts: " + "; ".join(
        f"{r['n']} sessions: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(r["times"].items()))
        + f", peak RSS {r['rss_peak']:.0f} MB, load average before {r['load']:.1f}"
        for r in rows))
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
                   "folded stacks in /tmp/nn_load_profile_<N>.txt)")
    args = p.parse_args(argv)
    root = export_commit(args.commit) if args.commit else ROOT
    rows = []
    for n in args.sessions:
        # No file watcher: a change on disk mid-run makes Streamlit drop modules that other
        # sessions are importing (a shared working tree changes under a long bench).
        server = Server(["--server.fileWatcherType", "none", *args.server_arg], root)
        try:
            warm_up(server.port, args)
            prof = None
            if args.profile:
                prof = start_profiler(server.proc.pid, 600, f"/tmp/nn_load_profile_{n}.txt")
            rows.append(asyncio.run(run_level(n, server, args)))
            if prof is not None:
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
