"""Session tracking through boto3: the pool's and the app client's session configuration,
ListUserSessions / AdminListUserSessions, RevokeUserSession / AdminRevokeUserSession (the
revoked session's refresh token refused at REFRESH_TOKEN_AUTH, its access token at GetUser,
the hosted-UI cookie of a revoked SSO session no longer signing in), and the per-user
maximum evicting the least recently used session."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import botocore.exceptions
import httpx
import pytest

from tests.support.factories import create_user, error, password_client, password_sign_in

CALLBACK = "http://localhost:3000/callback"
SESSION_ID = re.compile(r"^(tkn|sso)[a-z0-9]{25}$")


def enable(cognito, pool_id, max_per_user=20):
    return cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED",
        TokenSession={"MaxPerUser": max_per_user})


@pytest.fixture
def tracked(cognito, make_pool):
    """(pool id, app client id, user "ann") with session tracking enabled."""
    pool_id = make_pool()
    enable(cognito, pool_id)
    client_id = password_client(cognito, pool_id)["ClientId"]
    create_user(cognito, pool_id, "ann")
    return pool_id, client_id, "ann"


def sign_in(cognito, client_id, username="ann") -> dict:
    return password_sign_in(cognito, client_id, username)["AuthenticationResult"]


def refused(call, **params) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    return error(info)


# --- configuration --------------------------------------------------------------------------

def test_pool_configuration_defaults_set_and_limits(cognito, make_pool, unchecked):
    pool_id = make_pool()
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool_id)
    assert (got["UserPoolId"], got["UserSessionTracking"], got["TokenSession"]) == \
        (pool_id, "DISABLED", {"MaxPerUser": 20})
    out = enable(cognito, pool_id, 100)
    assert (out["UserSessionTracking"], out["TokenSession"]) == ("ENABLED", {"MaxPerUser": 100})
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool_id)
    assert got["TokenSession"] == {"MaxPerUser": 100}
    assert enable(cognito, pool_id, 1)["TokenSession"] == {"MaxPerUser": 1}
    for bad in (0, 101):
        code, _ = refused(unchecked.set_user_pool_session_configuration, UserPoolId=pool_id,
                          UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": bad})
        assert code == "InvalidParameterException"


def test_pool_configuration_refusals(cognito, make_pool):
    code, _ = refused(cognito.get_user_pool_session_configuration,
                      UserPoolId="us-east-1_Nowhere00")
    assert code == "ResourceNotFoundException"
    code, _ = refused(cognito.set_user_pool_session_configuration,
                      UserPoolId="us-east-1_Nowhere00", UserSessionTracking="ENABLED",
                      TokenSession={"MaxPerUser": 5})
    assert code == "ResourceNotFoundException"
    lite = make_pool(UserPoolTier="LITE")
    code, _ = refused(cognito.set_user_pool_session_configuration, UserPoolId=lite,
                      UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 5})
    assert code == "FeatureUnavailableInTierException"


def test_client_configuration(cognito, make_pool, unchecked):
    pool_id = make_pool()
    client_id = password_client(cognito, pool_id)["ClientId"]
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id,
                                                             ClientId=client_id)
    assert (got["UserPoolId"], got["ClientId"], got["SSOSession"]) == \
        (pool_id, client_id, {"MaxValidityMinutes": 60})
    # Tracking must be enabled for the pool first.
    code, _ = refused(cognito.set_user_pool_client_session_configuration, UserPoolId=pool_id,
                      ClientId=client_id, SSOSession={"MaxValidityMinutes": 5})
    assert code == "OperationNotEnabledException"
    enable(cognito, pool_id)
    for minutes in (0, 129600):
        out = cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": minutes})
        assert out["SSOSession"] == {"MaxValidityMinutes": minutes}
    assert cognito.get_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id)["SSOSession"] == {"MaxValidityMinutes": 129600}
    code, _ = refused(unchecked.set_user_pool_client_session_configuration, UserPoolId=pool_id,
                      ClientId=client_id, SSOSession={"MaxValidityMinutes": 129601})
    assert code == "InvalidParameterException"
    code, _ = refused(cognito.get_user_pool_client_session_configuration, UserPoolId=pool_id,
                      ClientId="nosuchclient1234567890abcd")
    assert code == "ResourceNotFoundException"
    code, _ = refused(cognito.set_user_pool_client_session_configuration, UserPoolId=pool_id,
                      ClientId="nosuchclient1234567890abcd", SSOSession={"MaxValidityMinutes": 5})
    assert code == "ResourceNotFoundException"


# --- listing --------------------------------------------------------------------------------

def test_list_sessions_user_and_admin(cognito, tracked, clock):
    pool_id, client_id, name = tracked
    clock.pin()
    first = sign_in(cognito, client_id)
    clock.advance(10)
    second = sign_in(cognito, client_id)
    mine = cognito.list_user_sessions(AccessToken=second["AccessToken"])
    sessions = mine["Sessions"]
    assert "NextToken" not in mine and len(sessions) == 2
    assert all(SESSION_ID.match(s["SessionId"]) and s["SessionId"].startswith("tkn")
               for s in sessions)
    assert [s["SessionType"] for s in sessions] == ["TOKEN", "TOKEN"]
    assert {s["ClientId"] for s in sessions} == {client_id}
    assert sessions[0]["CreateDate"] < sessions[1]["CreateDate"]  # oldest first
    assert [s["IsCurrentSession"] for s in sessions] == [False, True]
    assert all(s["LastIPAddress"] == "127.0.0.1" and s["DeviceType"] for s in sessions)
    assert "Boto3" in sessions[0]["DeviceType"] or "botocore" in sessions[0]["DeviceType"]
    admin = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
    assert [s["SessionId"] for s in admin] == [s["SessionId"] for s in sessions]
    assert not any(s["IsCurrentSession"] for s in admin)

    # A refresh is activity: LastActiveDate moves, CreateDate stays.
    clock.advance(30)
    cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    after = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
    assert after[0]["LastActiveDate"] > sessions[0]["LastActiveDate"]
    assert after[0]["CreateDate"] == sessions[0]["CreateDate"]

    # Expired sessions aren't active (refresh tokens live 30 days by default).
    clock.advance(31 * 86400)
    assert cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"] == []


def test_list_refusals(cognito, make_pool, tracked, unchecked):
    pool_id, client_id, name = tracked
    token = sign_in(cognito, client_id)["AccessToken"]
    code, _ = refused(cognito.admin_list_user_sessions, UserPoolId=pool_id, Username="nobody")
    assert code == "UserNotFoundException"
    code, _ = refused(cognito.admin_list_user_sessions, UserPoolId="us-east-1_Nowhere00",
                      Username=name)
    assert code == "ResourceNotFoundException"
    code, _ = refused(cognito.list_user_sessions, AccessToken="not.a.token")
    assert code == "NotAuthorizedException"
    code, _ = refused(cognito.list_user_sessions, AccessToken=token, NextToken="tkn" + "a" * 25)
    assert code == "InvalidParameterException"
    # Tracking disabled: the operations aren't enabled for the pool.
    off = make_pool()
    off_client = password_client(cognito, off)["ClientId"]
    create_user(cognito, off, "bo")
    off_token = sign_in(cognito, off_client, "bo")["AccessToken"]
    code, _ = refused(cognito.list_user_sessions, AccessToken=off_token)
    assert code == "OperationNotEnabledException"
    code, _ = refused(cognito.admin_list_user_sessions, UserPoolId=off, Username="bo")
    assert code == "OperationNotEnabledException"
    code, _ = refused(cognito.revoke_user_session, AccessToken=off_token,
                      SessionId="tkn" + "a" * 25)
    assert code == "OperationNotEnabledException"
    code, _ = refused(cognito.admin_revoke_user_session, UserPoolId=off, Username="bo",
                      SessionId="tkn" + "a" * 25)
    assert code == "OperationNotEnabledException"
    # ...and enabling it lists the session already open.
    enable(cognito, off)
    assert len(cognito.list_user_sessions(AccessToken=off_token)["Sessions"]) == 1


def test_list_is_one_page_at_the_maximum(cognito, tracked):
    pool_id, client_id, name = tracked
    enable(cognito, pool_id, 100)
    other = password_client(cognito, pool_id)["ClientId"]
    # 100 token sessions + SSO sessions would exceed a page; here 100 token sessions of
    # two clients fit in one page, and the maximum keeps them at 100.
    for i in range(101):
        sign_in(cognito, client_id if i % 2 else other)
    listed = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)
    assert len(listed["Sessions"]) == 100 and "NextToken" not in listed


# --- revoking -------------------------------------------------------------------------------

def test_revoke_user_session(cognito, tracked, clock):
    pool_id, client_id, name = tracked
    clock.pin()
    victim = sign_in(cognito, client_id)
    clock.advance(1)
    keeper = sign_in(cognito, client_id)
    sessions = cognito.list_user_sessions(AccessToken=keeper["AccessToken"])["Sessions"]
    target = next(s["SessionId"] for s in sessions if not s["IsCurrentSession"])
    current = next(s["SessionId"] for s in sessions if s["IsCurrentSession"])

    code, _ = refused(cognito.revoke_user_session, AccessToken=keeper["AccessToken"],
                      SessionId=current)
    assert code == "InvalidParameterException"
    code, _ = refused(cognito.revoke_user_session, AccessToken=keeper["AccessToken"],
                      SessionId="tkn" + "0" * 25)
    assert code == "ResourceNotFoundException"

    cognito.revoke_user_session(AccessToken=keeper["AccessToken"], SessionId=target)
    code, message = refused(cognito.initiate_auth, ClientId=client_id,
                            AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": victim["RefreshToken"]})
    assert (code, message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    code, message = refused(cognito.get_user, AccessToken=victim["AccessToken"])
    assert (code, message) == ("NotAuthorizedException", "Access Token has been revoked")
    # The other session is untouched.
    assert cognito.get_user(AccessToken=keeper["AccessToken"])["Username"] == name
    cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": keeper["RefreshToken"]})
    left = cognito.list_user_sessions(AccessToken=keeper["AccessToken"])["Sessions"]
    assert [s["SessionId"] for s in left] == [current]
    # Gone now: a second revocation finds nothing.
    code, _ = refused(cognito.revoke_user_session, AccessToken=keeper["AccessToken"],
                      SessionId=target)
    assert code == "ResourceNotFoundException"


def test_admin_revoke_user_session(cognito, tracked):
    pool_id, client_id, name = tracked
    create_user(cognito, pool_id, "bea")
    victim = sign_in(cognito, client_id)
    keeper = sign_in(cognito, client_id)
    bea = sign_in(cognito, client_id, "bea")
    admin = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
    bea_session = cognito.admin_list_user_sessions(
        UserPoolId=pool_id, Username="bea")["Sessions"][0]["SessionId"]
    mine = cognito.list_user_sessions(AccessToken=victim["AccessToken"])["Sessions"]
    target = next(s["SessionId"] for s in mine if s["IsCurrentSession"])
    assert target in [s["SessionId"] for s in admin]

    # The username must be the session's owner's.
    code, _ = refused(cognito.admin_revoke_user_session, UserPoolId=pool_id, Username=name,
                      SessionId=bea_session)
    assert code == "ResourceNotFoundException"
    code, _ = refused(cognito.admin_revoke_user_session, UserPoolId=pool_id, Username="nobody",
                      SessionId=target)
    assert code == "UserNotFoundException"
    code, _ = refused(cognito.admin_revoke_user_session, UserPoolId="us-east-1_Nowhere00",
                      Username=name, SessionId=target)
    assert code == "ResourceNotFoundException"

    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username=name, SessionId=target,
                                      RevokeAssociatedSessions="LINKED")
    code, _ = refused(cognito.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": victim["RefreshToken"]})
    assert code == "NotAuthorizedException"
    code, _ = refused(cognito.get_user, AccessToken=victim["AccessToken"])
    assert code == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=keeper["AccessToken"])["Username"] == name
    assert cognito.get_user(AccessToken=bea["AccessToken"])["Username"] == "bea"


# --- the per-user maximum -------------------------------------------------------------------

def test_max_per_user_evicts_the_least_recently_used(cognito, tracked, clock):
    pool_id, client_id, name = tracked
    enable(cognito, pool_id, 2)
    clock.pin()
    oldest = sign_in(cognito, client_id)
    clock.advance(10)
    middle = sign_in(cognito, client_id)
    clock.advance(10)
    # A refresh makes the oldest the most recently used: the middle one goes next.
    cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": oldest["RefreshToken"]})
    clock.advance(10)
    newest = sign_in(cognito, client_id)
    sessions = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
    assert len(sessions) == 2
    code, _ = refused(cognito.get_user, AccessToken=middle["AccessToken"])
    assert code == "NotAuthorizedException"
    code, _ = refused(cognito.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": middle["RefreshToken"]})
    assert code == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=oldest["AccessToken"])["Username"] == name
    assert cognito.get_user(AccessToken=newest["AccessToken"])["Username"] == name

    # Lowering the maximum evicts nothing until the next sign-in, which evicts down to it.
    enable(cognito, pool_id, 1)
    assert len(cognito.admin_list_user_sessions(UserPoolId=pool_id,
                                                Username=name)["Sessions"]) == 2
    clock.advance(10)
    last = sign_in(cognito, client_id)
    [only] = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
    assert only["SessionId"] == next(
        s["SessionId"] for s in cognito.list_user_sessions(AccessToken=last["AccessToken"])[
            "Sessions"] if s["IsCurrentSession"])
    code, _ = refused(cognito.get_user, AccessToken=oldest["AccessToken"])
    assert code == "NotAuthorizedException"


# --- SSO (hosted-UI) sessions ---------------------------------------------------------------

def _hidden_fields(page: str) -> dict:
    return {html.unescape(m.group(1)): html.unescape(m.group(2)) for m in re.finditer(
        r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}


def _authorize(browser, client_id, **extra):
    return browser.get("/oauth2/authorize", params={
        "client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK,
        "state": "s", "scope": "openid", **extra})


def _hosted_sign_in(browser, client_id, username, password):
    answer = _authorize(browser, client_id)
    assert answer.status_code == 302 and answer.headers["location"].startswith("/login?")
    page = browser.get(answer.headers["location"])
    action = re.search(r'<form[^>]*name="signin"[^>]*action="([^"]+)"', page.text) or \
        re.search(r'<form[^>]*action="([^"]+)"[^>]*name="signin"', page.text)
    assert action, page.text
    done = browser.post(html.unescape(action.group(1)), data={
        **_hidden_fields(page.text), "username": username, "password": password})
    assert done.status_code == 302 and done.headers["location"].startswith(CALLBACK), done.text
    return done


def _reused(browser, client_id) -> bool:
    location = _authorize(browser, client_id, prompt="none").headers["location"]
    query = parse_qs(urlsplit(location).query)
    return "code" in query


def test_sso_session_listed_revoked_and_client_window(cognito, tracked, endpoint, clock):
    pool_id, _, name = tracked
    web = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    clock.pin()
    with httpx.Client(base_url=endpoint, timeout=30) as browser:
        _hosted_sign_in(browser, web, name, "Passw0rd!")
        [sso] = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]
        assert sso["SessionType"] == "SSO" and sso["SessionId"].startswith("sso")
        assert sso["ClientId"] == web and SESSION_ID.match(sso["SessionId"])
        assert _reused(browser, web)

        # The client's window: 0 minutes never reuses the session; 2 minutes does, 2 minutes.
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=web, SSOSession={"MaxValidityMinutes": 0})
        assert not _reused(browser, web)
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=web, SSOSession={"MaxValidityMinutes": 2})
        clock.advance(119)
        assert _reused(browser, web)
        clock.advance(1)
        assert not _reused(browser, web)

        # Revoked: the cookie no longer signs in, whatever the window.
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=web, SSOSession={"MaxValidityMinutes": 60})
        assert _reused(browser, web)
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username=name,
                                          SessionId=sso["SessionId"])
        assert not _reused(browser, web)
        sessions = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)
        assert all(s["SessionType"] == "TOKEN" for s in sessions["Sessions"])
