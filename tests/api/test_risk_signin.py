"""Threat protection at sign-in through boto3: audit-only records the risk and lets the
sign-in through, full-function blocks or asks for MFA per the risk configuration, feedback
teaches the engine, OFF records nothing.

Places come from the emulator's workshop geo table (emulator/domain/risk_config.py):
81.2.69.142 London GB, 2.125.160.216 Boxford GB, 216.160.83.56 Milton US. The story: a
known device at home, then a new device in another country an hour later -> HIGH risk
(new device + new IP + new country + impossible travel)."""
from datetime import UTC

import pytest
from botocore.exceptions import ClientError

from tests.support import totp
from tests.support.factories import RISK_PASSWORD, create_user, error, unique_name

LONDON, BOXFORD, MILTON = "81.2.69.142", "2.125.160.216", "216.160.83.56"
BLOCKED = ("NotAuthorizedException", "Unable to login because of security reasons.")
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
START = 1_780_000_000.0   # a fixed instant (2026-05-28 20:26:40 UTC)
PASSWORD = RISK_PASSWORD   # not the suite's default: that one is a breached password


def actions(low="NO_ACTION", medium="NO_ACTION", high="NO_ACTION") -> dict:
    return {"Actions": {name: {"Notify": False, "EventAction": value} for name, value in
                        (("LowAction", low), ("MediumAction", medium), ("HighAction", high))}}


def protected_pool(cognito, new_pool, clock, mode: str, *, software: bool = False):
    """A PLUS pool in `mode` (TOTP MFA optional when `software`) and an app client, with the
    clock pinned at START: (pool id, client id)."""
    clock.pin(START)
    pool_id = new_pool(UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": mode})["Id"]
    if software:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


@pytest.fixture
def protected(cognito, new_pool, clock):
    """protected(mode, high=, medium=, totp=) -> (pool id, client id), clock pinned at START."""
    def make(mode="ENFORCED", *, software=False, **levels):
        pool_id, client_id = protected_pool(cognito, new_pool, clock, mode, software=software)
        if levels and mode != "OFF":
            cognito.set_risk_configuration(UserPoolId=pool_id,
                                           AccountTakeoverRiskConfiguration=actions(**levels))
        return pool_id, client_id
    return make


def sign_in(cognito, pool_id, client_id, name, ip, device, password=PASSWORD):
    """AdminInitiateAuth with ContextData: the place is IpAddress, the device EncodedData."""
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
        ContextData={"IpAddress": ip, "ServerName": "app.example.com", "ServerPath": "/login",
                     "HttpHeaders": [{"headerName": "User-Agent",
                                      "headerValue": "Firefox 128, Linux"}],
                     "EncodedData": device})


def events(cognito, pool_id, name) -> list[dict]:
    return cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name)["AuthEvents"]


def at_home_then_abroad(cognito, clock, pool_id, client_id, name):
    """The known device at home; an hour later the call from a new device in the US."""
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(3600)
    return lambda: sign_in(cognito, pool_id, client_id, name, MILTON, "stranger-phone")


def new_user(cognito, pool_id) -> str:
    return create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)


def add_authenticator(cognito, pool_id, client_id, name, clock) -> str:
    """A verified TOTP authenticator that isn't the user's MFA preference: the user is MFA
    eligible, yet plain sign-ins ask for no code (sign-in from a skipped place)."""
    token = sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")[
        "AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    cognito.verify_software_token(AccessToken=token, UserCode=totp.code(secret, clock.now()))
    clock.advance(30)
    return secret


# --- modes ------------------------------------------------------------------------------------

