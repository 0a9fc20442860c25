"""The Playground in a real browser: the first screen, Play / Pause, touching the network.

Prints the visible updates per second while playing (the README quotes it beside TensorFlow
Playground's 54/s on its default network and 8/s on six layers of eight).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    open_sidebar,
    screenshot,
    wait_for_app_idle,
)

# The stage's state, kept by ui/playground_stage.js on window.__nnpg.
# The stage on the page now (a notice on the first run can make Streamlit mount it afresh);
# while none is, an empty stand-in, so that a wait's condition is false rather than an error.
_STAGE = ("(Object.values(window.__nnpg.stages).filter((s) => s.root && s.root.isConnected)"
          ".pop() || {frames: [{}], idx: 0})")
_SHOWN = f"""() => {{ const s = {_STAGE}, f = s.frames[s.idx];
  return {{epoch: f.e, w: f.w, o: f.o || '', redraws: window.__nnpg.redraws,
          counter: document.querySelector('.pg-epoch-value').textContent,
          points: s.pts.train.x.length + s.pts.test.x.length, playing: s.playing}}; }}"""
_WEIGHTS = f"""() => {{ const s = {_STAGE}, f = s.frames[s.idx];
  const bin = atob(f.w), u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return Array.from(new Float32Array(u.buffer)); }}"""


def _shown(page):
    return page.evaluate(_SHOWN)


def _open(page, url, width=1400, height=900):
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, url)
    page.wait_for_function(f"() => window.__nnpg && {_STAGE} && {_STAGE}.g", timeout=30_000)


def _play_button(page):
    return page.locator(".st-key-pg_play button:visible").first


def _stage_point(page, what):
    """Page coordinates of a point of the stage's layout (an edge's middle, the plane's centre)."""
    return page.evaluate(f"""() => {{ const s = {_STAGE}, g = s.g;
      const r = s.canvas.getBoundingClientRect();
      if ('{what}' === 'plane') return [r.left + g.plane.x + g.plane.s * 0.3, r.top + g.plane.y + g.plane.s * 0.3];
      const e = g.edges[0], mx = (e.ax + e.bx) / 2;
      return [r.left + (e.ax + 3 * mx + 3 * mx + e.bx) / 8 + 0, r.top + (e.ay + 3 * e.ay + 3 * e.by + e.by) / 8]; }}""")


def _within_first_screen(page, locator, height=900):
    box = locator.bounding_box()
    assert box is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= height


def test_first_screen_play_counts_and_moves_then_pause_shows_on_feedforward(
        app_url, page, server_log):
    _open(page, app_url)
    canvas = page.locator(".nnpg canvas")
    assert _within_first_screen(page, canvas), "graph and output plane in the first screen"
    assert _within_first_screen(page, _play_button(page)), "Play in the first screen"
    before = _shown(page)
    assert before["counter"] == "000,000"
    screenshot(page, "playground_1400x900_start", full_page=False)

    _play_button(page).click()
    page.mouse.move(5, 895)  # no tooltip over the screenshots
    page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 5",
                           timeout=30_000)
    first, t0 = _shown(page), time.monotonic()
    time.sleep(4.0)
    second, t1 = _shown(page), time.monotonic()
    epochs_per_s = (second["epoch"] - first["epoch"]) / (t1 - t0)
    redraws_per_s = (second["redraws"] - first["redraws"]) / (t1 - t0)
    print(f"\nPlayground, default network: {epochs_per_s:.1f} visible updates (epochs) per "
          f"second, {redraws_per_s:.1f} redraws per second")
    assert second["epoch"] > first["epoch"] > 0
    assert second["counter"] == f"{second['epoch']:07,d}"  # the counter follows the stage
    assert second["o"] != before["o"] and second["w"] != before["w"]  # the pictures moved
    screenshot(page, "playground_1400x900_playing", full_page=False)

    _play_button(page).click()  # Pause
    page.mouse.move(5, 895)
    page.wait_for_function(f"() => !{_STAGE}.playing", timeout=30_000)
    wait_for_app_idle(page)
    paused = _shown(page)
    assert not paused["playing"] and paused["counter"] == f"{paused['epoch']:07,d}"
    time.sleep(1.0)
    assert _shown(page)["epoch"] == paused["epoch"]  # it stays there
    expect_play = page.get_by_role("button", name="Play")
    assert expect_play.first.is_visible()
    weights = page.evaluate(_WEIGHTS)
    screenshot(page, "playground_1400x900_paused", full_page=False)

    # Feedforward opens on the paused network: its weighted sums use the weights shown.
    _open_feedforward(page)
    _assert_feedforward_uses(page, weights)
    assert_no_exception(page)
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log and "Exception" not in log, log[-3000:]


