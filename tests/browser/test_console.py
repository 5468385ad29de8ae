"""The console's outbox, trigger log and token inspector in a real browser: Debian's Chromium
driven by Playwright (nothing is downloaded), against an emulator whose config file declares
the custom-auth test handler (tests/lambdas/custom_auth_py.py) and a user-migration one
(tests/lambdas/triggers_py.py).

A user whose `name` attribute is `<script>alert(1)</script>` runs through every page: it
must show as text and never run (a dialog would fail the test). A forged form on another
site (served by Playwright as http://evil.example) posting to the console is refused."""
import base64
import json
import re
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import make_client
from tests.support.factories import PASSWORD, create_user, delete_pool, unique_name
from tests.support.server import ROOT, RunningServer

LAMBDAS = ROOT / "tests" / "lambdas"
SCRIPT = "<script>alert(1)</script>"
pytestmark = pytest.mark.usefixtures("no_dialogs")  # a stored value never runs
DEFINE, CREATE, VERIFY = ("DefineAuthChallenge_Authentication",
                          "CreateAuthChallenge_Authentication",
                          "VerifyAuthChallengeResponse_Authentication")


def arn(function: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{function}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = tmp_path_factory.mktemp("console-config") / "emulator.json"
    config.write_text(json.dumps({"functions": {
        "custom-auth": f"{LAMBDAS / 'custom_auth_py.py'}:handler",
        "migrate": f"{LAMBDAS / 'triggers_py.py'}:migrate_user"}}))
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)]) \
            as running:
        yield running


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.url)


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
        client.post("/_emulator/clock", json={"reset": True})


@pytest.fixture
def app(idp):
    """A pool with the three challenge triggers and user migration, a client for custom auth
    and passwords, and a user whose name attribute is markup."""
    pool_id = idp.create_user_pool(PoolName=unique_name("console"), LambdaConfig={
        "DefineAuthChallenge": arn("custom-auth"), "CreateAuthChallenge": arn("custom-auth"),
        "VerifyAuthChallengeResponse": arn("custom-auth"), "UserMigration": arn("migrate")},
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Your code",
            "EmailMessage": "<html><body><h1 id='greeting'>Welcome!</h1><p>Your code is "
                            "<b>{####}</b>. <a href='https://app.example/confirm'>Confirm"
                            "</a></p></body></html>"},
        AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=[
            "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    name = create_user(idp, pool_id, unique_name("eve"),
                       attributes=[{"Name": "name", "Value": SCRIPT}])
    yield pool_id, client_id, name
    delete_pool(idp, pool_id)


def custom_sign_in(idp, client_id, name) -> dict:
    """Two CUSTOM_CHALLENGE rounds (the handler's default scenario), then tokens."""
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": name})
    for answer in ("answer-1", "answer-2"):
        step = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": name, "ANSWER": answer})
    return step["AuthenticationResult"]


def console_url(server, path: str, **query) -> str:
    return f"{server.url}/_emulator/{path}" + (f"?{urlencode(query)}" if query else "")


def json_of(locator) -> dict:
    return json.loads(locator.inner_text())


