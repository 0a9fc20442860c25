"""Bad input in a real browser: a bad link's notices and a bad upload's message are shown."""

from __future__ import annotations

from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    open_sidebar,
    screenshot,
)


def _upload(page, label, name, data, mime):
    open_sidebar(page)  # the front page, the Playground, starts with it collapsed
    click(page, page.get_by_text("Files: your data and networks"))  # drawn once opened
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
    act(page, lambda: uploader.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}))


def test_a_bad_link_shows_notices_and_the_app_works(page, app_url):
    open_page(page, app_url, "?lr=nan&hidden=99,abc&data=%3Cscript%3E&epochs=-5")
    assert_no_exception(page)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    text = " ".join(alerts)
    assert "lr: nan" in text and "hidden" in text and "data:" in text and "epochs" in text, text
    assert page.locator("script", has_text="alert").count() == 0  # shown as text, not markup
    screenshot(page, "bad_link_notices")


def test_a_bad_csv_upload_shows_why_and_keeps_the_experiment(page, app_url):
    open_page(page, app_url, "?preset=spiral")
    url_before = page.url
    _upload(page, "Upload data (CSV)", "broken.csv", b"1,2,0\n3,x,1\n", "text/csv")
    assert_no_exception(page)
    error = page.locator('[data-testid="stAlert"]').filter(has_text="broken.csv was not loaded")
    assert error.count() == 1
    assert "not a number" in error.inner_text() and "unchanged" in error.inner_text()
    assert page.url == url_before, "the link (the experiment) did not change"
    screenshot(page, "bad_csv_message")


def test_a_bad_network_upload_shows_why(page, app_url):
    open_page(page, app_url)
    _upload(page, "Load a network (JSON)", "net.json", b'{"layer_sizes": [2, 1]', "application/json")
    assert_no_exception(page)
    error = page.locator('[data-testid="stAlert"]').filter(has_text="net.json was not loaded")
    assert error.count() == 1 and "not valid JSON" in error.inner_text()
