"""Serve a class: `python3 -m classroom --replicas 2 --port 8501` (see classroom/__init__.py).

Starts the replicas and HAProxy, prints the address to hand out, restarts a replica that
dies, and stops everything on Ctrl+C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from classroom import DEFAULT_MAX_SESSIONS, Classroom


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m classroom", description=__doc__.split("\n")[0])
    p.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                   help="Streamlit processes on this machine (default: one per core, %(default)s)")
    p.add_argument("--port", type=int, default=8501, help="the port students open")
    p.add_argument("--address", default="0.0.0.0",
                   help="where HAProxy listens (default all interfaces: the class's network)")
    p.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS,
                   help="students per replica; newcomers beyond get a 'class is full' page")
    p.add_argument("--remote", action="append", default=[], metavar="HOST:PORT",
                   help="a replica started on another machine (repeatable; README)")
    p.add_argument("--cookie-secret", default=os.environ.get("NNP_COOKIE_SECRET"),
                   help="shared by every replica, remote ones too (default: random, or "
                        "$NNP_COOKIE_SECRET)")
    args = p.parse_args(argv)
    extra = {"cookie_secret": args.cookie_secret} if args.cookie_secret else {}
    room = Classroom(replicas=args.replicas, port=args.port, bind=args.address,
                     max_sessions=args.max_sessions, remotes=tuple(args.remote), **extra)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    print(f"starting {args.replicas} replica(s) and HAProxy ...", flush=True)
    try:
        room.start()
        where = (f"http://<this machine's address>:{args.port}" if args.address == "0.0.0.0"
                 else room.url)
        print(f"The class opens {where} ({len(room.backends())} replicas, at most "
              f"{args.max_sessions} students each; config and logs in {room.workdir}). "
              "Ctrl+C stops.", flush=True)
        while True:
            time.sleep(1)
            if room.haproxy.poll() is not None:
                print("haproxy exited; see its log in " + str(room.workdir), file=sys.stderr)
                return 1
            for name in room.restart_dead():
                print(f"replica {name} had stopped: started again", flush=True)
    except KeyboardInterrupt:
        print("stopping ...", flush=True)
        return 0
    finally:
        room.stop()


if __name__ == "__main__":
    sys.exit(main())
