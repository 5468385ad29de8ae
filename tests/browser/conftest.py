"""Chromium for the browser tests: Debian's package (/usr/bin/chromium, or $CHROMIUM) driven
by Playwright; nothing is downloaded. Without them every test here skips, which REQUIRE_ALL=1
(CI) turns into failures (tests/support/clients.py)."""
import pytest

from tests.support.clients import CHROMIUM, requires

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    needs_browser = requires("chromium", "playwright")
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(needs_browser)


@pytest.fixture(scope="module")
def chromium():
    from playwright import sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    context.set_default_timeout(20_000)
    made = context.new_page()
    yield made
    context.close()


@pytest.fixture
def no_dialogs(page):
    """Any JavaScript dialog the test's page opens (an alert from a stored value) fails it:
    `pytestmark = pytest.mark.usefixtures("no_dialogs")`."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield
    assert dialogs == []