def test_custom_auth_loop_reads_step_by_step(server, idp, app, page):
    pool_id, client_id, name = app
    custom_sign_in(idp, client_id, name)

    page.goto(console_url(server, "triggers", pool=pool_id, order="oldest"))
    assert page.locator("h1").inner_text() == "Trigger log"
    calls = page.locator("section.call")
    sources = [calls.nth(i).get_attribute("data-source") for i in range(calls.count())]
    assert sources == [DEFINE, CREATE, VERIFY, DEFINE, CREATE, VERIFY, DEFINE]

    # Define, Create, Verify, Define: each with the event it was sent and what it answered.
    first_define, create, verify, second_define = (calls.nth(i) for i in range(4))
    event = json_of(first_define.locator("pre.event"))
    assert event["triggerSource"] == DEFINE
    assert event["userName"] == name
    assert event["request"]["session"] == []
    assert json_of(first_define.locator("pre.response"))["response"]["challengeName"] == \
        "CUSTOM_CHALLENGE"
    assert json_of(create.locator("pre.response"))["response"]["privateChallengeParameters"] \
        == {"answer": "answer-1"}
    verify_event = json_of(verify.locator("pre.event"))
    assert verify_event["request"]["challengeAnswer"] == "answer-1"
    assert json_of(verify.locator("pre.response"))["response"]["answerCorrect"] is True
    session = json_of(second_define.locator("pre.event"))["request"]["session"]
    assert [(s["challengeName"], s["challengeResult"]) for s in session] == \
        [("CUSTOM_CHALLENGE", True)]
    last = json_of(calls.nth(6).locator("pre.response"))["response"]
    assert last["issueTokens"] is True
    for i in range(7):
        assert calls.nth(i).get_attribute("data-outcome") == "ok"
        assert re.fullmatch(r"[\d.]+ ms", calls.nth(i).locator(".duration").inner_text())

    # The user's markup attribute is text inside the event JSON.
    attributes = verify_event["request"]["userAttributes"]
    assert attributes["name"] == SCRIPT
    assert page.locator("main script").count() == 0

    # Newest first by default; the filter form narrows to one trigger source.
    page.goto(console_url(server, "triggers", pool=pool_id))
    assert page.locator("section.call").first.get_attribute("data-source") == DEFINE
    page.get_by_label("Trigger source").select_option(VERIFY)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**source=*")
    assert page.locator("section.call").count() == 2
    assert page.locator(f"section.call[data-source='{VERIFY}']").count() == 2


def test_failing_triggers_are_logged_and_passwords_masked(server, idp, app, page):
    pool_id, client_id, _ = app
    # Verify raises: the call fails and rolls back, the invocation still shows.
    thrower = create_user(idp, pool_id, unique_name("verifythrows-x"))
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": thrower})
    with pytest.raises(idp.exceptions.UserLambdaValidationException):
        idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE",
                                      Session=step["Session"],
                                      ChallengeResponses={"USERNAME": thrower, "ANSWER": "x"})
    # A migration sign-in the function refuses: the password it was sent is masked.
    legacy = unique_name("legacy")
    with pytest.raises(idp.exceptions.UserLambdaValidationException):
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": legacy, "PASSWORD": "Secret-Legacy-1"})

    page.goto(console_url(server, "triggers", pool=pool_id, user=thrower))
    failed = page.locator(f"section.call[data-source='{VERIFY}']")
    assert failed.get_attribute("data-outcome") == "error"
    assert failed.locator(".outcome").inner_text() == "UserLambdaValidationException"
    assert "answer check exploded" in failed.locator(".error-message").inner_text()

    page.goto(console_url(server, "triggers", pool=pool_id, user=legacy))
    migration = page.locator("section.call[data-source='UserMigration_Authentication']")
    assert migration.get_attribute("data-outcome") == "error"
    assert json_of(migration.locator("pre.event"))["request"]["password"] == "********"
    assert "Secret-Legacy-1" not in page.content()


