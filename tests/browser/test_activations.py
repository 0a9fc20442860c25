"""The Activations page in a real browser: the verdict, every chart, the deep example, and a
server log without tracebacks. Screenshots at 1400x900 and 1024x768."""

from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_app_idle,
    wait_for_plotly,
)

_CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(gd => ({traces: gd._fullData.length,
               titles: (gd._fullLayout.annotations || []).map(a => a.text)}))"""
NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "swish", "linear")


def _log_tracebacks(server_log):
    text = server_log.read_text(errors="replace")
    return [line for line in text.splitlines() if "Traceback" in line or "Error" in line]


def test_compare_activations_gives_a_verdict_and_draws_every_chart(app_url, page, server_log):
    open_page(page, app_url, "activations?preset=tutorial")
    assert_no_exception(page)
    wait_for_plotly(page)
    assert len(page.evaluate(_CHARTS_JS)) == 1  # only the functions before a comparison

    # The page's story is four tabs in order; the comparison is the second.
    page.get_by_role("tab", name="2 · Which one to use?").click()
    click(page, page.get_by_role("button", name="Train and compare"), timeout_ms=120_000)
    # the functions' chart is in tab 1, hidden now: wait for this tab's charts
    page.locator(".js-plotly-plot:visible").first.wait_for(timeout=30_000)
    assert_no_exception(page)
    charts = page.evaluate(_CHARTS_JS)
    assert len(charts) == 4, charts  # functions, loss curves, boundaries, gradients per layer
    for name in NAMES:
        assert name in " ".join(charts[2]["titles"])
        assert name in charts[3]["titles"]
    assert page.get_by_text("the same initial weights").count() >= 1
    assert page.get_by_text("The general advice, and whether this data agreed").count() == 1
    for size, name in (((1400, 900), "1400"), ((1024, 768), "1024")):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        wait_for_app_idle(page)
        page.get_by_text("The general advice, and whether this data agreed").scroll_into_view_if_needed()
        page.get_by_role("tab", name="2 · Which one to use?").scroll_into_view_if_needed()
        screenshot(page, f"activations_compare_{name}", full_page=False)
        screenshot(page, f"activations_compare_{name}_full")

    page.get_by_role("tab", name="3 · Vanishing gradients").click()
    click(page, page.get_by_role("button", name="Run the deep example"), timeout_ms=240_000)
    assert_no_exception(page)
    page.get_by_text("sigmoid ended clearly worse than the best").wait_for(timeout=30_000)
    for size, name in (((1400, 900), "1400"), ((1024, 768), "1024")):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        wait_for_app_idle(page)
        page.get_by_role("tab", name="3 · Vanishing gradients").scroll_into_view_if_needed()
        screenshot(page, f"activations_deep_{name}", full_page=False)

    page.get_by_role("tab", name="4 · Dead units").click()
    click(page, page.get_by_role("button", name="Measure dead units at several learning rates"),
          timeout_ms=90_000)
    assert_no_exception(page)
    page.get_by_text("lr 3", exact=False).first.wait_for(timeout=30_000)
    assert not _log_tracebacks(server_log), server_log.read_text()[-4000:]
