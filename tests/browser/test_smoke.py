"""Smoke test: the real server starts, the front page (the Playground) renders without an exception."""

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, open_page, screenshot


def test_app_root_renders(app_url, page):
    open_page(page, app_url)
    expect(page.get_by_text("Neural Network Playground").first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "smoke_front_page")
