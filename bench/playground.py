"""The Playground's Play: server CPU and bytes per second of play, and updates per second.

Starts the real server (`streamlit run app.py`), opens the Playground in headless Chromium,
presses Play and lets it play for --seconds; meanwhile it reads the server process's CPU time
(/proc) and counts the bytes the server sends over its websocket (Playwright sees every
frame), and the browser counts the epochs it shows. Medians over --repeats runs per network:
the front page as a student opens it (TensorFlow Playground's default [4, 2] on the circle,
300 points), TF Playground's largest (six layers of eight) and ours (six layers of 16, all
seven features). The server's CPU per epoch does not depend on how fast a busy machine's
browser shows them, so the CPU per second of play at full speed (ui.playground.FPS epochs a
second) and the students one core serves playing at once are printed from it; the epochs
and redraws per second are wall-clock figures, meaningful on a quiet machine only.

    python3 bench/playground.py [--seconds 6] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import Server  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, CHROMIUM_PATH  # noqa: E402
from tests.browser.helpers import wait_for_app_idle  # noqa: E402

NETWORKS = {
    # the front page as a student opens it (nn_core.config.PLAYGROUND_START: TF Playground's
    # default network, 300 points, cross-entropy)
    "default: the front page [4, 2]": "",
    # the same network on the app-wide defaults (200 points, MSE), a reference in the same run
    "ref: [4, 2], 200 points, MSE": "preset=playground",
    "6 layers of 8 (TFP's largest)": "points=300&loss=bce&hidden=8,8,8,8,8,8&acts=tanh",
    "largest: 6 x 16, 7 features": ("points=300&loss=bce&hidden=16,16,16,16,16,16&acts=tanh"
                                    "&features=x1,x2,x1^2,x2^2,x1*x2,sin_x1,sin_x2"),
}
BUDGET = 0.1  # s of server CPU per second of play (DESIGN.md)
# The stage on the page now (a notice on the first run can make Streamlit mount it afresh);
# while none is, an empty stand-in, so that a wait's condition is false rather than an error.
_STAGE = ("(Object.values(window.__nnpg.stages).filter((s) => s.root && s.root.isConnected)"
          ".pop() || {frames: [{}], idx: 0})")
_SHOWN = (f"() => [{_STAGE}.frames[{_STAGE}.idx].e, window.__nnpg.redraws, window.__nnpg.drawMs, "
          f"{_STAGE}.frames[{_STAGE}.frames.length - 1].e]")


def play_once(browser, server, query, seconds):
    """Return (server CPU s per s of play, kB per s sent, epochs shown per s, redraws per s,
    ms per redraw in the browser, server CPU ms per epoch)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sent = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: sent.__setitem__(
            0, sent[0] + len(payload if isinstance(payload, (bytes, str)) else b"")))

    page.on("websocket", on_ws)
    page.goto(f"http://127.0.0.1:{server.port}/?{query}")
    wait_for_app_idle(page)
    page.wait_for_function(f"() => window.__nnpg && {_STAGE} && {_STAGE}.g", timeout=240_000)
    page.locator(".st-key-pg_play button:visible").first.click()
    # measure in steady play, after the first chunk has arrived
    page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 3",
                           timeout=240_000)
    # Playwright's sync API hands over websocket events during its own calls: evaluate first
    e0, r0, ms0, q0 = page.evaluate(_SHOWN)
    cpu0, bytes0, t0 = server.cpu(), sent[0], time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    e1, r1, ms1, q1 = page.evaluate(_SHOWN)
    cpu1, bytes1, t1 = server.cpu(), sent[0], time.monotonic()
    page.locator(".st-key-pg_play button:visible").first.click()  # Pause
    page.close()
    if q1 == q0:  # no chunk arrived in the window: its CPU is spent but nothing to divide by
        raise RuntimeError(f"no chunk arrived in {seconds} s of play of {query or 'the front page'}"
                           ": a big network on a busy machine needs a longer --seconds")
    dt, trained = t1 - t0, q1 - q0
    # Per epoch the server trained and sent in the window (chunks arrive ahead of the
    # screen), times the epochs shown per second: the cost of a second of play.
    return ((cpu1 - cpu0) / trained * (e1 - e0) / dt, (bytes1 - bytes0) / trained * (e1 - e0) / dt
            / 1000, (e1 - e0) / dt, (r1 - r0) / dt, (ms1 - ms0) / max(r1 - r0, 1),
            (cpu1 - cpu0) / trained * 1000)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from ui.playground import FPS

    server = Server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, headless=True,
                                         args=CHROMIUM_ARGS)
            idle0, t0 = server.cpu(), time.monotonic()
            time.sleep(2.0)
            idle = (server.cpu() - idle0) / (time.monotonic() - t0)
            print(f"server CPU while idle: {idle:.3f} s/s")
            print(f"{'network':32s} {'server CPU s / s of play':>25s} {'kB/s sent':>10s} "
                  f"{'epochs shown/s':>15s} {'redraws/s':>10s} {'ms/redraw':>10s} "
                  f"{'server ms/epoch':>16s} {f'CPU s/s at {FPS}/s':>16s} "
                  f"{'players/core':>13s}")
            for name, query in NETWORKS.items():
                runs = [play_once(browser, server, query, args.seconds)
                        for _ in range(args.repeats)]
                cpu, kb, eps, rps, ms, per = (statistics.median(r[k] for r in runs)
                                              for k in range(6))
                # At full speed (FPS epochs a second, what a quiet machine shows): the server's
                # CPU per second of play, and how many students playing at once fill a core.
                full = per * FPS / 1000
                print(f"{name:32s} {cpu:25.3f} {kb:10.0f} {eps:15.1f} {rps:10.1f} {ms:10.1f} "
                      f"{per:16.2f} {full:16.3f} {1 / max(full, 1e-9):13.1f}")
            print(f"players/core: students pressing Play at once that one core serves at full "
                  f"speed ({FPS} epochs/s each); at the budget of {BUDGET} s of CPU per second "
                  f"of play it would be {1 / BUDGET:.0f}.")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
