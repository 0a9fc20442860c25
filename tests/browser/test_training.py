"""The Training page in a real browser: Train, then the replay plays in the browser; Stop."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    open_page,
    screenshot,
    wait_for_app_idle,
    wait_for_plotly,
)

_STATE_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const plane = gd._fullData.find(t => t.marker && t.marker.symbol === 'square');
  const edges = gd._fullData.filter(t => t.mode === 'lines' && t.xaxis === 'x')
                            .map(t => t._length).join(',');
  const slider = gd._fullLayout.sliders[0];
  return {title: slider.steps[slider.active].label, heat: Array.from(plane.marker.color).join(','), edges: edges};
}"""


def test_train_then_play_the_replay(app_url, page):
    open_page(page, app_url, "training")
    assert_no_exception(page)
    page.get_by_role("button", name="Train").click()
    wait_for_app_idle(page, timeout_ms=60_000)
    wait_for_plotly(page)
    assert_no_exception(page)
    before = page.evaluate(_STATE_JS)
    assert before["title"].startswith("<b>Epoch 0</b>"), before["title"]

    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')._fullLayout.sliders[0].active > 0",
        timeout=10_000)
    page.wait_for_timeout(1500)
    screenshot(page, "training_replay_playing")
    during = page.evaluate(_STATE_JS)
    epoch = int(re.search(r"Epoch (\d+)", during["title"]).group(1))
    assert epoch > 0
    # the frame's content moved too, not only its caption
    assert during["heat"] != before["heat"] or during["edges"] != before["edges"]

    page.locator(".updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(500)
    paused = page.evaluate(_STATE_JS)["title"]
    page.wait_for_timeout(800)
    assert page.evaluate(_STATE_JS)["title"] == paused
    assert_no_exception(page)


def test_stop_interrupts_a_long_run(app_url, page):
    open_page(page, app_url, "training?preset=spiral")
    # The page's own Epochs input (the sidebar has one too, for the experiment's default).
    epochs = page.locator('[data-testid="stMainBlockContainer"]').get_by_label("Epochs", exact=True)
    epochs.fill("3000")
    epochs.press("Enter")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Train").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(700)
    stop.click()
    wait_for_app_idle(page, timeout_ms=60_000)
    expect(page.get_by_text(re.compile(r"Stopped at epoch \d+"))).to_be_visible()
    text = page.get_by_text(re.compile(r"Stopped at epoch \d+")).first.inner_text()
    stopped = int(re.search(r"epoch (\d+)", text).group(1))
    assert 0 < stopped < 3000
    # Continue picks up from there
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    assert_no_exception(page)
