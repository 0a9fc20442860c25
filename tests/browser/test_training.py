"""The Training page in a real browser: Train, then the replay plays in the browser; Stop."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_app_idle,
    wait_for_plotly,
)

# The replay is the chart with an animation slider (the page has other charts below it).
_REPLAY_JS = """Array.from(document.querySelectorAll('.js-plotly-plot'))
  .find(gd => gd._fullLayout && (gd._fullLayout.sliders || []).length)"""
_STATE_JS = """() => {
  const gd = """ + _REPLAY_JS + """;
  const plane = gd._fullData.find(t => t.marker && t.marker.symbol === 'square');
  const edges = gd._fullData.filter(t => t.mode === 'lines' && t.xaxis === 'x')
                            .map(t => t._length).join(',');
  const slider = gd._fullLayout.sliders[0];
  return {title: slider.steps[slider.active].label, heat: Array.from(plane.marker.color).join(','), edges: edges};
}"""


def test_train_then_play_the_replay(app_url, page):
    open_page(page, app_url, "training")
    assert_no_exception(page)
    click(page, page.get_by_role("button", name="Train", exact=True), timeout_ms=60_000)
    wait_for_plotly(page)
    page.wait_for_function("() => " + _REPLAY_JS + " !== undefined", timeout=60_000)
    assert_no_exception(page)
    before = page.evaluate(_STATE_JS)
    assert before["title"].startswith("<b>Epoch 0</b>"), before["title"]

    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        "() => (" + _REPLAY_JS + ")._fullLayout.sliders[0].active > 0",
        timeout=10_000)
    page.wait_for_timeout(1500)
    screenshot(page, "training_replay_playing")
    during = page.evaluate(_STATE_JS)
    epoch = int(re.search(r"Epoch (\d+)", during["title"]).group(1))
    assert epoch > 0
    # the frame's content moved too, not only its caption
    assert during["heat"] != before["heat"] or during["edges"] != before["edges"]

    page.locator(".updatemenu-button", has_text="Pause").click()
    # Paused once Plotly's animation loop has stopped: no frame queued, no frame requested.
    page.wait_for_function("() => { const t = (" + _REPLAY_JS + ")._transitionData; "
                           "return !t._animationRaf && !(t._frameQueue || []).length; }", timeout=30_000)
    paused = page.evaluate(_STATE_JS)["title"]
    page.wait_for_timeout(800)
    assert page.evaluate(_STATE_JS)["title"] == paused
    assert_no_exception(page)


def test_stop_interrupts_a_long_run(app_url, page):
    open_page(page, app_url, "training?preset=spiral")
    # The page's own Epochs input (the sidebar has one too, for the experiment's default).
    epochs = page.locator('[data-testid="stMainBlockContainer"]').get_by_label("Epochs", exact=True)
    act(page, lambda: (epochs.fill("3000"), epochs.press("Enter")))
    page.get_by_role("button", name="Train").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible", timeout=30_000)
    # Stop once some epochs are done (the progress bar counts them), not after a fixed time.
    expect(page.get_by_text(re.compile(r"Epoch [1-9]\d* of \d+ · train loss"))
           ).to_be_visible(timeout=60_000)
    click(page, stop, timeout_ms=60_000)
    expect(page.get_by_text(re.compile(r"Stopped at epoch \d+"))).to_be_visible()
    text = page.get_by_text(re.compile(r"Stopped at epoch \d+")).first.inner_text()
    stopped = int(re.search(r"epoch (\d+)", text).group(1))
    assert 0 < stopped < int(epochs.input_value())  # the 3000 asked for, or the cap shown
    # Continue picks up from there
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    assert_no_exception(page)


def test_learning_rate_explained_and_compared_on_the_tutorial_net(app_url, page, server_log):
    """?preset=tutorial: the update rule, the loss along one direction, the comparison with
    distinct colours in learning-rate order, and a server log without tracebacks."""
    open_page(page, app_url, "training?preset=tutorial")
    assert_no_exception(page)
    page.get_by_role("heading", name="What a learning rate is").wait_for(timeout=60_000)
    click(page, page.get_by_role("button", name="Compare", exact=True), timeout_ms=120_000)
    assert_no_exception(page)
    page.get_by_text("What each verdict means").wait_for(timeout=60_000)
    legend = page.evaluate("""() => {
      const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
      const gd = plots[plots.length - 1];
      return gd._fullData.filter(t => t.mode === 'lines').map(t => [t.name, t.line.color]);
    }""")
    assert [n.split(":")[0] for n, _ in legend] == ["lr 0.001", "lr 0.01", "lr 0.1", "lr 1",
                                                     "lr 10"]
    assert len({c for _, c in legend}) == len(legend)
    for width, height in ((1400, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        wait_for_app_idle(page)
        for name, heading in (("rule", "What a learning rate is"),
                              ("line", "The loss along one direction")):
            page.get_by_role("heading", name=heading).evaluate(
                "e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            screenshot(page, f"training_lr_{name}_{width}", full_page=False)
        page.get_by_text("What each verdict means").evaluate(
            "e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(500)
        screenshot(page, f"training_lr_compare_{width}", full_page=False)
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log and "ArrowTypeError" not in log, log[-4000:]
