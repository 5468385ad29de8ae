"""The console's pool, users and user pages and its admin actions, in Chromium (Playwright,
Debian's /usr/bin/chromium; nothing is downloaded), against the session's emulator.

Search is ListUsers' filter syntax, over the same index scan; each admin action goes through
its confirmation page, then AdminGetUser (boto3) must say what the action did; a forged
cross-site post of an action is refused and changes nothing; an attribute holding
`<script>` shows as text (a JavaScript dialog fails the test)."""
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import PASSWORD, create_user, password_sign_in, unique_name

SCRIPT = "<script>alert(1)</script>"
pytestmark = pytest.mark.usefixtures("no_dialogs")  # a stored value never runs


@pytest.fixture
def people(cognito, new_pool):
    """A pool with a client, a Lambda-free config and five users: three ana-* at
    team.example (one holding markup in `name`), two others."""
    pool_id = new_pool(PoolName=unique_name("people"), AutoVerifiedAttributes=["email"])["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    tag = unique_name("t")
    names = {}
    for who, email in (("ana1", f"ana.one.{tag}@team.example"),
                       ("ana2", f"ana.two.{tag}@team.example"),
                       ("ana3", f"ana.three.{tag}@team.example"),
                       ("bob", f"bob.{tag}@team.example"), ("cy", f"cy.{tag}@else.example")):
        attributes = [{"Name": "email", "Value": email},
                      {"Name": "email_verified", "Value": "true"}]
        if who == "ana1":
            attributes.append({"Name": "name", "Value": SCRIPT})
        names[who] = create_user(cognito, pool_id, unique_name(who), attributes=attributes)
    return pool_id, client_id, tag, names


def url(endpoint, path, **query):
    return f"{endpoint}/_emulator/{path}" + (f"?{urlencode(query)}" if query else "")


def listed(page) -> list[str]:
    rows = page.locator("table#users tbody tr.user")
    return [rows.nth(i).get_attribute("data-username") for i in range(rows.count())]


def test_pool_at_a_glance(cognito, endpoint, people, page):
    pool_id, client_id, _, _ = people
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    page.goto(url(endpoint, "pool", pool=pool_id))
    assert page.locator("h1").inner_text().startswith("User pool: people")
    sign_in = page.locator("section[aria-labelledby=sign-in] dl")
    assert "Auto-verified\nemail" in sign_in.inner_text()
    assert "MFA\nOPTIONAL" in page.locator("section[aria-labelledby=mfa]").inner_text()
    assert "authenticator app (TOTP)" in page.locator("section[aria-labelledby=mfa]").inner_text()
    clients = page.locator("table#clients tbody tr")
    assert clients.count() == 1
    assert clients.first.locator("th").inner_text() == "web-app"
    assert client_id in clients.first.inner_text()
    assert "ALLOW_USER_PASSWORD_AUTH" in clients.first.inner_text()
    assert page.locator("#no-triggers").inner_text() == "No Lambda triggers."
    page.get_by_role("link", name="Users of this pool").click()
    page.wait_for_url("**/_emulator/users?*")
    assert len(listed(page)) == 5


def test_search_by_prefix_and_pagination(endpoint, people, page):
    pool_id, _, tag, names = people
    page.goto(url(endpoint, "users", pool=pool_id))
    page.get_by_label("Filter (ListUsers syntax)").fill('email ^= "ana."')
    page.get_by_label("Users per page").fill("2")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**filter=*")
    # ^= is a range scan of the email index: (value, key) order, two a page.
    first = listed(page)
    assert len(first) == 2
    page.locator("#next-page").click()
    page.wait_for_url("**after=*")
    second = listed(page)
    assert len(second) == 1 and page.locator("#next-page").count() == 0
    assert sorted(first + second) == sorted([names["ana1"], names["ana2"], names["ana3"]])
    assert page.get_by_label("Filter (ListUsers syntax)").input_value() == 'email ^= "ana."'
    page.locator("#first-page").click()
    page.wait_for_url(lambda u: "after=" not in u)
    assert listed(page) == first

    # An exact match, and a filter ListUsers refuses (its own message, a 400).
    page.goto(url(endpoint, "users", pool=pool_id, filter=f'email = "bob.{tag}@team.example"'))
    assert listed(page) == [names["bob"]]
    answer = page.goto(url(endpoint, "users", pool=pool_id, filter='shoe_size = "9"'))
    assert answer.status == 400
    assert page.locator("#error").inner_text() == \
        "InvalidParameterException: Invalid search attribute: shoe_size"


def test_user_page_shows_markup_as_text(cognito, endpoint, people, page):
    pool_id, _, _, names = people
    cognito.create_group(UserPoolId=pool_id, GroupName="<b>staff</b>", Precedence=3)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=names["ana1"],
                                    GroupName="<b>staff</b>")
    page.goto(url(endpoint, "users", pool=pool_id, filter='name = "<script>alert(1)</script>"'))
    page.get_by_role("link", name=names["ana1"]).click()
    page.wait_for_url("**/_emulator/user?*")
    assert page.locator("h1").inner_text() == f"User: {names['ana1']}"
    row = page.locator("table#attributes tr", has=page.locator("th", has_text="name"))
    assert row.filter(has_text=SCRIPT).locator("td").inner_text() == SCRIPT
    assert page.locator("table#groups tbody th").inner_text() == "<b>staff</b>"
    assert page.locator("main script, main b").count() == 0
    assert page.locator("#status").inner_text() == "CONFIRMED"
    assert page.locator("#no-passkeys").count() == 1
    assert page.locator("#no-devices").count() == 1


