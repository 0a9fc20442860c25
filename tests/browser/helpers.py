"""Helpers for Playwright tests against the Streamlit app (used with the fixtures in conftest)."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

# Generous timeouts: they bound a wait, they never assert how fast something is.
DEFAULT_TIMEOUT_MS = 60_000

# Which script runs the page asked for and the server made, read from the page's own
# websocket: installed in every document before the app's code (page.add_init_script), it
# logs each BackMsg asking for a run ("request") and each ForwardMsg starting ("start",
# new_session) or ending ("finish", script_finished with its status) a run, reading only the
# top-level fields of Streamlit's protobuf messages (field numbers from streamlit/proto).
# `finishes` counts the finishes that carry a run id: the frontend counts exactly those in its
# scriptRunFinishedSequence once it has applied them.
_TRACK_RUNS_JS = """(() => {
  if (window.__nnpgRuns || !window.WebSocket) return;
  const runs = window.__nnpgRuns = {doc: Math.random().toString(36).slice(2), events: [],
                                    finishes: 0};
  // Calls fn(field number, wire type, value or [start, end]) for each field of buf[a:b].
  const fields = (buf, a, b, fn) => {
    let i = a;
    const varint = () => {
      let x = 0, scale = 1, byte;
      do { byte = buf[i++]; x += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
      return x;
    };
    while (i < b) {
      const key = varint(), no = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) fn(no, 0, varint());
      else if (wire === 2) { const n = varint(); fn(no, 2, [i, i + n]); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return;
    }
  };
  const received = data => {
    if (!(data instanceof ArrayBuffer)) return;
    const buf = new Uint8Array(data);
    let start = false, status = null, runId = false;
    fields(buf, 0, buf.length, (no, wire, v) => {
      if (no === 4 && wire === 2) start = true;                 // new_session
      else if (no === 6 && wire === 0) status = v;  // script_finished (a oneof: 0 is sent)
      else if (no === 2 && wire === 2)                          // metadata
        fields(buf, v[0], v[1], (mno, mw, mv) => {
          if (mno === 6 && mw === 2)                            // metadata.run
            fields(buf, mv[0], mv[1], (rno, rw, rv) => {
              if (rno === 1 && rw === 2 && rv[1] > rv[0]) runId = true;  // script_run_id
            });
        });
    });
    if (start) runs.events.push({kind: 'start'});
    else if (status !== null) {
      runs.events.push({kind: 'finish', status});
      if (runId) runs.finishes += 1;
    }
  };
  const sent = data => {
    const buf = data instanceof ArrayBuffer ? new Uint8Array(data) :
      ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) :
      null;
    if (!buf) return;
    let rerun = false;
    fields(buf, 0, buf.length, no => { if (no === 11) rerun = true; });  // rerun_script
    if (rerun) runs.events.push({kind: 'request'});
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => received(e.data));
    }
    send(data) { sent(data); return super.send(data); }
  };
})()"""

# Has the run asked for after `mark` ended, and is what it drew on the page? True when:
# - a run started after the mark (in a new document, e.g. after a reload, any run counts);
#   mark.n === null asks only that the page be settled, with no new run required;
# - the last run finished for good: not FINISHED_EARLY_FOR_RERUN (2), which st.rerun() and
#   a rerun asked for mid-run end with, another run following;
# - the page asked for no run since the last one started (a widget's change, a callback);
# - the frontend has applied every finish it received (React's committed state of
#   Streamlit's App component counts them: scriptRunFinishedSequence), and so the page
#   shows that run's elements and none left over from the previous one;
# - connected, no script running, nothing stale, no placeholder, spinner or "Running...".
_SETTLED_JS = """(mark) => {
  const runs = window.__nnpgRuns;
  if (!runs) return {error: 'no run log in this document: call track_runs(page) before it opens'};
  const from = mark.n === null ? runs.events.length : (runs.doc === mark.doc ? mark.n : 0);
  let start = -1, finish = -1, request = -1, status = null;
  runs.events.forEach((e, i) => {
    if (e.kind === 'start') start = i;
    else if (e.kind === 'finish') { finish = i; status = e.status; }
    else request = i;
  });
  const tail = JSON.stringify(runs.events.slice(-6));
  if (mark.n !== null && start < from) return {why: `no run started since the action: ${tail}`};
  if (start >= 0 && (finish < start || status === 2)) return {why: `a run is going: ${tail}`};
  if (request > start) return {why: `the page asked for a run: ${tail}`};
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return {why: 'no stApp element'};
  const key = Object.keys(app).find(k => k.startsWith('__reactFiber$'));
  let fiber = key && app[key];
  while (fiber && !(fiber.stateNode && fiber.stateNode.state &&
                    'scriptRunFinishedSequence' in fiber.stateNode.state)) fiber = fiber.return;
  if (!fiber) return {error: "Streamlit's App component (its scriptRunFinishedSequence) not found"};
  const applied = fiber.stateNode.state.scriptRunFinishedSequence;
  if (applied !== runs.finishes)
    return {why: `the page has applied ${applied} of ${runs.finishes} finished runs`};
  if (app.getAttribute('data-test-script-state') !== 'notRunning' &&
      app.getAttribute('data-test-script-state') !== 'compilationError')
    return {why: `script state ${app.getAttribute('data-test-script-state')}`};
  if ((app.getAttribute('data-test-connection-state') || 'CONNECTED') !== 'CONNECTED')
    return {why: `connection ${app.getAttribute('data-test-connection-state')}`};
  const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], ' +
    '[data-stale="true"], [data-testid="stSpinner"]');
  if (busy) return {why: `still drawing: ${busy.getAttribute('data-testid') || 'stale element'}`};
  return {done: true};
}"""


def track_runs(page) -> None:
    """Log the page's script runs in every document it opens from now on (see _TRACK_RUNS_JS).

    Call before the page opens the app: a websocket opened earlier is not seen. The ``page``
    fixture and ``open_page`` do it."""
    if not getattr(page, "_nnpg_tracked", False):
        page.add_init_script(_TRACK_RUNS_JS)
        page._nnpg_tracked = True


def _mark(page) -> dict:
    return page.evaluate("() => window.__nnpgRuns ? {doc: window.__nnpgRuns.doc, "
                         "n: window.__nnpgRuns.events.length} : {doc: null, n: 0}")


def _wait_settled(page, mark: dict, timeout_ms: int) -> None:
    """Wait (polling each animation frame, in the browser) until _SETTLED_JS holds."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left = deadline - time.monotonic()
        try:
            page.wait_for_function(f"m => {{ const s = ({_SETTLED_JS})(m); return s.done || s.error; }}",
                                   arg=mark, timeout=max(1, left * 1000), polling="raf")
        except PlaywrightTimeoutError:
            state = page.evaluate(_SETTLED_JS, mark)
            raise TimeoutError(f"the app at {page.url} did not settle within "
                               f"{timeout_ms / 1000:.0f} s: {state.get('why')}") from None
        except PlaywrightError as exc:  # a navigation replaced the document mid-wait
            if "context was destroyed" not in str(exc) or time.monotonic() > deadline:
                raise
            continue
        state = page.evaluate(_SETTLED_JS, mark)
        if state.get("error"):
            raise AssertionError(state["error"])
        if state.get("done"):
            return


