"""Threat protection beyond sign-in, through boto3: sign-up, forgotten password and password
change record SignUp / ForgotPassword / PasswordChange events in audit and full-function
mode, and a breached password is refused per CompromisedCredentialsRiskConfiguration
(EventFilter, Actions.EventAction); nothing is recorded with threat protection OFF.
Also: EventContextData.Timezone, the collector's stable DeviceId, and the hosted /login page
(driven with httpx like tests/api/test_oauth_endpoints.py)."""
import base64
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.api.test_oauth_endpoints import CALLBACK, Browser, authorize_params, code_of, error_text
from tests.api.test_risk_signin import BLOCKED, FLOWS, LONDON, PASSWORD, START, events, sign_in
from tests.support.factories import attribute_list, create_user, error, unique_name

BREACHED = "P@ssw0rd"          # in the bundled list, and good enough for the default policy
REFUSED = ("InvalidPasswordException", "Provided password cannot be used for security reasons.")
GOOD = "Fresh-Unlisted-9q"


def compromised(events_filter, action="BLOCK") -> dict:
    return {"EventFilter": events_filter, "Actions": {"EventAction": action}}


@pytest.fixture
def guarded(cognito, new_pool, clock):
    """guarded(mode, filter=[...], action=) -> (pool id, client id): a PLUS pool that
    verifies email, an app client for sign-up and password sign-in."""
    def make(mode="ENFORCED", *, events_filter=None, action="BLOCK", exceptions=None):
        clock.pin(START)
        pool_id = new_pool(UserPoolTier="PLUS", AutoVerifiedAttributes=["email"],
                           UserPoolAddOns={"AdvancedSecurityMode": mode})["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
        )["UserPoolClient"]["ClientId"]
        config = {}
        if events_filter is not None:
            config["CompromisedCredentialsRiskConfiguration"] = compromised(events_filter,
                                                                            action)
        if exceptions:
            config["RiskExceptionConfiguration"] = exceptions
        if config and mode != "OFF":
            cognito.set_risk_configuration(UserPoolId=pool_id, **config)
        return pool_id, client_id
    return make


def sign_up(cognito, client_id, name, password):
    return cognito.sign_up(ClientId=client_id, Username=name, Password=password,
                           UserAttributes=attribute_list(email=f"{name}@example.com"))


def confirmed_user(cognito, pool_id) -> str:
    name = unique_name("u")
    return create_user(cognito, pool_id, name, password=PASSWORD, attributes=attribute_list(
        email=f"{name}@example.com", email_verified=True))


def summary(found) -> list[tuple]:
    return [(e["EventType"], e["EventResponse"], e["EventRisk"]["CompromisedCredentialsDetected"])
            for e in found]


# --- sign-up -------------------------------------------------------------------------------

def test_sign_up_with_a_breached_password_is_refused(cognito, guarded):
    pool_id, client_id = guarded(events_filter=["SIGN_UP"])
    name = unique_name("u")
    with pytest.raises(ClientError) as exc:
        sign_up(cognito, client_id, name, BREACHED)
    assert error(exc) == REFUSED
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert error(exc)[0] == "UserNotFoundException"       # nothing left behind
    assert sign_up(cognito, client_id, name, GOOD)["UserConfirmed"] is False
    (event,) = events(cognito, pool_id, name)
    assert event["EventType"] == "SignUp" and event["EventResponse"] == "Pass"
    assert event["EventRisk"] == {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
    assert event["ChallengeResponses"] == []
    assert event["EventContextData"]["IpAddress"] == "127.0.0.1"


@pytest.mark.parametrize("mode, events_filter, action", [
    ("AUDIT", ["SIGN_UP"], "BLOCK"),          # audit-only never acts
    ("ENFORCED", ["SIGN_IN"], "BLOCK"),       # not filtered for sign-up
    ("ENFORCED", None, None),                 # no configuration: detected, not acted on
    ("ENFORCED", ["SIGN_UP"], "NO_ACTION"),
])
def test_sign_up_with_a_breached_password_is_recorded(cognito, guarded, mode, events_filter,
                                                      action):
    pool_id, client_id = guarded(mode, events_filter=events_filter, action=action)
    name = unique_name("u")
    sign_up(cognito, client_id, name, BREACHED)
    assert summary(events(cognito, pool_id, name)) == [("SignUp", "Pass", True)]


def test_sign_up_from_a_blocked_range(cognito, guarded):
    pool_id, client_id = guarded(exceptions={"BlockedIPRangeList": ["127.0.0.0/8"]})
    with pytest.raises(ClientError) as exc:
        sign_up(cognito, client_id, unique_name("u"), GOOD)
    assert error(exc) == ("NotAuthorizedException",
                          "Request not allowed because of security reasons.")


def test_off_records_nothing(cognito, guarded, clock):
    pool_id, client_id = guarded("OFF")
    name = unique_name("u")
    sign_up(cognito, client_id, name, BREACHED)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username=name,
                                         UserAttributes=attribute_list(email_verified=True))
    cognito.forgot_password(ClientId=client_id, Username=name)
    token = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": name, "PASSWORD": BREACHED})[
        "AuthenticationResult"]["AccessToken"]
    cognito.change_password(AccessToken=token, PreviousPassword=BREACHED, ProposedPassword=GOOD)
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS",
                             AutoVerifiedAttributes=["email"],
                             UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert events(cognito, pool_id, name) == []


