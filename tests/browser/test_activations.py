"""The Activations page in a real browser: run a comparison, every chart is drawn."""

from tests.browser.helpers import (
    assert_no_exception,
    open_page,
    screenshot,
    wait_for_app_idle,
    wait_for_plotly,
)

_CHARTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(gd => ({traces: gd._fullData.length,
               titles: (gd._fullLayout.annotations || []).map(a => a.text)}))"""


def test_compare_activations_draws_every_chart(app_url, page):
    open_page(page, app_url, "activations")
    assert_no_exception(page)
    wait_for_plotly(page)
    assert len(page.evaluate(_CHARTS_JS)) == 1  # only the functions before a comparison
    screenshot(page, "activations_functions")

    epochs = page.get_by_test_id("stMainBlockContainer").get_by_label("Epochs")
    epochs.fill("150")
    epochs.press("Enter")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Train and compare").click()
    wait_for_app_idle(page, timeout_ms=90_000)
    wait_for_plotly(page)
    assert_no_exception(page)
    charts = page.evaluate(_CHARTS_JS)
    # functions, loss curves, boundaries, gradients per layer, dead units
    assert len(charts) == 5, charts
    boundary_titles = " ".join(charts[2]["titles"])
    gradient_titles = charts[3]["titles"]
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "swish",
                 "linear"):
        assert name in boundary_titles
        assert name in gradient_titles
    assert page.get_by_text("the same initial weights").count() >= 1
    assert page.get_by_text("The answer, measured").count() == 1
    screenshot(page, "activations_comparison")

    page.get_by_role("button", name="Measure dead units at several learning rates").click()
    wait_for_app_idle(page, timeout_ms=90_000)
    assert_no_exception(page)
    page.get_by_text("lr 3", exact=False).first.wait_for(timeout=30_000)
    screenshot(page, "activations_dead_units")
