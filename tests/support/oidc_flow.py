"""Driving a federated sign-in through the emulator's HTTP endpoints with httpx, one redirect at
a time: /oauth2/authorize?identity_provider=... -> the provider -> /oauth2/idpresponse -> the
app's callback with a code (or an error), redeemed at /oauth2/token."""
from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx

CALLBACK = "https://app.example.test/callback"


def fed_pool(cognito, *, mapping: dict, providers: list[dict],
             supported: list[str] | None = None, **pool_params) -> tuple[str, str]:
    """(pool id, app client id): a pool with the given identity providers (each a
    CreateIdentityProvider request without UserPoolId; AttributeMapping defaults to
    `mapping`) and a public client of the code flow that supports them."""
    pool_id = cognito.create_user_pool(PoolName="fed", **pool_params)["UserPool"]["Id"]
    for provider in providers:
        cognito.create_identity_provider(UserPoolId=pool_id,
                                         **{"AttributeMapping": mapping, **provider})
    names = supported if supported is not None else [p["ProviderName"] for p in providers]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", SupportedIdentityProviders=names,
        CallbackURLs=[CALLBACK], AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email", "profile"],
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def authorize(http: httpx.Client, client_id: str, provider: str, **extra) -> httpx.Response:
    return http.get("/oauth2/authorize", params={
        "client_id": client_id, "redirect_uri": CALLBACK, "response_type": "code",
        "scope": "openid email profile", "identity_provider": provider, "state": "app-state",
        **extra})


def follow(http: httpx.Client, response: httpx.Response, *, limit: int = 6) -> httpx.Response:
    """Follow redirects and auto-posting forms until the app's callback (not fetched): the
    last response, whose Location is the callback."""
    for _ in range(limit):
        if response.status_code in (302, 303):
            location = response.headers["location"]
            if location.startswith(CALLBACK):
                return response
            response = http.get(location)
            continue
        form = re.search(r'<form method="post" action="([^"]+)" id="mock-post">(.*?)</form>',
                         response.text, re.S)
        if response.status_code == 200 and form:
            fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
            response = http.post(unescape(form.group(1)),
                                 data={k: unescape(v) for k, v in fields.items()})
            continue
        return response
    raise AssertionError("too many hops")


def callback(response: httpx.Response) -> dict:
    assert response.status_code == 302, response.text[:500]
    location = response.headers["location"]
    assert location.startswith(CALLBACK), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def redeem(http: httpx.Client, client_id: str, code: str) -> dict:
    answer = http.post("/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": client_id, "code": code,
        "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    return answer.json()


def sign_in(http: httpx.Client, client_id: str, provider: str, hint: dict) -> dict:
    """The app's callback parameters after a sign-in whose identity `hint` picks."""
    first = authorize(http, client_id, provider, login_hint=json.dumps(hint))
    return callback(follow(http, first))