def _open_feedforward(page):
    page.get_by_role("button", name=re.compile("Presets, pages")).click()
    click(page, page.get_by_role("link", name=re.compile("Feedforward: one sample")))


def _assert_feedforward_uses(page, weights):
    """The Feedforward page's first layer multiplies by `weights` (W1 as the stage had it)."""
    page.get_by_text("All steps as text").click()
    text = page.locator("code").first.inner_text()
    # "z(1)_j = a(0)_1*w(1)_1,j + ... = x1 * W[0, j] + x2 * W[1, j] + b = z": the products'
    # second factors are the weights
    for j in range(4):
        line = next(t for t in text.splitlines() if t.strip().startswith(f"z(1)_{j + 1} ="))
        factors = [float(f) for f in re.findall(r"\* \(?(-?[0-9.e+-]+)\)?", line)]
        assert len(factors) == 2, line
        for i, w in enumerate(factors):
            assert abs(w - weights[i * 4 + j]) <= 1e-5 * max(1.0, abs(w)), (i, j, w, line)


def test_leaving_mid_play_opens_the_other_page_on_the_epoch_shown(app_url, page, server_log):
    _open(page, app_url)
    _play_button(page).click()
    # mid-chunk: the server has trained the next chunk while this one is on screen
    page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 70",
                           timeout=60_000)
    _open_feedforward(page)  # a link, clicked while playing
    assert "feedforward" in page.url
    # the frame on screen when the link was clicked (the stage kept it)
    left = page.evaluate("() => window.__nnpg.lastPause.epoch")
    weights = page.evaluate("""() => { const bin = atob(window.__nnpg.lastPause.w);
      const u = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      return Array.from(new Float32Array(u.buffer)); }""")
    assert left > 70
    _assert_feedforward_uses(page, weights)
    # and back on the Playground it is paused at that epoch
    open_sidebar(page)
    click(page, page.locator('[data-testid="stSidebarNavLink"]', has_text="Playground").first)
    live = _STAGE
    for _ in range(300):  # bounded: 30 s
        if page.evaluate(f"() => !!({live} && {live}.g && !{live}.playing)"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(f"() => {live}.frames[{live}.idx].e") == left
    assert page.locator(".pg-epoch-value").inner_text() == f"{left:07,d}"
    assert_no_exception(page)
    assert "Traceback" not in server_log.read_text(errors="replace")


def test_six_layers_of_eight_play_and_the_updates_per_second_are_printed(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_page(page, app_url + "/?hidden=8,8,8,8,8,8&acts=tanh")
    page.wait_for_function(f"() => window.__nnpg && {_STAGE} && {_STAGE}.g", timeout=30_000)
    _play_button(page).click()
    page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 5",
                           timeout=60_000)
    first, t0 = _shown(page), time.monotonic()
    page.wait_for_timeout(4000)
    second, t1 = _shown(page), time.monotonic()
    print(f"\nPlayground, 6 layers of 8: {(second['epoch'] - first['epoch']) / (t1 - t0):.1f} "
          "visible updates (epochs) per second")
    assert second["epoch"] > first["epoch"] and second["o"] != first["o"]
    screenshot(page, "playground_6x8_playing", full_page=False)
    _play_button(page).click()
    page.wait_for_function(f"() => !{_STAGE}.playing", timeout=30_000)
    assert_no_exception(page)


def test_click_an_edge_then_a_new_value_changes_the_output(app_url, page, server_log):
    _open(page, app_url)
    before = _shown(page)
    x, y = _stage_point(page, "edge")
    act(page, lambda: page.mouse.click(x, y))  # the stage tells the server: a rerun
    editor = page.get_by_text(re.compile(r"Weight W1\[1,1\] from x1 to h1\.1"))
    editor.first.wait_for(timeout=30_000)
    box = page.locator('.st-key-pg_edit_w_0_0_0 input').first
    act(page, lambda: (box.fill("4"), box.press("Enter")))
    page.wait_for_function(f"() => {_STAGE}.frames[{_STAGE}.idx].o !== {before['o']!r}",
                           timeout=30_000)
    assert page.get_by_text(re.compile(r"Weight W1\[1,1\].*= 4\.0")).first.is_visible()
    screenshot(page, "playground_edge_editor", full_page=False)
    assert_no_exception(page)
    assert "Traceback" not in server_log.read_text(errors="replace")


def test_click_the_plane_adds_a_point_of_your_data(app_url, page, server_log):
    _open(page, app_url)
    n = _shown(page)["points"]
    x, y = _stage_point(page, "plane")
    act(page, lambda: page.mouse.click(x, y))
    page.wait_for_function(f"() => {_STAGE}.pts.train.x.length + {_STAGE}.pts.test.x.length "
                           f"=== {n + 1}", timeout=30_000)
    assert page.get_by_role("button", name=re.compile(rf"Your data \({n + 1} points")).is_visible()
    assert_no_exception(page)
    assert "Traceback" not in server_log.read_text(errors="replace")


def test_small_screens_and_1024_while_playing(app_url, page):
    for width, height in ((1024, 768), (390, 844)):
        _open(page, app_url, width, height)
        _play_button(page).click()
        page.wait_for_function(f"() => {_STAGE}.playing && {_STAGE}.frames[{_STAGE}.idx].e > 3",
                               timeout=30_000)
        screenshot(page, f"playground_{width}x{height}_playing", full_page=False)
        _play_button(page).click()
        page.wait_for_function(f"() => !{_STAGE}.playing", timeout=30_000)
        wait_for_app_idle(page)
        canvas = page.locator(".nnpg canvas").bounding_box()
        assert canvas["x"] >= 0 and canvas["x"] + canvas["width"] <= width  # nothing off-screen
        screenshot(page, f"playground_{width}x{height}_paused", full_page=False)
        assert_no_exception(page)


def test_a_teachers_link_hides_and_locks_the_top_bar_and_data_controls(app_url, page):
    _open(page, app_url + "/?hide=lr,preset&lock=batch,data")
    expect(page.locator(".st-key-pg_lr")).to_have_count(1)
    expect(page.locator(".st-key-pg_lr")).to_be_hidden()  # drawn, and hidden
    expect(page.locator(".st-key-pg_act")).to_be_visible()  # not named: untouched
    for key in ("pg_batch", "pg_sets", "pg_task"):  # locked: shown, greyed, not clickable
        box = page.locator(f".st-key-{key}").first
        expect(box).to_be_visible()
        expect(box).to_have_css("pointer-events", "none")
    page.get_by_role("button", name=re.compile("Presets, pages")).click()
    # The menu's body is drawn after the click: wait for it before asking what it lacks.
    expect(page.get_by_role("link", name=re.compile("Feedforward: one sample"))).to_be_visible()
    assert page.locator(".st-key-preset_spiral").count() == 0  # presets hidden
    assert not page.get_by_text("Start from a preset").count()
    screenshot(page, "playground_1400x900_teacher_link", full_page=False)
    assert_no_exception(page)