# --- forgotten password ----------------------------------------------------------------------

def reset_code(outbox, pool_id, name) -> str:
    return outbox(poolId=pool_id, username=name, purpose="FORGOT_PASSWORD")[-1]["code"]


def test_forgot_password_records_events_and_refuses_a_breached_password(cognito, guarded,
                                                                         outbox, clock):
    pool_id, client_id = guarded(events_filter=["PASSWORD_CHANGE"])
    name = confirmed_user(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username=name)
    code = reset_code(outbox, pool_id, name)
    clock.advance(10)
    with pytest.raises(ClientError) as exc:
        cognito.confirm_forgot_password(ClientId=client_id, Username=name,
                                        ConfirmationCode=code, Password=BREACHED)
    assert error(exc) == REFUSED
    clock.advance(10)
    cognito.confirm_forgot_password(ClientId=client_id, Username=name,   # the code still works
                                    ConfirmationCode=code, Password=GOOD)
    assert summary(events(cognito, pool_id, name)) == [
        ("ForgotPassword", "Pass", False), ("ForgotPassword", "Fail", True),
        ("ForgotPassword", "Pass", False)]
    assert "AuthenticationResult" in cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": GOOD})


def test_sign_up_filter_leaves_password_resets_alone(cognito, guarded, outbox):
    pool_id, client_id = guarded(events_filter=["SIGN_UP"])
    name = confirmed_user(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username=name)
    cognito.confirm_forgot_password(ClientId=client_id, Username=name,
                                    ConfirmationCode=reset_code(outbox, pool_id, name),
                                    Password=BREACHED)
    assert summary(events(cognito, pool_id, name))[0] == ("ForgotPassword", "Pass", True)


# --- password change -------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["ENFORCED", "AUDIT"])
def test_change_password(cognito, guarded, clock, mode):
    pool_id, client_id = guarded(mode, events_filter=["PASSWORD_CHANGE"])
    name = confirmed_user(cognito, pool_id)
    token = sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")[
        "AuthenticationResult"]["AccessToken"]
    clock.advance(10)
    if mode == "ENFORCED":
        with pytest.raises(ClientError) as exc:
            cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                    ProposedPassword=BREACHED)
        assert error(exc) == REFUSED
        clock.advance(10)
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                ProposedPassword=GOOD)
        expected = [("PasswordChange", "Pass", False), ("PasswordChange", "Fail", True),
                    ("SignIn", "Pass", False)]
    else:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                ProposedPassword=BREACHED)
        expected = [("PasswordChange", "Pass", True), ("SignIn", "Pass", False)]
    found = events(cognito, pool_id, name)
    assert summary(found) == expected
    # the call's own address: ChangePassword carries no context data
    assert found[0]["EventContextData"]["IpAddress"] == "127.0.0.1"


def test_client_configuration_applies_to_its_tokens(cognito, guarded):
    """The access token's app client picks the risk configuration."""
    pool_id, client_id = guarded()           # the pool: no compromised-credentials config
    cognito.set_risk_configuration(UserPoolId=pool_id, ClientId=client_id,
                                   CompromisedCredentialsRiskConfiguration=compromised(
                                       ["PASSWORD_CHANGE"]))
    name = confirmed_user(cognito, pool_id)
    token = sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")[
        "AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as exc:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                ProposedPassword=BREACHED)
    assert error(exc) == REFUSED


