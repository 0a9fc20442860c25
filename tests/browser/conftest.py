"""Fixtures for end-to-end browser tests: a real Streamlit server and headless Chromium.

- ``app_url`` (session): starts ``streamlit run app.py`` on a free port, yields its base URL.
- ``server_log`` (session): the path of that server's log (stdout and stderr).
- ``browser`` (session): Playwright (sync API) driving Debian's /usr/bin/chromium, headless.
- ``page`` (function): a fresh context (viewport 1400x1000) and page, closed afterwards.

Every test under tests/browser gets the ``browser`` marker automatically.
Chromium missing is a test FAILURE, never a skip: install it with
``apt-get update && apt-get install -y chromium``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import track_runs

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0
# The process of each server serve_app runs, by its base URL (a test pauses one to play a
# loaded machine).
SERVER_PROCESSES: dict[str, subprocess.Popen] = {}
VIEWPORT = {"width": 1400, "height": 1000}

_BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _read_log(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-8000:]
    except OSError:
        return "<no server log>"


@contextlib.contextmanager
def serve_app(log_path: Path) -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free port (log in log_path); yield its base URL;
    stop it after."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _health_ok(f"{url}/_stcore/health"):
                if proc.poll() is not None:
                    pytest.fail(
                        f"Streamlit server exited with code {proc.returncode} before becoming "
                        f"healthy.\n--- server log ({log_path}) ---\n{_read_log(log_path)}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"Streamlit server not healthy after {SERVER_START_TIMEOUT_S:.0f} s at "
                        f"{url}.\n--- server log ({log_path}) ---\n{_read_log(log_path)}"
                    )
                time.sleep(0.25)
            SERVER_PROCESSES[url] = proc
            yield url
        finally:
            SERVER_PROCESSES.pop(url, None)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the app_url server's log: tests read it for tracebacks."""
    return tmp_path_factory.mktemp("streamlit") / "server.log"


@pytest.fixture(scope="session")
def app_url(server_log: Path) -> Iterator[str]:
    """Base URL (no trailing slash) of a Streamlit server running app.py from the repo root."""
    with serve_app(server_log) as url:
        yield url


@pytest.fixture
def fresh_app_url(tmp_path: Path) -> Iterator[str]:
    """Like app_url, but a server of its own that no test has talked to yet."""
    with serve_app(tmp_path / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's /usr/bin/chromium) via Playwright's sync API."""
    if not os.path.exists(CHROMIUM_PATH):
        pytest.fail(
            f"{CHROMIUM_PATH} not found: browser tests need Debian's Chromium. "
            "Install it once with: apt-get update && apt-get install -y chromium"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(f"playwright is not installed ({exc}): pip install -r requirements-dev.txt")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A new page in a fresh browser context (viewport 1400x1000)."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    track_runs(pg)
    try:
        yield pg
    finally:
        context.close()
