"""The classroom setup in real browsers: two replicas behind HAProxy (python3 -m classroom).

Two students, each in their own browser context (own cookies), upload different CSV files.
After several page switches each still downloads exactly its own data (the websocket, the
upload and the media download all reached the replica that holds the session). Then the
first student's replica is killed: the second student notices nothing, and the first one's
browser reconnects to the live replica with the experiment of its URL, and is told to upload
the CSV again (the file died with the replica; the link says the data was an upload). A newcomer beyond the
cap gets the "class is full" page.
"""

from __future__ import annotations

import csv
import io
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from classroom import COOKIE, Classroom, free_port
from tests.browser.helpers import (
    act,
    assert_no_exception,
    click,
    open_page,
    open_sidebar,
    screenshot,
    wait_for_app_idle,
)

CSV_A = "".join(f"{i / 10:.1f},{(i * 7 % 11) / 5:.1f},{i % 2}\n" for i in range(30)).encode()
CSV_B = "".join(f"{i / 4:.2f},{-i / 3:.3f},{(i * 5) % 9:.1f},{(i // 3) % 2}\n"
                for i in range(40)).encode()


@pytest.fixture(scope="module")
def classroom():
    # Health checks every 0.5 s so that a killed replica is taken out quickly.
    room = Classroom(replicas=2, port=free_port(), bind="127.0.0.1", max_sessions=2,
                     check_interval_ms=500)
    with room:
        yield room


def rows(text: bytes) -> list:
    """The data's rows as sorted tuples of numbers (the download adds a header)."""
    out = []
    for row in csv.reader(io.StringIO(text.decode())):
        try:
            out.append(tuple(round(float(v), 6) for v in row))
        except ValueError:
            continue  # the header
    return sorted(out)


def upload(page, name, data):
    open_sidebar(page)
    click(page, page.get_by_text("Files: your data and networks"))  # drawn once opened
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Upload data (CSV)")
    act(page, lambda: uploader.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}))
    expect(page.get_by_text(f"Loaded {name}")).to_be_visible(timeout=30_000)


def downloaded_data(page) -> bytes:
    expander = page.get_by_text("Files: your data and networks")
    open_sidebar(page)
    button = page.get_by_role("button", name="Download the data (CSV)")
    if not button.is_visible():
        click(page, expander)
    with page.expect_download() as info:
        button.click()
    return open(info.value.path(), "rb").read()


def visit(page, title, reloads=False):
    """Switch page in the sidebar; `reloads`: this click is expected to reload the whole page
    (the first one on a replica the browser failed over to, classroom/replica.py)."""
    open_sidebar(page)
    entry = page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True)
    if reloads:
        # The reload comes a server round trip after the click: wait for the new document's
        # load event before reading the page (a read in flight during the reload fails with
        # "Execution context was destroyed"; one before it would read the old page), then
        # for the new document's first run.
        def reload():
            with page.expect_event("load", timeout=60_000):
                entry.click()
        act(page, reload, timeout_ms=60_000)
    else:
        click(page, entry, timeout_ms=60_000)
    assert_no_exception(page)


def link(url) -> dict:
    """A URL's query parameters (the experiment it holds)."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def replica_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == COOKIE)


def wait_for_students(classroom, expected):
    """Wait (bounded) until HAProxy counts these open websockets: {replica: count}, or a total."""
    deadline = time.monotonic() + 30

    def now():
        counts = classroom.sessions()
        return counts if isinstance(expected, dict) else sum(counts.values())

    while now() != expected:
        assert time.monotonic() < deadline, f"{classroom.sessions()} != {expected}"
        time.sleep(0.2)


def page_status(url, cookie=None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_newcomer_beyond_the_cap_gets_the_class_is_full_page(browser, classroom):
    """Two replicas hold two students each here; the fifth newcomer is told to try again."""
    contexts = []
    try:
        for _ in range(4):
            ctx = browser.new_context()
            open_page(ctx.new_page(), classroom.url, timeout_ms=60_000)
            contexts.append(ctx)
        wait_for_students(classroom, {"r1": 2, "r2": 2})
        assert page_status(classroom.url + "/") == 503
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(classroom.url + "/training?lr=3.0", wait_until="domcontentloaded")
        expect(page.get_by_role("heading")).to_have_text(
            "The class is full: try again in a minute")
        expect(page.get_by_text("already has 4 students working")).to_be_visible()
        screenshot(page, "classroom_full")
        page.close()
        # A student already in (the browser has the replica's cookie) still gets the app.
        assert page_status(classroom.url + "/", f"{COOKIE}=r1") == 200
        # One student leaves: the next newcomer gets in.
        contexts.pop().close()
        wait_for_students(classroom, {"r1": 2, "r2": 1})
        assert page_status(classroom.url + "/") == 200
    finally:
        for ctx in contexts:
            ctx.close()
    wait_for_students(classroom, {"r1": 0, "r2": 0})


def test_each_student_keeps_their_replica_and_survives_a_dead_one(browser, classroom):
    ctx_a = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    ctx_b = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        # Pages with the sidebar open (the Playground, the front page, collapses it).
        open_page(a, classroom.url, "network_graph?lr=3.0&seed=7", timeout_ms=60_000)
        wait_for_students(classroom, 1)  # so that B goes to the other replica
        open_page(b, classroom.url, "network_graph?seed=11", timeout_ms=60_000)
        assert {replica_of(ctx_a), replica_of(ctx_b)} == {"r1", "r2"}, "one student per replica"
        upload(a, "class_a.csv", CSV_A)
        upload(b, "class_b.csv", CSV_B)
        for title in ("Feedforward", "Backprop", "Network graph"):
            visit(a, title)
            visit(b, title)
        assert rows(downloaded_data(a)) == rows(CSV_A)
        assert rows(downloaded_data(b)) == rows(CSV_B)

        # Student A's replica dies mid-class.
        url_a, dead = a.url, replica_of(ctx_a)
        classroom.kill(int(dead[1:]) - 1)
        visit(b, "Network graph")
        assert rows(downloaded_data(b)) == rows(CSV_B), "B's session is untouched"
        # A's browser reconnects by itself to the live replica; its next click reloads the
        # page there (classroom/replica.py), with the experiment its URL holds.
        expect(a.locator('[data-testid="stApp"]')).to_have_attribute(
            "data-test-connection-state", "CONNECTED", timeout=60_000)
        a.evaluate("window.before_failover = true")
        visit(a, "Feedforward", reloads=True)
        expect(a.locator('[data-testid="stApp"]')).to_have_attribute(
            "data-test-connection-state", "CONNECTED", timeout=60_000)
        wait_for_app_idle(a, timeout_ms=60_000)
        assert a.evaluate("window.before_failover") is None, "the page was reloaded"
        # A's upload died with the replica: the link said so (data=csv), A is told to upload
        # it again, and the address bar now holds what is shown (the circle data meanwhile)
        # with the rest of A's link.
        assert "data=csv" in url_a
        expect(a.get_by_text("upload it again under Files in the sidebar")).to_be_visible()
        screenshot(a, "classroom_upload_lost_after_replica_died")
        assert link(a.url) == {k: v for k, v in link(url_a).items() if k != "data"}
        assert replica_of(ctx_a) == replica_of(ctx_b) != dead
        visit(a, "Feedforward")
        assert link(a.url) == {k: v for k, v in link(url_a).items() if k != "data"}
        assert a.get_by_role("spinbutton", name="Weight seed").input_value() == "7"  # A's link: seed=7
        screenshot(a, "classroom_recovered_after_replica_died")
    finally:
        ctx_a.close()
        ctx_b.close()
