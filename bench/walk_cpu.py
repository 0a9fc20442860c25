"""Server CPU per student's walk, action by action: where a class's CPU goes.

    python3 bench/walk_cpu.py                    # 5 students with their own seeds, one by one
    python3 bench/walk_cpu.py --commit HEAD~3    # the same, as committed at a revision
    python3 bench/walk_cpu.py --shared           # everyone on the same link (shared caches)
    python3 bench/walk_cpu.py --against 4a38af2  # before/after: two servers, students in turn

One server (`streamlit run app.py`, no file watcher), one student at a time: each walks what a
student of bench/load.py walks (open the app, every page in the navigation's order, three Next
clicks on Feedforward and on Backprop, Train on the Training page, back to the Playground).
The server's CPU time (user + system, /proc) is read before and after each action, once the
server has gone quiet, so each action's CPU is its own even on a machine others share; only
wall-clock times are distorted by their load, and none are printed. A warm-up walk first, so
imports and first-run caches are not counted; that first student stays connected (idle) to the
end, as the rest of a class does: Streamlit drops its compiled page scripts whenever the last
session leaves, and a walk alone on the server would pay for compiling every page again.
Prints the median over the students of each action's CPU and of the whole walk. With
`--against REV`, a second server runs the app as committed at REV and the students walk both
in turn (student i on one, then on the other, alternating which goes first), so a busy spell
of a shared host falls on both columns alike: the columns and their ratio are comparable
where two separate runs are not (the same commit measured 0.40 and 0.33 s per
Train click in two such runs ten minutes apart).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import STEP_KEYS, TRAIN_KEY  # noqa: E402
from bench.servers import Server, export_commit  # noqa: E402
from bench.st_client import StreamlitSession  # noqa: E402


def quiet_cpu(server, settle=0.25, limit=5.0) -> float:
    """The server's CPU seconds once it has stopped using CPU (what an action left running
    after its script finished, such as sending, is counted with it)."""
    last = server.cpu()
    deadline = time.time() + limit
    while time.time() < deadline:
        time.sleep(settle)
        now = server.cpu()
        if now - last < 0.005:
            return now
        last = now
    return last


async def walk(port, query, server, steps, costs):
    """One student's walk; adds (action name, CPU seconds) to `costs`; returns the errors."""
    s = StreamlitSession(port, timeout=120)
    errors = []

    async def act(name, coro):
        before = quiet_cpu(server)
        result = await coro
        costs[name].append(quiet_cpu(server) - before)
        errors.extend(f"{name}: {e}" for e in result.errors)

    await act("open", s.connect(query))
    for title in [t for t in s.pages if t != "Playground"] + ["Playground"]:
        await act(f"page {title}", s.switch_page(title))
        for k in range(steps if title in STEP_KEYS else 0):
            await act(f"step {title} {k + 1}", s.click(STEP_KEYS[title]))
        if title in TRAIN_KEY:
            await act(f"train ({title})", s.click(TRAIN_KEY[title]))
    await s.close()
    return errors


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=5)
    p.add_argument("--steps", type=int, default=3, help="Next clicks per step-through page")
    p.add_argument("--shared", action="store_true", help="every student opens the same link "
                   "(default: student i adds seed=i, their own network)")
    p.add_argument("--query", default="", help="the link's query, e.g. preset=spiral")
    p.add_argument("--commit", metavar="REV", help="the app as committed at REV")
    p.add_argument("--against", metavar="REV", help="also the app as committed at REV, "
                   "students walking both servers in turn (before/after in one run)")
    args = p.parse_args(argv)
    names = {"this": args.commit or "working tree"}
    if args.against:
        names["against"] = args.against
    roots = {k: export_commit(rev) if rev != "working tree" else ROOT
             for k, rev in names.items()}
    servers, costs, errors = {}, {k: defaultdict(list) for k in names}, []

    async def walks():
        anchors = []
        for k in names:  # each server: the rest of the class connected, one warm-up walk
            anchors.append(StreamlitSession(servers[k].port, timeout=120))
            await anchors[-1].connect(args.query)
            await walk(servers[k].port, args.query, servers[k], args.steps, defaultdict(list))
        for i in range(1, args.students + 1):
            query = "&".join(q for q in (args.query, "" if args.shared else f"seed={i}") if q)
            for k in (list(names) if i % 2 else list(names)[::-1]):
                c = costs[k]
                mark = len(c["open"])
                errors.extend(await walk(servers[k].port, query, servers[k], args.steps, c))
                c["whole walk"].append(sum(v[-1] for n, v in c.items()
                                           if n != "whole walk" and len(v) > mark))
        for a in anchors:
            await a.close()

    try:
        for k in names:
            servers[k] = Server(["--server.fileWatcherType", "none"], roots[k])
        asyncio.run(walks())
    finally:
        for server in servers.values():
            server.stop()
        for root in roots.values():
            if root != ROOT:
                shutil.rmtree(root, ignore_errors=True)
    print(f"server CPU per action (s), median of {args.students} students"
          f"{' on one link' if args.shared else ' with their own seeds'}; "
          + " vs ".join(("commit " + r if r != "working tree" else r) for r in names.values()))
    for name, values in costs["this"].items():
        line = (f"  {name:28s} {statistics.median(values):6.3f}   (min {min(values):.3f}, "
                f"max {max(values):.3f})")
        if args.against:
            other = costs["against"][name]
            ratio = statistics.median(values) / max(statistics.median(other), 1e-9)
            line += f"   {args.against}: {statistics.median(other):6.3f}   ratio {ratio:.2f}"
        print(line)
    for e in errors[:10]:
        print("  error:", e[:300])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