def test_audit_records_high_risk_and_lets_the_sign_in_through(cognito, protected, clock):
    pool_id, client_id = protected("AUDIT", high="BLOCK")
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    assert "AccessToken" in abroad()["AuthenticationResult"]
    latest, first = events(cognito, pool_id, name)
    assert first["EventRisk"] == {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
    assert first["EventResponse"] == "Pass"
    assert first["EventContextData"]["City"] == "London"
    assert latest["EventType"] == "SignIn"
    assert latest["EventResponse"] == "Pass"
    assert latest["EventRisk"] == {"RiskDecision": "AccountTakeover", "RiskLevel": "High",
                                   "CompromisedCredentialsDetected": False}
    assert latest["ChallengeResponses"] == [{"ChallengeName": "Password",
                                             "ChallengeResponse": "Success"}]
    assert latest["EventContextData"] == {"IpAddress": MILTON, "DeviceName": "Firefox 128, Linux",
                                          "City": "Milton", "Country": "US"}
    assert latest["CreationDate"].timestamp() == pytest.approx(START + 3600)
    assert "EventFeedback" not in latest


def test_enforced_block_answers_the_error_and_keeps_the_event(cognito, protected, clock):
    pool_id, client_id = protected("ENFORCED", high="BLOCK")
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED
    latest = events(cognito, pool_id, name)[0]
    assert latest["EventResponse"] == "Fail"
    assert latest["EventRisk"]["RiskDecision"] == "AccountTakeover"
    assert latest["EventRisk"]["RiskLevel"] == "High"
    # home still works
    assert "AuthenticationResult" in sign_in(cognito, pool_id, client_id, name, LONDON,
                                             "home-laptop")


def test_medium_and_low_levels(cognito, protected, clock):
    pool_id, client_id = protected("ENFORCED", low="NO_ACTION", medium="BLOCK", high="BLOCK")
    name = new_user(cognito, pool_id)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(3600)
    sign_in(cognito, pool_id, client_id, name, LONDON, "new-tablet")    # new device: LOW
    with pytest.raises(ClientError) as exc:                              # + new IP, city
        sign_in(cognito, pool_id, client_id, name, BOXFORD, "old-phone")
    assert error(exc) == BLOCKED
    levels = [e["EventRisk"].get("RiskLevel") for e in events(cognito, pool_id, name)]
    assert levels == ["Medium", "Low", None]


def test_off_records_nothing(cognito, protected, clock):
    pool_id, client_id = protected("OFF")
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    assert "AuthenticationResult" in abroad()
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop", password="Wrong1!x")
    assert error(exc)[0] == "NotAuthorizedException"
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS",
                             UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert events(cognito, pool_id, name) == []


def test_wrong_password_is_a_failed_event(cognito, protected):
    pool_id, client_id = protected("AUDIT")
    name = new_user(cognito, pool_id)
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop", password="Wrong1!x")
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    (event,) = events(cognito, pool_id, name)
    assert event["EventResponse"] == "Fail"
    assert event["ChallengeResponses"] == [{"ChallengeName": "Password",
                                            "ChallengeResponse": "Failure"}]
    assert event["EventContextData"]["Country"] == "GB"


def test_cognito_defaults_require_mfa_at_high_risk(cognito, protected, clock):
    """No AccountTakeover configuration: HIGH -> MFA_REQUIRED (our UNCONFIRMED defaults);
    without MFA that blocks."""
    pool_id, client_id = protected("ENFORCED")
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED


# --- adaptive MFA -------------------------------------------------------------------------------

@pytest.mark.parametrize("action, outcome", [("MFA_IF_CONFIGURED", "tokens"),
                                             ("MFA_REQUIRED", "blocked")])
def test_mfa_actions_without_eligibility(cognito, protected, clock, action, outcome):
    pool_id, client_id = protected("ENFORCED", software=True, high=action)
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    if outcome == "tokens":
        assert "AuthenticationResult" in abroad()
        assert events(cognito, pool_id, name)[0]["EventResponse"] == "Pass"
    else:
        with pytest.raises(ClientError) as exc:
            abroad()
        assert error(exc) == BLOCKED
        assert events(cognito, pool_id, name)[0]["EventResponse"] == "Fail"


@pytest.mark.parametrize("action", ["MFA_IF_CONFIGURED", "MFA_REQUIRED"])
def test_mfa_actions_with_an_authenticator_ask_for_a_code(cognito, protected, clock, action):
    pool_id, client_id = protected("ENFORCED", software=True, high=action)
    name = new_user(cognito, pool_id)
    secret = add_authenticator(cognito, pool_id, client_id, name, clock)
    clock.advance(3600)
    out = sign_in(cognito, pool_id, client_id, name, MILTON, "stranger-phone")
    assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert events(cognito, pool_id, name)[0]["EventResponse"] == "InProgress"
    done = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=out["Session"],
        ChallengeResponses={"USERNAME": name,
                            "SOFTWARE_TOKEN_MFA_CODE": totp.code(secret, clock.now())})
    assert "AccessToken" in done["AuthenticationResult"]
    latest = events(cognito, pool_id, name)[0]
    assert latest["EventResponse"] == "Pass"
    assert latest["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"},
        {"ChallengeName": "Mfa", "ChallengeResponse": "Success"}]
    # no risk, no code
    clock.advance(60)
    assert "AuthenticationResult" in sign_in(cognito, pool_id, client_id, name, LONDON,
                                             "home-laptop")


