"""Browser: walk every page through the states a student reaches, at 1400x900 and 1024x768,
and fail on anything cut off (see tests/browser/layout.py), any exception box, any traceback
in the server log, any request that would need the internet and any unexpected 404.

The pages walked are the ones in the app's navigation (read from the sidebar), so a new page
is walked too, on the default network and (the pages that show its numbers or the name of its
data, the longest of the presets') on the tutorial's.
Each page is opened by its direct link, as a shared link opens it. Pages with more to do get
their student's actions below: every step of the step-through pages (neuron by neuron and, on
the default net, layer by layer), Train and Compare on Training, the study, the deep example
and the dead units on Activations. Every tab is opened, then every expander; the sidebar is
opened (the Playground starts with it collapsed) with every section expanded.

One server, one browser page. Each state is measured in one round trip per size. After a
click the walk waits for the script run the click causes to start, end and be drawn
(tests/browser/helpers.py reads the runs off the page's websocket), then for what the click
must produce (the next step's number, a result's heading), never for a fixed time.

Every select box must also fit each of its options, not only the one shown: a student may
pick any (WALK_EVERY_OPTION=0 checks only the one shown, to tell the two apart).

Set WALK_SCREENSHOTS=1 to keep a PNG of every state at both sizes in
artifacts/screenshots/walk/ (to look at, as a student would).
"""

from __future__ import annotations

import os
import re
import time

from tests.browser.helpers import SCREENSHOT_DIR, act_then_settle, click, open_page, open_sidebar
from tests.browser.layout import layout_problems, wait_ready

SIZES = ((1400, 900), (1024, 768))
# The tutorial's net: the pages that show its numbers (the rest do not depend on the net).
NETS = {"default": ("", None),
        "tutorial": ("?preset=tutorial",
                     {"Network graph", "Feedforward", "Backprop", "Training", "Activations"})}
SHOTS = SCREENSHOT_DIR / "walk" if os.environ.get("WALK_SCREENSHOTS") else None
EVERY_OPTION = os.environ.get("WALK_EVERY_OPTION", "1") != "0"
# Streamlit's frontend, opened at /<page>, first looks for its server under /<page>/ and then
# under /; those two probes answer 404 by design (the app may be served under a sub-path).
PROBE_404 = re.compile(r"/_stcore/(health|host-config)$")
TIMEOUT_MS = 240_000  # bounds a wait on a loaded machine; never an assertion about speed

# "Step k of N" of a step-through page, as [k, N] (null while it is not drawn).
STEP_JS = """() => {
  for (const p of document.querySelectorAll('[data-testid="stMain"] p')) {
    const m = /^Step (\\d+) of (\\d+)/.exec(p.textContent.trim());
    if (m) return [Number(m[1]), Number(m[2])];
  }
  return null;
}"""


class Walk:
    def __init__(self, page, base_url):
        self.page, self.base_url, self.problems, self.states = page, base_url, [], 0
        self.offline, self.not_found = [], []
        self.size = 0  # index into SIZES of the viewport now
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, request):
        url = request.url
        if not url.startswith((self.base_url, "data:", "blob:", "about:")):
            self.offline.append(url)

    def _response(self, response):
        if response.status == 404 and not PROBE_404.search(response.url):
            self.not_found.append(response.url)

    def check(self, state):
        """Measure the page as it is now at both sizes (starting at the size it has: one
        resize per state)."""
        self.states += 1
        for _ in SIZES:
            w, h = SIZES[self.size]
            self.problems += [f"{state} @ {w}x{h}: {p}"
                              for p in layout_problems(self.page, EVERY_OPTION)]
            if SHOTS:
                self.screenshot(state, w, h)
            self.size = 1 - self.size
            w, h = SIZES[self.size]
            self.page.set_viewport_size({"width": w, "height": h})
        self.size = 1 - self.size  # measured both: stay where we are for the next state
        w, h = SIZES[self.size]
        self.page.set_viewport_size({"width": w, "height": h})

    def screenshot(self, state, w, h):
        """The whole page: Streamlit scrolls its main area, not the document, so the window
        is made as tall as that area for the picture."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9]+", "_", state).strip("_")
        tall = self.page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
          '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]'))
          .map(e => e.scrollHeight), document.documentElement.scrollHeight)""")
        self.page.set_viewport_size({"width": w, "height": max(h, min(int(tall), 12000))})
        self.page.screenshot(path=str(SHOTS / f"{name}_{w}.png"), full_page=True)
        self.page.set_viewport_size({"width": w, "height": h})

    def click(self, locator, until_js=None, arg=None):
        """Click, wait for the run the click causes, then until `until_js` (a browser
        function of `arg`) holds if given, then until the page is ready."""
        click(self.page, locator, TIMEOUT_MS)
        if until_js:
            self.page.wait_for_function(until_js, arg=arg, timeout=TIMEOUT_MS, polling="raf")
        wait_ready(self.page, TIMEOUT_MS)

    def click_until_text(self, locator, text):
        """Click a button whose result shows `text` in the main area."""
        click(self.page, locator, TIMEOUT_MS)
        main_area(self.page).get_by_text(text).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        wait_ready(self.page, TIMEOUT_MS)