def test_outbox_shows_mail_as_received(server, idp, app, http, page):
    pool_id, client_id, _ = app
    name = unique_name("signup")
    idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                {"Name": "name", "Value": SCRIPT}])
    sent = http.get("/_emulator/messages", params={"poolId": pool_id}).json()
    code = [m for m in sent["messages"] if m["username"] == name][0]["code"]

    page.goto(console_url(server, "outbox", pool=pool_id, user=name))
    entry = page.locator("section.message-entry").first
    assert entry.locator("h2").inner_text() == "Your code"
    assert entry.locator("dd.to").inner_text() == f"{name}@example.com (EMAIL)"
    frame = entry.locator("iframe.mail")
    assert frame.get_attribute("sandbox") == ""          # no scripts, no same origin
    inside = entry.frame_locator("iframe.mail")
    assert inside.locator("#greeting").inner_text() == "Welcome!"
    assert inside.locator("b").inner_text() == code
    assert entry.get_by_label("Code").input_value() == code
    assert entry.get_by_label("Link 1").input_value() == "https://app.example/confirm"
    assert f"Your code is {code}" in entry.locator("pre.text-body").inner_text()
    assert entry.locator(".delivery").count() == 0       # no --smtp-url: outbox only

    # Per pool, newest first; the filter form keeps the pool.
    idp.resend_confirmation_code(ClientId=client_id, Username=name)
    page.goto(console_url(server, "outbox", pool=pool_id))
    entries = page.locator("section.message-entry")
    assert entries.count() == 2
    newest = [m for m in http.get("/_emulator/messages", params={"poolId": pool_id}
                                  ).json()["messages"] if m["username"] == name][-1]
    assert entries.first.get_by_label("Code").input_value() == newest["code"]


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def inspect(page, server, token: str):
    page.goto(console_url(server, "tokens"))
    page.get_by_label("Token (ID, access or refresh)").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Inspect").click()
    shown = {what: page.locator(f"#{what}") for what in ("signature", "expiry", "revocation")}
    return {what: found.get_attribute("data-ok") if found.count() else None
            for what, found in shown.items()}


def test_token_inspector(server, idp, app, http, page):
    pool_id, client_id, name = app
    tokens = custom_sign_in(idp, client_id, name)

    assert inspect(page, server, tokens["IdToken"]) == \
        {"signature": "true", "expiry": "true", "revocation": "true"}
    assert page.locator("dd.kind").inner_text() == "ID token"
    claims = json_of(page.locator("pre.claims"))
    assert claims["name"] == SCRIPT and claims["cognito:username"] == name
    assert page.locator("main script").count() == 0
    assert "the pool's ID token key" in page.locator("#signature").inner_text()

    tampered = inspect(page, server, _tampered(tokens["AccessToken"]))
    assert tampered["signature"] == "false"
    assert json_of(page.locator("pre.claims"))["username"] == "admin"   # shown, not trusted

    assert inspect(page, server, "not-a-token") == {"signature": None, "expiry": None,
                                                    "revocation": None}
    assert page.locator("#error").inner_text().startswith("Not a token:")

    assert inspect(page, server, tokens["RefreshToken"]) == \
        {"signature": "true", "expiry": "true", "revocation": "true"}
    assert page.locator("dd.user").inner_text() == name

    http.post("/_emulator/clock", json={"advance": 2 * 3600})
    expired = inspect(page, server, tokens["AccessToken"])
    assert expired == {"signature": "true", "expiry": "false", "revocation": "true"}
    assert "ago, by the emulator clock" in page.locator("#expiry").inner_text()
    http.post("/_emulator/clock", json={"reset": True})

    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    assert inspect(page, server, tokens["AccessToken"]) == \
        {"signature": "true", "expiry": "true", "revocation": "false"}
    assert inspect(page, server, tokens["RefreshToken"])["revocation"] == "false"


def test_forged_cross_site_post_is_refused(server, idp, app, page):
    pool_id, client_id, name = app
    target = console_url(server, "events/feedback")
    forged = (f'<!DOCTYPE html><title>Win a prize</title><form method="post" action="{target}">'
              f'<input name="pool" value="{pool_id}"><input name="user" value="{name}">'
              '<input name="event" value="x"><input name="value" value="Invalid">'
              '<input name="_csrf" value="guessed"><button>Claim</button></form>')
    page.route("http://evil.example/**",
               lambda route: route.fulfill(body=forged, content_type="text/html"))
    page.goto("http://evil.example/prize")
    with page.expect_navigation():
        page.get_by_role("button", name="Claim").click()
    assert page.url.startswith(target)
    assert page.locator("#error").inner_text() == \
        "Form posts from other sites are refused (Sec-Fetch-Site: cross-site)."

    # The console's own form (same origin, its CSRF token) gets through the guard.
    assert inspect(page, server, "x.y")["signature"] is None
    assert page.locator("#error").inner_text().startswith("Not a token:")
