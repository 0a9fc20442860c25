"""The helpers that wait for a script run, on a server that answers late (a loaded machine).

The server is paused (SIGSTOP) before a click and resumed a few seconds later: the click's
run starts long after the click. click() must wait for that run, so that the page read at
once afterwards shows its result; a helper that only waits for "nothing running for a
moment" returns before the run has started and reads the old page.
"""

from __future__ import annotations

import os
import re
import signal
import threading

from tests.browser.conftest import SERVER_PROCESSES
from tests.browser.helpers import act, click, open_page

PAUSE_S = 3.0  # how late the server answers: several times any quiet period a helper might use


def paused_server(app_url):
    """Pause the server now and resume it PAUSE_S later (in a timer thread); returns it."""
    pid = SERVER_PROCESSES[app_url].pid
    os.kill(pid, signal.SIGSTOP)
    resume = threading.Timer(PAUSE_S, os.kill, (pid, signal.SIGCONT))
    resume.start()
    return resume, pid


def step_counter(page):
    return page.locator("strong", has_text=re.compile(r"^Step \d+ of \d+$")).first


def test_a_click_answered_late_is_waited_for(app_url, page):
    open_page(page, app_url, "feedforward?preset=worked_example")
    counter = step_counter(page)
    k, n = map(int, re.findall(r"\d+", counter.inner_text()))
    assert k == 1
    resume, pid = paused_server(app_url)
    try:
        click(page, page.get_by_role("button", name=re.compile(r"\bNext$")).first)
    finally:
        resume.join()
        os.kill(pid, signal.SIGCONT)
    assert counter.inner_text() == f"Step 2 of {n}"  # read at once, no retrying


def test_typing_answered_late_is_waited_for(app_url, page):
    """A value typed and sent with Enter (a number input), then read at once."""
    open_page(page, app_url, "training")
    epochs = page.locator('[data-testid="stMainBlockContainer"]').get_by_label("Epochs",
                                                                              exact=True)
    new = str(int(epochs.input_value()) + 7)
    resume, pid = paused_server(app_url)
    try:
        act(page, lambda: (epochs.fill(new), epochs.press("Enter")))
    finally:
        resume.join()
        os.kill(pid, signal.SIGCONT)
    assert f"epochs={new}" in page.url  # the run that took the value wrote it to the link
