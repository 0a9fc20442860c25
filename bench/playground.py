"""The Playground's Play: server CPU and bytes per second of play, and updates per second.

Starts the real server (`streamlit run app.py`), opens the Playground in headless Chromium,
presses Play and lets it play for --seconds; meanwhile it reads the server process's CPU time
(/proc) and counts the bytes the server sends over its websocket (Playwright sees every
frame), and the browser counts the epochs it shows. Medians over --repeats runs per network:
TensorFlow Playground's default ([4, 2] on the circle), its largest (six layers of eight)
and ours (six layers of 16, all seven features).

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

from bench.load import Server  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, CHROMIUM_PATH  # noqa: E402
from tests.browser.helpers import wait_for_app_idle  # noqa: E402

NETWORKS = {
    "TF default [4, 2]": "",
    "6 layers of 8": "hidden=8,8,8,8,8,8&acts=tanh",
    "largest: 6 x 16, 7 features": ("hidden=16,16,16,16,16,16&acts=tanh&features="
                                    "x1,x2,x1^2,x2^2,x1*x2,sin_x1,sin_x2"),
}
_STAGE = "Object.values(window.__nnpg.stages)[0]"
_SHOWN = f"() => [{_STAGE}.frames[{_STAGE}.idx].e, window.__nnpg.redraws]"


def play_once(browser, server, query, seconds):
    """Return (server CPU s per s of play, kB per s sent, epochs shown per s, redraws per s)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sent = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: sent.__setitem__(
            0, sent[0] + len(payload if isinstance(payload, (bytes, str)) else b"")))

    page.on("websocket", on_ws)
    page.goto(f"http://127.0.0.1:{server.port}/?{query}")
    wait_for_app_idle(page)
    page.wait_for_function(f"() => window.__nnpg && {_STAGE} && {_STAGE}.g", timeout=60_000)
    page.locator(".st-key-pg_play button:visible").first.click()
    # measure in steady play, after the first chunk has arrived
    page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 3",
                           timeout=60_000)
    cpu0, bytes0, t0 = server.cpu(), sent[0], time.monotonic()
    e0, r0 = page.evaluate(_SHOWN)
    time.sleep(seconds)
    cpu1, bytes1, t1 = server.cpu(), sent[0], time.monotonic()
    e1, r1 = page.evaluate(_SHOWN)
    page.locator(".st-key-pg_play button:visible").first.click()  # Pause
    page.close()
    dt = t1 - t0
    return (cpu1 - cpu0) / dt, (bytes1 - bytes0) / dt / 1000, (e1 - e0) / dt, (r1 - r0) / dt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, headless=True,
                                         args=CHROMIUM_ARGS)
            idle0, t0 = server.cpu(), time.monotonic()
            time.sleep(2.0)
            idle = (server.cpu() - idle0) / (time.monotonic() - t0)
            print(f"server CPU while idle: {idle:.3f} s/s")
            print(f"{'network':30s} {'server CPU s / s of play':>25s} {'kB/s sent':>10s} "
                  f"{'epochs shown/s':>15s} {'redraws/s':>10s}")
            for name, query in NETWORKS.items():
                runs = [play_once(browser, server, query, args.seconds)
                        for _ in range(args.repeats)]
                cpu, kb, eps, rps = (statistics.median(r[k] for r in runs) for k in range(4))
                print(f"{name:30s} {cpu:25.3f} {kb:10.0f} {eps:15.1f} {rps:10.1f}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