def admin_action(page, endpoint, pool_id, name, button):
    """From the user page: the action's link, its confirmation page, the POST, back."""
    page.goto(url(endpoint, "user", pool=pool_id, user=name))
    page.locator("#admin-actions").locator("..").get_by_role("link", name=button).click()
    page.wait_for_url("**/_emulator/user/action?*")
    assert page.locator("h1").inner_text() == f"{button}: {name}?"
    with page.expect_navigation():
        page.get_by_role("button", name=f"Yes: {button.lower()}").click()


def test_admin_actions_change_what_the_api_says(cognito, endpoint, people, page):
    pool_id, client_id, tag, names = people
    name = names["bob"]
    get = lambda: cognito.admin_get_user(UserPoolId=pool_id, Username=name)  # noqa: E731

    admin_action(page, endpoint, pool_id, name, "Disable user")
    assert page.locator("#message").inner_text() == "User disabled (AdminDisableUser)."
    assert page.locator("#enabled").inner_text() == "Disabled"
    assert get()["Enabled"] is False

    admin_action(page, endpoint, pool_id, name, "Enable user")
    assert get()["Enabled"] is True

    tokens = password_sign_in(cognito, client_id, name)["AuthenticationResult"]
    admin_action(page, endpoint, pool_id, name, "Sign out everywhere")
    with pytest.raises(ClientError) as signed_out:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert signed_out.value.response["Error"]["Code"] == "NotAuthorizedException"

    admin_action(page, endpoint, pool_id, name, "Reset password")
    assert get()["UserStatus"] == "RESET_REQUIRED"
    mail = page.request.get(f"{endpoint}/_emulator/messages",
                            params={"poolId": pool_id}).json()["messages"]
    assert [m["purpose"] for m in mail if m["username"] == name] == ["FORGOT_PASSWORD"]

    # An UNCONFIRMED user (signed up, no code) gets "Confirm sign-up".
    newcomer = unique_name("new")
    cognito.sign_up(ClientId=client_id, Username=newcomer, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{newcomer}@team.example"}])
    admin_action(page, endpoint, pool_id, newcomer, "Confirm sign-up")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=newcomer)["UserStatus"] == \
        "CONFIRMED"
    assert page.locator("a.action[data-action=confirm]").count() == 0    # not offered twice

    admin_action(page, endpoint, pool_id, newcomer, "Delete user")
    page.wait_for_url("**/_emulator/users?*")
    assert page.locator("#message").inner_text() == \
        f"User {newcomer} deleted (AdminDeleteUser)."
    with pytest.raises(ClientError) as gone:
        cognito.admin_get_user(UserPoolId=pool_id, Username=newcomer)
    assert gone.value.response["Error"]["Code"] == "UserNotFoundException"


def test_an_action_the_api_refuses_shows_its_error(endpoint, people, page):
    pool_id, _, _, names = people
    page.goto(url(endpoint, "user/action", pool=pool_id, user=names["cy"], action="confirm"))
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Yes: confirm sign-up").click()
    assert answer.value.status == 400
    assert page.locator("#error").inner_text() == \
        "NotAuthorizedException: User cannot be confirmed. Current status is CONFIRMED"


def test_forged_cross_site_action_is_refused(cognito, endpoint, people, page):
    pool_id, _, _, names = people
    target = url(endpoint, "user/action")
    forged = (f'<!DOCTYPE html><title>Prize</title><form method="post" action="{target}">'
              f'<input name="pool" value="{pool_id}"><input name="user" value="{names["cy"]}">'
              '<input name="action" value="delete"><input name="_csrf" value="guessed">'
              '<button>Claim</button></form>')
    page.route("http://evil.example/**",
               lambda route: route.fulfill(body=forged, content_type="text/html"))
    page.goto("http://evil.example/prize")
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Claim").click()
    assert answer.value.status == 403
    assert page.locator("#error").inner_text() == \
        "Form posts from other sites are refused (Sec-Fetch-Site: cross-site)."
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=names["cy"])["Enabled"] is True


def test_new_pages_are_behind_the_guard(http, people):
    """A Host that does not name this machine (DNS rebinding) is refused on every new page,
    as on the others (tests/api/test_console_guard.py covers the guard itself)."""
    pool_id, _, _, names = people
    query = {"pool": pool_id, "user": names["bob"], "action": "disable"}
    for path in ("pool", "users", "user", "user/action"):
        refused = http.get(f"/_emulator/{path}", params=query,
                           headers={"Host": "attacker.example"})
        assert refused.status_code == 403, path
        assert http.get(f"/_emulator/{path}", params=query).status_code == 200, path
    posted = http.post("/_emulator/user/action", data=query)      # no CSRF token
    assert posted.status_code == 403
    assert "CSRF" in posted.text
