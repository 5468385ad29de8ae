"""The threat-protection console (GET /_emulator/, /_emulator/events) in a real browser:
Debian's Chromium driven by Playwright (nothing is downloaded).

A user signs in through boto3 at home (London), then an hour later from a new device in the
US, with threat protection in audit-only mode; the console shows both events with their
risk levels, the action audit-only took and the signals that fired; "invalid" on the risky
event goes through the same domain function as AdminUpdateAuthEventFeedback, so the API
reports it too. Places come from the emulator's built-in workshop geo table
(emulator/domain/risk_config.py)."""
from urllib.parse import urlencode

import pytest

from tests.support.factories import RISK_PASSWORD, create_user, unique_name
from tests.support.risk_console import (
    HIGH_BLOCKS,
    LONDON,
    MILTON,
    START,
    api_events,
    audited_pool,
    sign_in,
)


@pytest.fixture
def audited(cognito, new_pool, clock):
    return audited_pool(cognito, new_pool, clock)

def home_then_abroad(cognito, clock, pool_id, client_id, name, agent="Firefox 128, Linux"):
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop", agent)
    clock.advance(3600)
    out = sign_in(cognito, pool_id, client_id, name, MILTON, "stranger-phone", agent)
    assert "AccessToken" in out["AuthenticationResult"]      # audit-only lets it through


def events_url(endpoint, pool_id, name):
    return f"{endpoint}/_emulator/events?{urlencode({'pool': pool_id, 'user': name})}"


def test_history_levels_signals_and_feedback_in_chromium(cognito, endpoint, audited, clock, page):
    pool_id, client_id = audited
    name = create_user(cognito, pool_id, unique_name("ana"), password=RISK_PASSWORD)
    home_then_abroad(cognito, clock, pool_id, client_id, name)
    risky, safe = api_events(cognito, pool_id, name)

    # The index lists the pool, its mode and the user; the user's link opens the history.
    page.goto(f"{endpoint}/_emulator/")
    section = page.locator(f"section.pool[data-pool-id='{pool_id}']")
    assert section.locator("[data-mode]").inner_text() == "AUDIT"
    section.get_by_role("link", name=name).click()
    page.wait_for_url("**/_emulator/events?*")
    assert page.locator("h1").inner_text() == f"Auth events: {name}"

    rows = page.locator("table#events tbody tr.event")
    assert rows.count() == 2
    top, bottom = rows.nth(0), rows.nth(1)          # newest first, as the API lists them
    assert top.get_attribute("data-event-id") == risky["EventId"]
    assert bottom.get_attribute("data-event-id") == safe["EventId"]

    assert top.locator("td.time").inner_text() == "2026-05-28\n21:26:40 UTC"
    assert top.locator("td.type").inner_text() == "SignIn"
    assert top.locator("td.level").inner_text() == "High"
    assert top.locator("td.decision").inner_text() == "AccountTakeover"
    assert top.locator("td.action .action").inner_text() == \
        "Allowed (audit only; would have been blocked)"
    assert top.locator("td.action .hint").inner_text() == "high risk: BLOCK"
    assert top.locator("td.response").inner_text().startswith("Pass")
    assert top.locator("td.compromised").inner_text() == "No"
    assert top.locator("td.ip").inner_text() == MILTON
    assert top.locator("td.location").inner_text() == "Milton, US"
    assert "Firefox 128, Linux" in top.locator("td.device").inner_text()
    fired = top.locator("li.signal")
    names = [fired.nth(i).get_attribute("data-signal") for i in range(fired.count())]
    assert names == ["NEW_DEVICE", "NEW_IP", "NEW_COUNTRY", "IMPOSSIBLE_TRAVEL"]
    travel = top.locator("li.signal[data-signal=IMPOSSIBLE_TRAVEL] .explanation").inner_text()
    assert "from London in 60 min" in travel
    assert "known: GB" in top.locator("li.signal[data-signal=NEW_COUNTRY]").inner_text()
    assert top.locator("td.signals .score").inner_text() == "score 100 / 100"
    assert top.locator("td.feedback").inner_text().startswith("none")

    assert bottom.locator("td.level").inner_text() == "No risk"
    assert bottom.locator("td.decision").inner_text() == "NoRisk"
    assert bottom.locator("td.action .action").inner_text() == "Allowed (audit only)"
    assert bottom.locator("td.action .hint").inner_text() == "no risk"
    assert bottom.locator("td.location").inner_text() == "London, GB"
    assert bottom.locator("td.signals").inner_text() == "none"

    # "invalid" on the risky event: the page says so, and so does the API.
    top.get_by_role("button", name="invalid").click()
    page.wait_for_url("**marked=*")
    assert page.locator("#message").inner_text() == f"Event {risky['EventId']} marked Invalid."
    marked = page.locator(f"tr.event[data-event-id='{risky['EventId']}'] td.feedback")
    assert marked.locator(".feedback-value").inner_text() == "Invalid"
    assert "by Admin, 2026-05-28 21:26:40 UTC" in marked.inner_text()
    latest = api_events(cognito, pool_id, name)[0]
    assert latest["EventId"] == risky["EventId"]
    assert latest["EventFeedback"]["FeedbackValue"] == "Invalid"
    assert latest["EventFeedback"]["Provider"] == "Admin"
    assert latest["EventFeedback"]["FeedbackDate"].timestamp() == pytest.approx(START + 3600)
    assert "EventFeedback" not in api_events(cognito, pool_id, name)[1]

    # Changing one's mind: "valid" replaces it.
    page.locator(f"tr.event[data-event-id='{risky['EventId']}'] button.valid").click()
    page.wait_for_url("**value=Valid*")
    assert page.locator(f"tr.event[data-event-id='{risky['EventId']}'] .feedback-value"
                        ).inner_text() == "Valid"
    assert api_events(cognito, pool_id, name)[0]["EventFeedback"]["FeedbackValue"] == "Valid"