# --- feedback -------------------------------------------------------------------------------------

def test_valid_feedback_makes_the_device_and_place_known(cognito, protected, clock):
    pool_id, client_id = protected("ENFORCED", high="BLOCK", medium="BLOCK", low="BLOCK")
    name = new_user(cognito, pool_id)
    abroad = at_home_then_abroad(cognito, clock, pool_id, client_id, name)
    with pytest.raises(ClientError) as exc:
        abroad()
    assert error(exc) == BLOCKED
    blocked = events(cognito, pool_id, name)[0]
    cognito.admin_update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                             EventId=blocked["EventId"], FeedbackValue="Valid")
    marked = events(cognito, pool_id, name)[0]
    assert marked["EventFeedback"]["FeedbackValue"] == "Valid"
    assert marked["EventFeedback"]["Provider"] == "Admin"
    clock.advance(600)
    assert "AuthenticationResult" in abroad()
    assert events(cognito, pool_id, name)[0]["EventRisk"]["RiskDecision"] == "NoRisk"


def test_invalid_feedback_raises_the_next_score(cognito, protected, clock):
    pool_id, client_id = protected("AUDIT")
    name = new_user(cognito, pool_id)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(60)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    first = events(cognito, pool_id, name)[0]
    assert first["EventRisk"]["RiskDecision"] == "NoRisk"
    cognito.admin_update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                             EventId=first["EventId"], FeedbackValue="Invalid")
    clock.advance(60)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    assert events(cognito, pool_id, name)[0]["EventRisk"]["RiskLevel"] == "Medium"


# --- inputs -------------------------------------------------------------------------------------

def test_user_context_ip_needs_propagation_and_a_secret(cognito, protected):
    import base64
    import hashlib
    import hmac
    pool_id, _ = protected("AUDIT")
    name = new_user(cognito, pool_id)
    for propagate, expected in ((True, LONDON), (False, "127.0.0.1")):
        client = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="web", GenerateSecret=True, ExplicitAuthFlows=FLOWS,
            EnablePropagateAdditionalUserContextData=propagate)["UserPoolClient"]
        digest = hmac.new(client["ClientSecret"].encode(), (name + client["ClientId"]).encode(),
                          hashlib.sha256).digest()
        cognito.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD,
                                              "SECRET_HASH": base64.b64encode(digest).decode()},
                              UserContextData={"IpAddress": LONDON, "EncodedData": "dev"})
        assert events(cognito, pool_id, name)[0]["EventContextData"]["IpAddress"] == expected


def test_srp_sign_in_from_a_blocked_range(cognito, protected, clock):
    """RiskExceptionConfiguration.BlockedIPRangeList blocks whatever the score (here the
    SRP call's own address, 127.0.0.1), recorded as RiskDecision Block."""
    from datetime import datetime

    from tests.support.srp_client import SrpClient
    pool_id, client_id = protected("ENFORCED")
    cognito.set_risk_configuration(UserPoolId=pool_id, RiskExceptionConfiguration={
        "BlockedIPRangeList": ["127.0.0.0/8"]})
    name = new_user(cognito, pool_id)
    srp = SrpClient(pool_id, name, PASSWORD)
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters=srp.auth_params())
    now = datetime.fromtimestamp(clock.now(), UTC)
    with pytest.raises(ClientError) as exc:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
            ChallengeResponses=srp.answer(first["ChallengeParameters"], now))
    assert error(exc) == BLOCKED
    (event,) = events(cognito, pool_id, name)
    assert event["EventResponse"] == "Fail"
    assert event["EventRisk"] == {"RiskDecision": "Block", "RiskLevel": "High",
                                  "CompromisedCredentialsDetected": False}
    assert event["EventContextData"]["IpAddress"] == "127.0.0.1"
    # elsewhere the same user signs in
    assert "AuthenticationResult" in sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")


# --- custom authentication (AdvancedSecurityAdditionalFlows.CustomAuthMode) ---------------------

