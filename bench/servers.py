"""The servers a bench drives and measures: `streamlit run app.py` on a free loopback port
(`Server`), or the README's classroom setup, replicas behind HAProxy (`ClassroomServer`), with
their CPU seconds and resident memory read from /proc; and `export_commit`, the app as
committed at a revision, so that a bench can measure an earlier version beside this one.

Used by bench/load.py, bench/walk_cpu.py and bench/playground.py.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classroom import Classroom  # noqa: E402


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

    def pids(self) -> list:
        return [self.proc.pid]

    def warm_ports(self) -> list:
        return [self.port]

    def tick(self):
        pass

    def spread(self) -> str:
        return ""

    def kill_first(self):
        raise SystemExit("--kill-replica-at needs --classroom")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


class ClassroomServer:
    """The README's classroom setup (python3 -m classroom) on loopback, measured as a whole:
    CPU and RSS are the sums over its replicas, a killed replica's CPU included."""

    def __init__(self, replicas, extra_args=(), root=ROOT):
        if root != ROOT:
            raise SystemExit("--commit is not supported with --classroom")
        # No cap here: the bench measures the load itself (the cap is the teacher's choice).
        self.room = Classroom(replicas=replicas, port=free_port(), bind="127.0.0.1",
                              max_sessions=10_000, streamlit_args=tuple(extra_args),
                              check_interval_ms=1000).start()
        self.port = self.room.port
        self.cpu_seen = {}  # pid -> last CPU seconds read (a dead process keeps its last)

    def pids(self) -> list:
        return [r.proc.pid for r in self.room.local if r.alive()]

    def warm_ports(self) -> list:
        return [r.port for r in self.room.local]

    def tick(self):
        self.room.restart_dead()  # as `python3 -m classroom` does
        self.cpu()

    def rss(self) -> float:
        total = 0.0
        for pid in self.pids():
            with contextlib.suppress(OSError, RuntimeError):
                total += rss_mb(pid)
        return total

    def cpu(self) -> float:
        for pid in self.pids():
            with contextlib.suppress(OSError):
                self.cpu_seen[pid] = cpu_seconds(pid)
        return sum(self.cpu_seen.values())

    def spread(self) -> str:
        counts = self.room.sessions()
        return ", ".join(f"{k} {'down' if v is None else v}" for k, v in counts.items())

    def kill_first(self) -> int:
        """Kill replica r1 (SIGKILL); return how many students it held."""
        held = self.room.sessions().get("r1") or 0
        self.cpu()
        self.room.kill(0)
        return held

    def stop(self):
        self.room.stop()


def export_commit(rev: str) -> Path:
    """Copy the app as committed at `rev` into a temporary directory (git archive; the repo
    and its working tree are only read), so edits in progress do not change what is measured."""
    out = Path(tempfile.mkdtemp(prefix="nn_load_tree_"))
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out
