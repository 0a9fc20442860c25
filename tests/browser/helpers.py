"""Helpers for Playwright tests against the Streamlit app (used with the fixtures in conftest)."""

from __future__ import annotations

import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

# Generous timeouts: they bound a wait, they never assert how fast something is.
DEFAULT_TIMEOUT_MS = 30_000
QUIET_PERIOD_S = 0.5

# One round trip: is the app connected, has a script run finished, and is nothing running?
# Streamlit puts ``data-test-script-state`` ("initial" before the first run, then "running",
# "notRunning", ...) and ``data-test-connection-state`` on the stApp element, and shows
# ``[data-testid="stStatusWidget"]`` (the "Running..." indicator) while a script runs.
_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return {idle: false, why: 'no stApp element'};
  const script = app.getAttribute('data-test-script-state');
  const conn = app.getAttribute('data-test-connection-state');
  const status = document.querySelector('[data-testid="stStatusWidget"]') !== null;
  const scriptDone = script === null || script === 'notRunning' || script === 'compilationError';
  const connected = conn === null || conn === 'CONNECTED';
  return {idle: scriptDone && connected && !status,
          why: `script=${script} connection=${conn} statusWidget=${status}`};
}"""


def wait_for_app_idle(page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until a script run has finished and nothing has run for ~0.5 s.

    A quiet period (not a single check) is required because a rerun can start right after
    the previous one ends (st.rerun, fragments, widget callbacks).
    """
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since: float | None = None
    while True:
        state = page.evaluate(_IDLE_JS)
        now = time.monotonic()
        if not state["idle"]:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_PERIOD_S:
            return
        if now > deadline:
            raise TimeoutError(
                f"Streamlit app not idle after {timeout_ms / 1000:.0f} s at {page.url}: "
                f"{state['why']}"
            )
        page.wait_for_timeout(100)


def open_page(page, url: str, path: str = "", timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Navigate to ``url`` + ``path`` (e.g. "feedforward?lr=3.0") and wait for the run to finish."""
    target = url.rstrip("/") + "/" + path.lstrip("/") if path else url
    page.goto(target, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_for_app_idle(page, timeout_ms=timeout_ms)


def open_sidebar(page) -> None:
    """Expand the sidebar if this page starts with it collapsed (the Playground does)."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
    page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible", timeout=DEFAULT_TIMEOUT_MS)


def assert_no_exception(page) -> None:
    """Fail if the page shows any Streamlit exception box (with its text, for the log)."""
    exceptions = page.locator('[data-testid="stException"]')
    n = exceptions.count()
    if n:
        texts = [exceptions.nth(i).inner_text() for i in range(n)]
        raise AssertionError(f"{n} Streamlit exception(s) on {page.url}:\n" + "\n---\n".join(texts))


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG to artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_for_plotly(page, timeout_ms: int = DEFAULT_TIMEOUT_MS):
    """Wait for the first Plotly chart (``.js-plotly-plot``) to be visible; return its locator."""
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(state="visible", timeout=timeout_ms)
    return chart
