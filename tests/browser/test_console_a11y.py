"""The console with a keyboard, a screen reader's view and no JavaScript (issue #23, item 7),
in Chromium (Playwright, Debian's /usr/bin/chromium).

Every console page: the banner, navigation and main landmarks, one h1 and no skipped heading
level, every form control named (read from Chromium's accessibility tree through aria
snapshots), every table header with a scope, a skip link first in the tab order and a visible
focus ring, no script. Then a keyboard-only walk - Tab and Enter only - through the user
search and an admin action, and the same search and action with JavaScript turned off."""
import re
from urllib.parse import urlencode

import pytest

from tests.support.factories import RISK_PASSWORD, create_user, unique_name
from tests.support.risk_console import LONDON, audited_pool, sign_in

# A form control in an aria snapshot with no accessible name: `- textbox` alone.
UNNAMED = re.compile(r"^\s*- (textbox|searchbox|combobox|spinbutton|checkbox|radio|button"
                     r"|listbox)\s*(\[[^\]]*\])?\s*:?\s*$", re.M)


@pytest.fixture
def audited(cognito, new_pool, clock):
    return audited_pool(cognito, new_pool, clock)


@pytest.fixture
def site(cognito, audited):
    """A pool with a user who signed in once (an auth event) and one who is to be acted on."""
    pool_id, client_id = audited
    ana = create_user(cognito, pool_id, unique_name("ana"), password=RISK_PASSWORD,
                      attributes=[{"Name": "email", "Value": "ana@team.example"}])
    sign_in(cognito, pool_id, client_id, ana, LONDON, "home-laptop")
    zed = create_user(cognito, pool_id, unique_name("zed"),
                      attributes=[{"Name": "email", "Value": unique_name("zed") + "@z.example"}])
    return pool_id, ana, zed


def pages(endpoint, pool_id, name):
    def at(path, **query):
        return f"{endpoint}/_emulator/{path}" + (f"?{urlencode(query)}" if query else "")
    return [at(""), at("pool", pool=pool_id), at("users", pool=pool_id),
            at("user", pool=pool_id, user=name),
            at("user/action", pool=pool_id, user=name, action="disable"),
            at("events", pool=pool_id, user=name), at("outbox", pool=pool_id),
            at("triggers", pool=pool_id), at("tokens")]


def test_every_page_reads_well_without_sight(endpoint, site, page):
    pool_id, ana, _ = site
    for url in pages(endpoint, pool_id, ana):
        assert page.goto(url).status == 200, url
        assert page.get_by_role("banner").count() == 1, url
        assert page.get_by_role("navigation", name="Console pages").count() == 1, url
        assert page.get_by_role("main").count() == 1, url
        assert page.get_by_role("heading", level=1).count() == 1, url
        levels = [int(tag[1]) for tag in page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "all => all.map(h => h.tagName)")]
        assert levels[0] == 1, url
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{url}: h{before} then h{after}"
        tree = page.locator("body").aria_snapshot()
        assert not UNNAMED.findall(tree), f"{url}: unnamed controls in\n{tree}"
        assert page.locator("th:not([scope])").count() == 0, url
        assert page.locator("script").count() == 0, url
        # The skip link comes first, and the focus shows.
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        assert focused.inner_text() == "Skip to content", url
        assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid", url

    # Charts are images with a name and a description, beside a table.
    page.goto(pages(endpoint, pool_id, ana)[1])
    chart = page.get_by_role("img", name="Sign-ins by risk level")
    assert chart.count() == 1
    assert chart.locator("desc").text_content().startswith("1 events in 1 bucket(s)")
    assert page.get_by_role("table", name="Sign-ins by risk level (per minute, UTC)").count() == 1
    page.goto(pages(endpoint, pool_id, ana)[2])
    tree = page.get_by_role("search", name="Search users").aria_snapshot()
    assert 'textbox "Filter (ListUsers syntax)"' in tree
    assert 'spinbutton "Users per page"' in tree
    assert 'button "Search"' in tree


def tab_to(page, accessible: str, limit: int = 60):
    """Press Tab until the focused element (a link or a button) reads `accessible`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and focused.inner_text() == accessible:
            return focused
    raise AssertionError(f"{accessible!r} never got the focus")


def test_keyboard_only_search_and_admin_action(cognito, endpoint, site, page):
    pool_id, _, zed = site
    page.goto(f"{endpoint}/_emulator/users?{urlencode({'pool': pool_id})}")
    page.keyboard.press("Tab")                  # the skip link
    page.keyboard.press("Enter")                # ... to the content
    page.keyboard.press("Tab")
    assert page.locator(":focus").get_attribute("id") == "f-filter"
    page.keyboard.type(f'username ^= "{zed[:8]}"')
    page.keyboard.press("Enter")                # submits the search form
    page.wait_for_url("**filter=*")
    assert page.locator("table#users tbody tr").count() == 1
    tab_to(page, zed)
    page.keyboard.press("Enter")
    page.wait_for_url("**/_emulator/user?*")
    tab_to(page, "Disable user")
    page.keyboard.press("Enter")
    page.wait_for_url("**/_emulator/user/action?*")
    tab_to(page, "Yes: disable user")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#enabled").inner_text() == "Disabled"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=zed)["Enabled"] is False


def test_works_with_javascript_off(chromium, cognito, endpoint, site):
    pool_id, _, zed = site
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{endpoint}/_emulator/users?{urlencode({'pool': pool_id})}")
        page.get_by_label("Filter (ListUsers syntax)").fill('email ^= "zed-"')
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**filter=*")
        page.get_by_role("link", name=zed).click()
        page.wait_for_url("**/_emulator/user?*")
        page.get_by_role("link", name="Sign out everywhere").click()
        page.wait_for_url("**/_emulator/user/action?*")
        with page.expect_navigation():
            page.get_by_role("button", name="Yes: sign out everywhere").click()
        assert page.locator("#message").inner_text() == \
            "Signed out everywhere (AdminUserGlobalSignOut)."
        page.get_by_role("link", name="Disable user").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Yes: disable user").click()
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=zed)["Enabled"] is False
    finally:
        context.close()