def main_area(page):
    return page.locator('[data-testid="stMain"]')


def walk_steps(walk, state, granularities=("neuron by neuron", "layer by layer")):
    """Every step of a step-through page, in each granularity: Next until the last step."""
    area = main_area(walk.page)
    for granularity in granularities:
        option = area.get_by_role("radio", name=granularity, exact=True)
        if option.get_attribute("aria-checked") != "true":
            # A new granularity starts again at step 1 (of a different count).
            walk.click(option, f"() => ({STEP_JS})()?.[0] === 1")
        k, n = walk.page.evaluate(STEP_JS)
        walk.check(f"{state} {granularity} step {k}")
        nxt = area.get_by_role("button", name=re.compile(r"\bNext$")).first
        while k < n:
            walk.click(nxt, f"k => ({STEP_JS})()?.[0] === k", k + 1)
            k += 1
            walk.check(f"{state} {granularity} step {k}")
    if len(granularities) > 1:
        walk.click(area.get_by_role("radio", name=granularities[0], exact=True),
                   f"() => ({STEP_JS})()?.[0] === 1")


def open_tab(walk, name):
    tab = main_area(walk.page).get_by_role("tab", name=name)
    act_then_settle(walk.page, tab.click, TIMEOUT_MS)  # some pages draw a tab once opened
    tab.and_(walk.page.locator('[aria-selected="true"]')).wait_for(timeout=TIMEOUT_MS)
    wait_ready(walk.page, TIMEOUT_MS)


def walk_training(walk, state):
    area = main_area(walk.page)
    # The readouts (an "Epoch" metric) appear with the replay once training is done.
    walk.click(area.get_by_role("button", name=re.compile(r"\bTrain$")),
               """() => Array.from(document.querySelectorAll('[data-testid="stMetricLabel"]'))
                      .some(m => m.textContent.trim() === 'Epoch')""")
    walk.check(f"{state} after Train")
    walk.click_until_text(area.get_by_role("button", name=re.compile(r"\bCompare$")),
                          "What each verdict means")
    walk.check(f"{state} after Compare")


def walk_activations(walk, state):
    area = main_area(walk.page)
    open_tab(walk, re.compile("Which one to use"))
    walk.click_until_text(area.get_by_role("button", name="Train and compare"),
                          "The general advice, and whether this data agreed")
    walk.check(f"{state} after Train and compare")
    open_tab(walk, re.compile("Vanishing gradients"))
    walk.click_until_text(area.get_by_role("button", name="Run the deep example"),
                          "in the sigmoid panel the first layers")
    walk.check(f"{state} after the deep example")
    open_tab(walk, re.compile("Dead units"))
    walk.click_until_text(area.get_by_role("button", name=re.compile("Measure dead units")),
                          "Measured: ")
    walk.check(f"{state} after measuring dead units")


def walk_playground(walk, state):
    """The presets and the pages, in the Playground's popover (how a student loads one)."""
    walk.page.locator('[data-testid="stPopover"] button').first.click()
    walk.page.locator('[data-testid="stPopoverBody"]').wait_for(timeout=TIMEOUT_MS)
    walk.check(f"{state} presets open")
    walk.page.keyboard.press("Escape")
    walk.page.locator('[data-testid="stPopoverBody"]').wait_for(state="hidden", timeout=TIMEOUT_MS)