def test_failed_and_blocked_events_show_their_outcome(cognito, endpoint, new_pool, clock, page):
    """Full-function: a wrong password is a Fail event; the trip abroad is blocked."""
    clock.pin(START)
    pool_id = new_pool(PoolName=unique_name("console"), UserPoolTier="PLUS",
                       UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    notifying = {**HIGH_BLOCKS, "Actions": {**HIGH_BLOCKS["Actions"],
                                            "HighAction": {"Notify": True, "EventAction": "BLOCK"}},
                 "NotifyConfiguration": {"SourceArn": "arn:aws:ses:us-east-1:000000000000:"
                                                      "identity/example.com"}}
    cognito.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=notifying)
    name = create_user(cognito, pool_id, unique_name("bo"), password=RISK_PASSWORD,
                       attributes=[{"Name": "email", "Value": "bo@example.com"}])
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(60)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop", password="Wrong1!x")
    clock.advance(3600)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, pool_id, client_id, name, MILTON, "stranger-phone")

    page.goto(events_url(endpoint, pool_id, name))
    rows = page.locator("tr.event")
    assert rows.count() == 3
    blocked, failed = rows.nth(0), rows.nth(1)
    assert blocked.locator("td.level").inner_text() == "High"
    assert blocked.locator("td.action .action").inner_text() == "Blocked"
    assert blocked.locator("td.action .hint").first.inner_text() == "high risk: BLOCK"
    assert blocked.locator("td.action .notified").inner_text() == \
        "Notified the user (BlockEmail)"
    assert blocked.locator("td.response").inner_text().startswith("Fail")
    assert failed.locator("td.response").inner_text() == "Fail\nPassword: Failure"
    assert failed.locator("td.action").inner_text() == "wrong password"
    assert page.locator("[data-mode]").inner_text() == "ENFORCED"


def test_stored_values_are_shown_as_text(cognito, endpoint, audited, clock, page):
    pool_id, client_id = audited
    name = create_user(cognito, pool_id, "<img/src=x/onerror=alert(1)>" + unique_name("x"),
                       password=RISK_PASSWORD)
    home_then_abroad(cognito, clock, pool_id, client_id, name,
                     agent="<script>document.title='owned'</script>")
    page.goto(events_url(endpoint, pool_id, name))
    assert page.locator("#username").inner_text() == name
    assert page.locator("img").count() == 0
    assert page.locator("td.device script").count() == 0
    assert "<script>document.title='owned'</script>" in page.locator("td.device").first.inner_text()
    assert page.title() == f"Auth events: {name}"
    page.goto(f"{endpoint}/_emulator/")
    assert page.locator(f"tr.user[data-username='{name}'] a").inner_text() == name


def test_older_events_on_the_next_page(cognito, endpoint, audited, clock, page):
    pool_id, client_id = audited
    name = create_user(cognito, pool_id, unique_name("di"), password=RISK_PASSWORD)
    for _ in range(61):
        sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
        clock.advance(60)
    first = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name)
    oldest = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name,
                                                 NextToken=first["NextToken"])["AuthEvents"][0]
    page.goto(events_url(endpoint, pool_id, name))
    assert page.locator("tr.event").count() == 60
    page.click("#older")
    assert page.locator("tr.event").count() == 1
    assert page.locator("tr.event").get_attribute("data-event-id") == oldest["EventId"]
    page.get_by_role("link", name="Newest events").click()
    assert page.locator("tr.event").count() == 60
