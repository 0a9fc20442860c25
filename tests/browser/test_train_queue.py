"""Two students on one server: a Train that arrives while another trains waits in the queue,
says so, and then shows its own training; Stop while waiting withdraws it."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import assert_no_exception, open_page, wait_for_app_idle

# A long training (the spiral net on 2000 points, one point per step: several seconds), so
# the other student's Train arrives while it runs.
LONG = "training?preset=spiral&points=2000&batch=1&epochs=5000"
WAITING = re.compile(r"Waiting for the server: 1 training ahead of yours")


def _train(page):
    page.get_by_role("button", name="Train", exact=True).click()


def _metric(page, label):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator(
        '[data-testid="stMetricValue"]').inner_text()


def test_a_train_during_another_waits_then_trains_and_stop_withdraws_it(app_url, browser):
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        a, b = (c.new_page() for c in contexts)
        open_page(a, app_url, LONG)
        open_page(b, app_url, "training?seed=9137")  # a seed no other test trains

        _train(a)
        a.get_by_role("button", name="Stop").wait_for(state="visible", timeout=30_000)
        _train(b)
        expect(b.get_by_text(WAITING)).to_be_visible(timeout=30_000)
        wait_for_app_idle(b, timeout_ms=120_000)
        assert _metric(b, "Epoch") == "300"  # its own training, once the other one finished
        assert_no_exception(b)
        wait_for_app_idle(a, timeout_ms=120_000)
        assert_no_exception(a)

        open_page(b, app_url, "training?seed=9138")
        _train(a)
        a.get_by_role("button", name="Stop").wait_for(state="visible", timeout=30_000)
        _train(b)
        expect(b.get_by_text(WAITING)).to_be_visible(timeout=30_000)
        b.get_by_role("button", name="Stop").click()
        wait_for_app_idle(b, timeout_ms=60_000)
        expect(b.get_by_text("Stopped: your training was still waiting for the server and "
                             "was withdrawn.")).to_be_visible()
        expect(b.get_by_text("Epoch 0: the initial weights")).to_be_visible()  # none trained
        expect(b.locator('[data-testid="stMetric"]')).to_have_count(0)
        assert_no_exception(b)
        wait_for_app_idle(a, timeout_ms=120_000)
    finally:
        for c in contexts:
            c.close()