# --- context: timezone and the collector's device id -----------------------------------------

def collector_data(name, pool_id, client_id, device_id, zone, stamp) -> str:
    """EncodedData shaped like amazon-cognito-advanced-security-data's output."""
    payload = json.dumps({"contextData": {"UserAgent": "Mozilla/5.0", "DeviceId": device_id,
                                          "DeviceLanguage": "en-GB", "ClientTimezone": zone,
                                          "DevicePlatform": "Linux x86_64"},
                          "username": name, "userPoolId": pool_id, "timestamp": str(stamp)})
    envelope = {"payload": payload, "signature": base64.b64encode(uuid.uuid4().bytes).decode(),
                "version": "JS20171115"}
    return base64.b64encode(json.dumps(envelope).encode()).decode()


def test_timezone_and_stable_device_from_the_collector(cognito, guarded, clock):
    pool_id, client_id = guarded("AUDIT")
    name = confirmed_user(cognito, pool_id)

    def public_sign_in(device, stamp):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
                              UserContextData={"EncodedData": collector_data(
                                  name, pool_id, client_id, device, "-07:00", stamp)})
    public_sign_in("device-a", 1)
    clock.advance(60)
    public_sign_in("device-a", 2)          # another payload, the same browser
    clock.advance(60)
    public_sign_in("device-b", 3)          # another browser: a new device
    latest, same, first = events(cognito, pool_id, name)
    assert first["EventContextData"]["Timezone"] == "-07:00"
    assert same["EventRisk"]["RiskDecision"] == "NoRisk"
    assert latest["EventRisk"]["RiskLevel"] == "Low"


def test_timezone_from_admin_context_headers(cognito, guarded):
    pool_id, client_id = guarded("AUDIT")
    name = confirmed_user(cognito, pool_id)
    cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        ContextData={"IpAddress": LONDON, "ServerName": "s", "ServerPath": "/",
                     "HttpHeaders": [{"headerName": "X-Timezone", "headerValue": "+01:00"}]})
    (event,) = events(cognito, pool_id, name)
    assert event["EventContextData"]["Timezone"] == "+01:00"
    assert event["EventContextData"]["City"] == "London"


# --- the hosted /login page ------------------------------------------------------------------

@pytest.fixture
def hosted(cognito, new_pool, endpoint, clock):
    """(pool id, client id, browser): an ENFORCED pool with a domain and an OAuth client."""
    clock.pin(START)
    pool_id = new_pool(UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"},
                       AutoVerifiedAttributes=["email"])["Id"]
    domain = f"risk-{uuid.uuid4().hex[:10]}"
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    browser = Browser(endpoint)
    yield pool_id, client_id, browser
    browser.close()


def test_hosted_login_records_the_event_and_shows_a_block(cognito, hosted, clock):
    pool_id, client_id, browser = hosted
    name = confirmed_user(cognito, pool_id)
    answer = browser.sign_in(name, PASSWORD, **authorize_params(client_id))
    assert code_of(answer)
    (event,) = events(cognito, pool_id, name)
    assert (event["EventType"], event["EventResponse"]) == ("SignIn", "Pass")
    assert event["EventContextData"]["IpAddress"] == "127.0.0.1"
    assert event["EventContextData"]["DeviceName"].startswith("python-httpx")
    cognito.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration={
        "BlockedIPRangeList": ["127.0.0.0/8"]})
    clock.advance(60)
    page = browser.sign_in(name, PASSWORD, **authorize_params(client_id, prompt="login"))
    assert page.status_code == 200
    assert error_text(page) == BLOCKED[1]
    latest = events(cognito, pool_id, name)[0]
    assert latest["EventResponse"] == "Fail"
    assert latest["EventRisk"]["RiskDecision"] == "Block"


def test_hosted_login_with_a_breached_password_goes_to_reset(cognito, hosted):
    pool_id, client_id, browser = hosted
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=
                                   compromised(["SIGN_IN"]))
    name = unique_name("u")
    create_user(cognito, pool_id, name, password=BREACHED, attributes=attribute_list(
        email=f"{name}@example.com", email_verified=True))
    page = browser.sign_in(name, BREACHED, **authorize_params(client_id))
    assert page.status_code == 200
    assert error_text(page) == BLOCKED[1]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == \
        "RESET_REQUIRED"
    assert summary(events(cognito, pool_id, name)) == [("SignIn", "Fail", True)]
