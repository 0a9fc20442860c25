"""Browser: the Network graph page draws its charts, and moving the sample slider changes
the values drawn on the nodes."""

import time

from playwright.sync_api import expect

from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_plotly,
)


def graph_texts(page):
    """Return every text drawn inside the first Plotly chart (names, values, titles)."""
    return page.locator(".js-plotly-plot").first.locator("svg text").evaluate_all(
        "els => els.map(e => e.textContent)")


def test_network_graph_page(app_url, page):
    open_page(page, app_url, "network_graph")
    wait_for_plotly(page)
    assert_no_exception(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(4)
    # the default net (2 inputs, 4-2 hidden, 1 output): 9 nodes, each with name and value
    texts = graph_texts(page)
    assert {"x1", "x2", "h1.1", "h2.2", "o1"} <= set(texts)
    screenshot(page, "network_graph_default")

    sample = page.locator('[data-testid="stSlider"]', has_text="Sample (1 to")
    sample.get_by_role("slider").focus()
    start = time.perf_counter()
    act(page, lambda: [page.keyboard.press("ArrowRight") for _ in range(5)])
    expect(page.get_by_text("Train sample 6 of", exact=False).first).to_be_visible()
    print(f"sample change to updated page: {time.perf_counter() - start:.3f} s (printed only)")
    after = graph_texts(page)
    assert after != texts, "the node values did not change with the sample"
    assert_no_exception(page)

    click(page, page.get_by_text("Discretize output"))
    assert_no_exception(page)
    page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
    screenshot(page, "network_graph_discretized")


def test_network_graph_tutorial_and_deep(app_url, page):
    open_page(page, app_url, "network_graph?preset=tutorial")
    wait_for_plotly(page)
    assert_no_exception(page)
    assert "x1" in graph_texts(page)
    screenshot(page, "network_graph_tutorial")
    open_page(page, app_url, "network_graph?preset=spiral")
    wait_for_plotly(page)
    assert_no_exception(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(4)
    screenshot(page, "network_graph_spiral")