def act(page, action, timeout_ms: int = DEFAULT_TIMEOUT_MS):
    """Do `action()` (a click, a key press, a fill) and wait for the script run it causes:
    a run that starts after it, ends, and is drawn (with any run it chains into). Returns
    what the action returned. An action that causes no run fails here, after timeout_ms."""
    track_runs(page)
    mark = _mark(page)
    result = action()
    _wait_settled(page, mark, timeout_ms)
    return result


def act_then_settle(page, action, timeout_ms: int = DEFAULT_TIMEOUT_MS):
    """Do `action()`; if the page asked for a run while doing it (a tab or section that
    reruns when opened), wait for that run as act() does, else for the page to settle.
    For actions whose run depends on the page (a walk over every tab and expander)."""
    track_runs(page)
    mark = _mark(page)
    result = action()
    asked = page.evaluate("m => window.__nnpgRuns.events.slice(m.n)"
                          ".some(e => e.kind === 'request')", mark)
    _wait_settled(page, mark if asked else {"doc": None, "n": None}, timeout_ms)
    return result


def click(page, locator, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Click `locator` and wait for the script run the click causes (see act)."""
    act(page, lambda: locator.click(timeout=timeout_ms), timeout_ms)


def wait_for_app_idle(page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until the page is settled: no run going or asked for, the last one drawn.

    It does not wait for a run that has not been asked for yet: after an action that
    causes a run, use act() or click(), which wait for that run."""
    track_runs(page)
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout_ms)
    _wait_settled(page, {"doc": None, "n": None}, timeout_ms)


def open_page(page, url: str, path: str = "", timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Navigate to ``url`` + ``path`` (e.g. "feedforward?lr=3.0") and wait for its run."""
    target = url.rstrip("/") + "/" + path.lstrip("/") if path else url
    track_runs(page)
    # The new document's first run is the one to wait for (a mark from another document).
    page.goto(target, wait_until="domcontentloaded", timeout=timeout_ms)
    _wait_settled(page, {"doc": None, "n": 0}, timeout_ms)


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