@pytest.fixture(scope="module")
def custom_server(tmp_path_factory):
    """An emulator that runs the custom-auth test handler (tests/lambdas/custom_auth_py.py:
    a user named "tokensnow-..." gets tokens from Define at once)."""
    from tests.support.risk_helpers import custom_auth_server
    with custom_auth_server(tmp_path_factory.mktemp("risk-custom")) as running:
        yield running


@pytest.fixture
def custom_pool(custom_server):
    """custom_pool(add_ons, high=) -> (boto3 client, clock, pool id, client id)."""
    import httpx

    from tests.conftest import make_client
    idp = make_client(custom_server.url)
    http = httpx.Client(base_url=custom_server.url, timeout=30)
    made = []

    class _Clock:
        def advance(self, seconds):
            http.post("/_emulator/clock", json={"advance": seconds})

    def make(add_ons, **levels):
        http.post("/_emulator/clock", json={"pin": START})
        function = "arn:aws:lambda:us-east-1:000000000000:function:risk-custom"
        pool_id = idp.create_user_pool(
            PoolName=unique_name("risk"), UserPoolTier="PLUS", UserPoolAddOns=add_ons,
            LambdaConfig={name: function for name in ("DefineAuthChallenge",
                                                      "CreateAuthChallenge",
                                                      "VerifyAuthChallengeResponse")}
        )["UserPool"]["Id"]
        made.append(pool_id)
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app",
            ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        if levels:
            idp.set_risk_configuration(UserPoolId=pool_id,
                                       AccountTakeoverRiskConfiguration=actions(**levels))
        return idp, _Clock(), pool_id, client_id
    yield make
    http.post("/_emulator/clock", json={"reset": True})
    http.close()
    for pool_id in made:
        idp.delete_user_pool(UserPoolId=pool_id)


def custom_sign_in(idp, pool_id, client_id, name, ip, device):
    return idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": name},
        ContextData={"IpAddress": ip, "ServerName": "app.example.com", "ServerPath": "/login",
                     "HttpHeaders": [], "EncodedData": device})


@pytest.mark.parametrize("custom_mode, outcome", [("ENFORCED", "blocked"), ("AUDIT", "tokens"),
                                                  (None, "unrecorded")])
def test_custom_auth_mode(custom_pool, custom_mode, outcome):
    add_ons = {"AdvancedSecurityMode": "ENFORCED"}
    if custom_mode:
        add_ons["AdvancedSecurityAdditionalFlows"] = {"CustomAuthMode": custom_mode}
    idp, clock, pool_id, client_id = custom_pool(add_ons, high="BLOCK")
    name = create_user(idp, pool_id, unique_name("tokensnow"), password=PASSWORD)
    custom_sign_in(idp, pool_id, client_id, name, LONDON, "home-laptop")
    clock.advance(3600)
    if outcome == "blocked":
        with pytest.raises(ClientError) as exc:
            custom_sign_in(idp, pool_id, client_id, name, MILTON, "stranger-phone")
        assert error(exc) == BLOCKED
    else:
        assert "AuthenticationResult" in custom_sign_in(idp, pool_id, client_id, name, MILTON,
                                                        "stranger-phone")
    found = events(idp, pool_id, name)
    if outcome == "unrecorded":
        assert found == []
        return
    assert [e["EventResponse"] for e in found] == \
        ["Fail" if outcome == "blocked" else "Pass", "Pass"]
    assert found[0]["EventRisk"]["RiskLevel"] == "High"


# --- compromised credentials --------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["ENFORCED", "AUDIT"])
def test_compromised_password_at_sign_in(cognito, protected, mode):
    """A breached password ("P@ssw0rd" is in the bundled list) with CompromisedCredentials
    BLOCK: full-function blocks the sign-in and requires a reset; audit-only records it."""
    pool_id, client_id = protected(mode)
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={
        "EventFilter": ["SIGN_IN"], "Actions": {"EventAction": "BLOCK"}})
    name = create_user(cognito, pool_id, unique_name("u"), password="P@ssw0rd")
    call = lambda: sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop",  # noqa: E731
                           password="P@ssw0rd")
    if mode == "AUDIT":
        assert "AuthenticationResult" in call()
    else:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == BLOCKED
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "PasswordResetRequiredException"
        status = cognito.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"]
        assert status == "RESET_REQUIRED"
    event = events(cognito, pool_id, name)[-1]
    assert event["EventRisk"]["CompromisedCredentialsDetected"] is True
    assert event["EventResponse"] == ("Pass" if mode == "AUDIT" else "Fail")
