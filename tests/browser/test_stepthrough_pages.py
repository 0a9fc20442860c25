"""Browser: step through the Feedforward and Backprop pages with clicks; time each click."""

import re
import time

from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    open_page,
    screenshot,
    wait_for_app_idle,
    wait_for_plotly,
)


def click_and_time(page, label):
    """Click a button, wait until the step counter changes; return seconds (printed only)."""
    counter = page.locator("strong", has_text=re.compile(r"^Step \d+ of \d+$")).first
    before = counter.inner_text()
    start = time.perf_counter()
    # whole word at the end: "Reset" is not the sidebar's "Help for Preset"
    page.get_by_role("button", name=re.compile(rf"\b{label}$")).first.click()
    expect(counter).not_to_have_text(before, timeout=30_000)
    elapsed = time.perf_counter() - start
    wait_for_app_idle(page)
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
    page.get_by_role("button", name="Run to end").first.click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Loss (mse)").first).to_be_visible()
    assert_no_exception(page)


def test_backprop_steps_with_clicks(app_url, page):
    step_page(page, app_url, "backprop?preset=worked_example", 5, "backprop_mid")
    for tab in ("Gradient check", "One update", "Bug zoo", "Check your own numbers"):
        page.get_by_role("tab", name=tab).click()
        wait_for_app_idle(page)
        assert_no_exception(page)
    screenshot(page, "backprop_check_numbers")
