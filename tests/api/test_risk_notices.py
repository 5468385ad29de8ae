"""Adaptive-authentication notices through boto3 and the outbox: the NotifyConfiguration
template rendered with its placeholders when an automated response fires (block, MFA,
allow-with-notify) and the level's Notify is true; nothing in audit-only mode or without
Notify; Cognito-default texts (ours) for a missing template; the one-click links the emulator
serves and UpdateAuthEventFeedback with the notice's real FeedbackToken."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.api.test_risk_signin import (
    BLOCKED,
    LONDON,
    MILTON,
    PASSWORD,
    START,
    events,
    protected_pool,
    sign_in,
)
from tests.support import totp
from tests.support.factories import attribute_list, create_user, error, unique_name

PURPOSE = "ACCOUNT_TAKEOVER_NOTIFICATION"
SOURCE = "arn:aws:ses:us-east-1:000000000000:identity/security@example.com"
EVERYTHING = ("user={username} ip={ip-address} city={city} country={country} "
              "time={login-time} device={device-name} valid={one-click-link-valid} "
              "invalid={one-click-link-invalid} event={event-id} token={feedback-token}")
LINK = re.compile(r"(http://\S+/_emulator/risk/feedback\?\S+)")


def notify_configuration(**templates) -> dict:
    return {"SourceArn": SOURCE, "From": "security@example.com",
            "ReplyTo": "help@example.com", **templates}


@pytest.fixture
def notifying(cognito, new_pool, clock):
    """notifying(mode, high=(action, notify), medium=..., notify=NotifyConfiguration,
    software=) -> (pool id, client id) with the clock pinned at START."""
    def make(mode="ENFORCED", *, notify=None, software=False, **levels):
        pool_id, client_id = protected_pool(cognito, new_pool, clock, mode, software=software)
        actions = {f"{name.capitalize()}Action": {"EventAction": action, "Notify": flag}
                   for name, (action, flag) in levels.items()}
        cognito.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration={
            "NotifyConfiguration": notify or notify_configuration(
                BlockEmail={"Subject": "Blocked {username}", "TextBody": EVERYTHING,
                            "HtmlBody": "<p>device <b>{device-name}</b> {ip-address}</p>"}),
            "Actions": actions})
        return pool_id, client_id
    return make


def user_with_email(cognito, pool_id, verified=False) -> str:
    name = unique_name("u")
    return create_user(cognito, pool_id, name, password=PASSWORD, attributes=attribute_list(
        email=f"{name}@example.com", email_verified=verified))


def abroad_after_home(cognito, clock, pool_id, client_id, name, device="stranger-phone"):
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(3600)
    return lambda: sign_in(cognito, pool_id, client_id, name, MILTON, device)


def fields_of(text: str) -> dict:
    return dict(part.split("=", 1) for part in text.split(" ") if "=" in part)


def link_query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_block_notice_renders_every_placeholder(cognito, notifying, clock, outbox, endpoint):
    pool_id, client_id = notifying(high=("BLOCK", True))
    name = user_with_email(cognito, pool_id)          # unverified: the notice goes anyway
    abroad = abroad_after_home(cognito, clock, pool_id, client_id, name)
    assert outbox(poolId=pool_id, purpose=PURPOSE) == []     # no risk, no notice
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED
    (notice,) = outbox(poolId=pool_id, purpose=PURPOSE)
    event = events(cognito, pool_id, name)[0]
    assert notice["destination"] == f"{name}@example.com"
    assert notice["medium"] == "EMAIL" and notice["username"] == name
    assert notice["subject"] == f"Blocked {name}"
    assert (notice["from"], notice["replyTo"], notice["sourceArn"]) == \
        ("security@example.com", "help@example.com", SOURCE)
    assert notice["template"] == "BlockEmail"
    got = fields_of(notice["message"])
    assert got["user"] == name and got["ip"] == MILTON
    assert got["city"] == "Milton" and got["country"] == "US"
    assert got["time"] == "2026-05-28"          # "%Y-%m-%d %H:%M:%S UTC" split on spaces
    assert "21:26:40 UTC" in notice["message"]  # START + 1 h
    assert got["device"] == "Firefox"           # "Firefox 128, Linux"
    assert got["event"] == event["EventId"]
    assert len(got["token"]) >= 32
    for kind in ("valid", "invalid"):
        query = link_query(got[kind])
        assert got[kind].startswith(endpoint + "/_emulator/risk/feedback?")
        assert query == {"pool": pool_id, "username": name, "event": event["EventId"],
                         "token": got["token"], "value": kind.capitalize()}
    assert notice["htmlBody"] == \
        f"<p>device <b>{html.escape('Firefox 128, Linux')}</b> {MILTON}</p>"


def test_feedback_with_the_notices_token_teaches_the_engine(cognito, notifying, clock, outbox):
    pool_id, client_id = notifying(high=("BLOCK", True), medium=("BLOCK", True))
    name = user_with_email(cognito, pool_id)
    abroad = abroad_after_home(cognito, clock, pool_id, client_id, name)
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED
    (notice,) = outbox(poolId=pool_id, purpose=PURPOSE)
    got = fields_of(notice["message"])
    # a token of another event, or a forged one, is refused
    with pytest.raises(ClientError) as exc:
        cognito.update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                           EventId=events(cognito, pool_id, name)[1]["EventId"],
                                           FeedbackToken=got["token"], FeedbackValue="Valid")
    assert error(exc) == ("NotAuthorizedException", "Invalid feedback token.")
    cognito.update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                       EventId=got["event"], FeedbackToken=got["token"],
                                       FeedbackValue="Valid")
    marked = events(cognito, pool_id, name)[0]
    assert marked["EventId"] == got["event"]
    assert marked["EventFeedback"]["FeedbackValue"] == "Valid"
    assert marked["EventFeedback"]["Provider"] == "Cognito"
    assert marked["EventFeedback"]["FeedbackDate"].timestamp() == pytest.approx(START + 3600)
    clock.advance(600)
    assert "AuthenticationResult" in abroad()        # the place and device are known now
    assert events(cognito, pool_id, name)[0]["EventRisk"]["RiskDecision"] == "NoRisk"
    assert len(outbox(poolId=pool_id, purpose=PURPOSE)) == 1


def test_one_click_links_mark_the_event(cognito, notifying, clock, outbox, http):
    pool_id, client_id = notifying(high=("BLOCK", True))
    name = user_with_email(cognito, pool_id)
    abroad = abroad_after_home(cognito, clock, pool_id, client_id, name)
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED
    got = fields_of(outbox(poolId=pool_id, purpose=PURPOSE)[0]["message"])
    forged = got["invalid"].replace(got["token"], "forged-token")
    page = http.get(forged)
    assert page.status_code == 400
    assert "Invalid feedback token." in page.text
    assert "EventFeedback" not in events(cognito, pool_id, name)[0]
    page = http.get(got["invalid"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "this sign-in was not you" in page.text
    marked = events(cognito, pool_id, name)[0]
    assert marked["EventFeedback"]["FeedbackValue"] == "Invalid"
    page = http.get(got["valid"])          # changing one's mind is allowed
    assert page.status_code == 200 and "this sign-in was you" in page.text
    assert events(cognito, pool_id, name)[0]["EventFeedback"]["FeedbackValue"] == "Valid"
    incomplete = http.get("/_emulator/risk/feedback", params={"pool": pool_id})
    assert incomplete.status_code == 400


def test_invalid_link_feedback_raises_later_scores(cognito, notifying, clock, outbox, http):
    pool_id, client_id = notifying(high=("NO_ACTION", True), medium=("NO_ACTION", True),
                                   low=("NO_ACTION", True),
                                   notify=notify_configuration())  # no templates: defaults
    name = user_with_email(cognito, pool_id)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(60)
    sign_in(cognito, pool_id, client_id, name, LONDON, "new-tablet")      # LOW, notified
    (notice,) = outbox(poolId=pool_id, purpose=PURPOSE)
    assert notice["template"] == "NoActionEmail"
    assert notice["subject"] == "New sign-in to your account"
    invalid = LINK.findall(notice["message"])[1]
    assert http.get(invalid).status_code == 200
    clock.advance(60)
    sign_in(cognito, pool_id, client_id, name, LONDON, "new-tablet")
    latest = events(cognito, pool_id, name)[0]
    assert latest["EventRisk"]["RiskLevel"] in ("Medium", "High")


def test_default_texts_when_a_template_is_missing(cognito, notifying, clock, outbox):
    pool_id, client_id = notifying(high=("NO_ACTION", True),
                                   notify=notify_configuration(BlockEmail={
                                       "Subject": "only for blocks", "TextBody": "blocked!"}))
    name = user_with_email(cognito, pool_id, verified=True)
    abroad = abroad_after_home(cognito, clock, pool_id, client_id, name)
    assert "AuthenticationResult" in abroad()          # allowed, with a notice
    (notice,) = outbox(poolId=pool_id, purpose=PURPOSE)
    assert notice["template"] == "NoActionEmail"
    assert notice["subject"] == "New sign-in to your account"
    assert f"({name})" in notice["message"] and "Location: Milton, US" in notice["message"]
    assert "IP address: 216.160.83.56" in notice["message"]
    assert len(LINK.findall(notice["message"])) == 2
    assert "<li>Device: Firefox 128, Linux</li>" in notice["htmlBody"]


def test_mfa_notice(cognito, notifying, clock, outbox):
    pool_id, client_id = notifying(software=True, high=("MFA_REQUIRED", True), notify=(
        notify_configuration(MfaEmail={"Subject": "Code asked", "TextBody": "MFA for {event-id}"})))
    name = user_with_email(cognito, pool_id)
    token = sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")[
        "AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    cognito.verify_software_token(AccessToken=token, UserCode=totp.code(secret, clock.now()))
    clock.advance(3600)
    out = sign_in(cognito, pool_id, client_id, name, MILTON, "stranger-phone")
    assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    (notice,) = outbox(poolId=pool_id, purpose=PURPOSE)
    assert notice["subject"] == "Code asked"
    assert notice["message"] == f"MFA for {events(cognito, pool_id, name)[0]['EventId']}"
    assert notice["template"] == "MfaEmail"


@pytest.mark.parametrize("case", ["audit", "no-notify", "no-email"])
def test_no_notice(cognito, notifying, clock, outbox, case):
    pool_id, client_id = notifying("AUDIT" if case == "audit" else "ENFORCED",
                                   high=("BLOCK", case != "no-notify"))
    if case == "no-email":
        name = create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)
    else:
        name = user_with_email(cognito, pool_id)
    abroad = abroad_after_home(cognito, clock, pool_id, client_id, name)
    if case == "audit":
        assert "AuthenticationResult" in abroad()
    else:
        with pytest.raises(ClientError) as exc:
            abroad()
        assert error(exc) == BLOCKED
    assert outbox(poolId=pool_id, purpose=PURPOSE) == []
    assert events(cognito, pool_id, name)[0]["EventRisk"]["RiskLevel"] == "High"


def test_feedback_link_needs_the_add_on(cognito, new_pool, http):
    pool_id = new_pool(UserPoolTier="PLUS")["Id"]
    name = create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)
    page = http.get("/_emulator/risk/feedback", params={
        "pool": pool_id, "username": name, "event": "e1", "token": "t", "value": "Valid"})
    assert page.status_code == 400
    assert "not enabled" in page.text
