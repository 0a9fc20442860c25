"""Browser: step through the Feedforward and Backprop pages with clicks; time each click."""

import re
import time

from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_plotly,
)


def click_and_time(page, label):
    """Click a button, wait until the step counter changes; return seconds (printed only)."""
    counter = page.locator("strong", has_text=re.compile(r"^Step \d+ of \d+$")).first
    before = counter.inner_text()
    start = time.perf_counter()
    # whole word at the end: "Reset" is not the sidebar's "Help for Preset"
    click(page, page.get_by_role("button", name=re.compile(rf"\b{label}$")).first)
    elapsed = time.perf_counter() - start
    assert counter.inner_text() != before  # read at once: click() waited for the run
    return elapsed


def step_page(page, app_url, path, n_clicks, shot):
    open_page(page, app_url, path)
    wait_for_plotly(page)
    assert_no_exception(page)
    times = [click_and_time(page, "Next") for _ in range(n_clicks)]
    screenshot(page, shot)
    times.append(click_and_time(page, "Previous"))
    times.append(click_and_time(page, "Run to end"))
    assert_no_exception(page)
    times.append(click_and_time(page, "Reset"))
    expect(page.get_by_text("Step 1 of", exact=False).first).to_be_visible()
    print(f"{path}: click-to-update times (s): " + ", ".join(f"{t:.3f}" for t in times)
          + f"; median {sorted(times)[len(times) // 2]:.3f}")
    return times


def test_feedforward_steps_with_clicks(app_url, page):
    times = step_page(page, app_url, "feedforward?preset=worked_example", 3, "feedforward_mid")
    assert len(times) == 6
    click(page, page.get_by_role("button", name="Run to end").first)
    expect(page.get_by_text("Loss (mse)").first).to_be_visible()
    assert_no_exception(page)


# What each Backprop tab shows first: drawn only once the tab is opened (a fragment rerun).
TAB_TEXT = {"Gradient check": "Verdict: good", "One update": "One plain gradient-descent step",
            "Bug zoo": "Gradient check of this bug's gradients",
            "Check your own numbers": "Enter the weights of a small network",
            "Step through": "Step 1 of"}


def open_tab(page, tab):
    click(page, page.get_by_role("tab", name=tab))  # a tab is drawn when opened: a rerun
    assert page.get_by_text(TAB_TEXT[tab]).first.is_visible()  # drawn by the run waited for
    assert_no_exception(page)


def test_backprop_steps_with_clicks(app_url, page, tmp_path):
    step_page(page, app_url, "backprop?preset=worked_example", 5, "backprop_mid")
    expect(page.get_by_text(TAB_TEXT["Gradient check"])).to_have_count(0)  # not drawn yet
    for tab in ("Gradient check", "One update", "Bug zoo", "Check your own numbers"):
        open_tab(page, tab)
    screenshot(page, "backprop_check_numbers")
    # The tables' downloads are written when clicked, from the table as drawn.
    open_tab(page, "Gradient check")
    with page.expect_download() as download:
        page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button:visible',
                     has_text="CSV").first.click()
    assert download.value.suggested_filename == "gradient_check.csv"
    path = tmp_path / "gradient_check.csv"
    download.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "layer,index,analytic,numeric,relative error,verdict"
    assert len(lines) == 1 + 12 and all(line.endswith(",good") for line in lines[1:])
    # A tab's setting survives a switch to another tab and back.
    open_tab(page, "Bug zoo")
    page.get_by_label("Switch on a mistake").click()
    click(page, page.get_by_role("option", name=re.compile("sign", re.I)).first)
    chosen = page.locator('[data-testid="stSelectbox"]').filter(
        has_text="Switch on a mistake").inner_text()
    open_tab(page, "Step through")
    open_tab(page, "Bug zoo")
    expect(page.locator('[data-testid="stSelectbox"]').filter(
        has_text="Switch on a mistake")).to_have_text(chosen)
    screenshot(page, "backprop_bug_zoo")
    assert_no_exception(page)
