"""Browser: the first request a fresh server gets may be for a page, not the front page.

Streamlit serves that request from the pages/ folder, running the page file alone, before
app.py has ever called st.navigation. The page must still come with the app's navigation
(app.py's titles, not the file names) and the shared sidebar, and the link's settings.
"""

from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    click,
    open_page,
    screenshot,
    wait_for_app_idle,
)


def test_a_page_link_as_a_fresh_servers_first_request(fresh_app_url, page):
    open_page(page, fresh_app_url, "training?preset=tutorial")
    expect(page.get_by_role("heading", name="Training").first).to_be_visible()
    assert_no_exception(page)
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Playground", "Network graph", "Feedforward", "Backprop", "Activations"):
        expect(nav.get_by_text(title, exact=True)).to_be_visible()
    expect(nav.get_by_text("app", exact=True)).to_have_count(0)  # not pages/-folder mode
    expect(page.get_by_text("3-4-1", exact=False).first).to_be_visible()  # the link's preset
    sidebar = page.get_by_test_id("stSidebar")
    for section in ("Data", "Files: your data and networks"):  # the shared sidebar, once
        expect(sidebar.get_by_text(section, exact=True)).to_have_count(1)
    wait_for_app_idle(page)
    screenshot(page, "first_request_training")
    click(page, page.get_by_role("link", name="Feedforward"))
    expect(page.get_by_role("heading", name="Feedforward").first).to_be_visible()
    assert_no_exception(page)