ACTIONS = {"Playground": walk_playground, "Feedforward": walk_steps, "Backprop": walk_steps, "Training": walk_training,
           "Activations": walk_activations}


def walk_tabs_and_expanders(walk, state):
    page = walk.page
    tabs = main_area(page).get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    for name in names[1:]:
        open_tab(walk, name)
        walk.check(f"{state} tab {name}")
    if len(names) > 1:
        open_tab(walk, names[0])
    closed = main_area(page).locator(
        '[data-testid="stExpander"] details:not([open]) > summary:visible')
    if closed.count():
        for _ in range(closed.count()):  # the list shrinks as each one opens
            act_then_settle(page, closed.first.click, TIMEOUT_MS)
        walk.check(f"{state} every expander open")


def walk_sidebar(walk, state):
    """The sidebar open (the Playground starts with it collapsed), every section expanded."""
    open_sidebar(walk.page)
    closed = walk.page.locator(
        '[data-testid="stSidebar"] [data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(closed.count()):  # a section draws its widgets once opened: a rerun
        act_then_settle(walk.page, closed.first.click, TIMEOUT_MS)
    walk.check(f"{state} sidebar, every section open")


def nav_pages(page):
    """(title, address) of every page in the app's navigation, in its order (read from the
    DOM: the sidebar may be collapsed; a link's last child is its title, after its icon)."""
    return [(p["title"], p["href"]) for p in page.evaluate("""() => Array.from(
      document.querySelectorAll('[data-testid="stSidebarNav"] a')).map(a => ({
        href: a.href, title: (a.lastElementChild || a).textContent.trim()}))""")]


def test_every_page_fits_at_both_sizes(browser, app_url, server_log):
    log_start = server_log.stat().st_size
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page = context.new_page()
    walk = Walk(page, app_url)  # before the first document: it logs the page's runs
    walked, seconds = [], {}
    try:
        open_page(page, app_url, timeout_ms=TIMEOUT_MS)
        pages = nav_pages(page)
        for net, (query, only) in NETS.items():
            first = True
            for title, href in pages:
                if only is not None and title not in only:
                    continue
                t0 = time.monotonic()
                # Each page opened by its link, as a shared link opens it (a new session).
                open_page(page, href.split("?")[0] + query, timeout_ms=TIMEOUT_MS)
                state = f"{net} net / {title}"
                walk.check(state)
                if title in ("Feedforward", "Backprop") and only is not None:
                    walk_steps(walk, state, ("neuron by neuron",))  # layer forms: default net
                elif title == "Activations" and only is not None:
                    pass  # its forms show the data's name; the studies ran on the default net
                elif title in ACTIONS:
                    ACTIONS[title](walk, state)
                walk_tabs_and_expanders(walk, state)
                if first:  # the sidebar is the same on every page; its content follows the net
                    walk_sidebar(walk, state)
                    first = False
                walked.append(state)
                seconds[state] = round(time.monotonic() - t0, 1)
    finally:
        context.close()
    log = server_log.read_text(errors="replace")[log_start:]
    tracebacks = [m.start() for m in re.finditer("Traceback", log)]

    assert {"Playground", "Feedforward", "Backprop", "Training", "Activations"} <= {
        s.split(" / ")[1] for s in walked}, walked
    report = "\n".join(walk.problems[:200])
    print(f"walked {len(walked)} pages, {walk.states} states x {len(SIZES)} sizes; "
          f"{len(walk.problems)} problems; seconds per page: {seconds}")
    assert not walk.problems, (
        f"{len(walk.problems)} places cut off or broken over {walk.states} states "
        f"x {len(SIZES)} sizes:\n{report}")
    assert not tracebacks, "traceback in the server log:\n" + log[tracebacks[0]:][:3000]
    assert not walk.offline, f"requests that need the internet: {sorted(set(walk.offline))}"
    assert not walk.not_found, f"404 responses: {sorted(set(walk.not_found))}"
