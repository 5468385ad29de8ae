"""Independent OAuth 2.0 / OIDC clients against the emulator's endpoints: authlib does
discovery (validating the document), the code flow with PKCE, userInfo and refresh; the
ID token is checked with joserfc against the published JWKS; client_credentials goes
through plain httpx; aws-jwt-verify (Node.js) verifies the tokens as AWS's own library.

The module runs its own emulator with the AWS issuer style
(https://cognito-idp.<region>.amazonaws.com/<pool>), which CognitoJwtVerifier insists on.
"""
import json
import uuid
import warnings
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.api.test_oauth_endpoints import API, CALLBACK, PASSWORD, READ, WRITE, Browser, code_of
from tests.conftest import make_client
from tests.support.clients import requires, run_node
from tests.support.factories import claims, delete_pool, unique_name
from tests.support.server import RunningServer

with warnings.catch_warnings():  # authlib wants httpx2 one day; httpx works meanwhile
    import authlib.deprecate  # noqa: F401 - installs an "always" filter: ignore after it
    warnings.simplefilter("ignore")
    from authlib.common.security import generate_token
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.jwk import KeySet

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def aws_server():
    with RunningServer(["--in-memory", "--log-level", "warning", "--issuer-style", "aws"]) as srv:
        yield srv


@pytest.fixture
def world(aws_server):
    """A pool with a domain, a resource server, a public web client, a confidential web
    client, a machine client and a user, on the AWS-issuer server."""
    cognito = make_client(aws_server.url)
    pool_id = cognito.create_user_pool(PoolName=unique_name("authlib"))["UserPool"]["Id"]
    domain = f"authlib-{uuid.uuid4().hex[:10]}"
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier=API, Name="api",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                           {"ScopeName": "write", "ScopeDescription": "w"}])
    web = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
           "AllowedOAuthScopes": ["openid", "email", "profile", READ],
           "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"]}
    public = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="spa",
                                             **web)["UserPoolClient"]
    confidential = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="server",
                                                   GenerateSecret=True, **web)["UserPoolClient"]
    machine = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="m2m", GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[READ, WRITE])["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                              {"Name": "email_verified", "Value": "true"},
                                              {"Name": "given_name", "Value": "Alice"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD,
                                    Permanent=True)
    yield {"url": aws_server.url, "pool_id": pool_id, "public": public,
           "confidential": confidential, "machine": machine,
           "discovery": f"{aws_server.url}/{pool_id}/.well-known/openid-configuration"}
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    delete_pool(cognito, pool_id)


def discover(world) -> dict:
    metadata = OpenIDProviderMetadata(httpx.get(world["discovery"]).json())
    metadata.validate()  # OIDC Discovery 1.0 / RFC 8414 rules, as authlib applies them
    return metadata


def browser_sign_in(world, url: str) -> str:
    """Walk the hosted pages from an authorization URL; the callback URL they end at."""
    browser = Browser(world["url"])
    try:
        first = browser.http.get(url)
        assert first.status_code == 302 and first.headers["location"].startswith("/login?")
        page = browser.get(first.headers["location"])
        answer = browser.submit(page, "signin", username="alice", password=PASSWORD)
        code_of(answer)
        return answer.headers["location"]
    finally:
        browser.close()


def verify_id_token(world, metadata, id_token: str, client_id: str, nonce: str) -> dict:
    keys = KeySet.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": metadata["issuer"]},
                          aud={"essential": True, "value": client_id},
                          nonce={"essential": True, "value": nonce},
                          exp={"essential": True}).validate(token.claims)
    return token.claims


def test_discovery_document_is_valid(world):
    metadata = discover(world)
    assert metadata["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{world['pool_id']}"
    assert metadata["authorization_endpoint"] == f"{world['url']}/oauth2/authorize"
    assert metadata["jwks_uri"] == f"{world['url']}/{world['pool_id']}/.well-known/jwks.json"


def test_authlib_code_flow_with_pkce_userinfo_and_refresh(world):
    metadata = discover(world)
    client_id = world["public"]["ClientId"]
    client = OAuth2Client(client_id, scope="openid email profile", redirect_uri=CALLBACK,
                          code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier, nonce = generate_token(64), generate_token(20)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"],
                                                 code_verifier=verifier, nonce=nonce)
    sent = parse_qs(urlsplit(url).query)
    assert sent["code_challenge_method"] == ["S256"]
    callback = browser_sign_in(world, url)

    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback,
                               state=state, code_verifier=verifier)
    assert {"id_token", "access_token", "refresh_token", "expires_in"} <= set(token)
    id_claims = verify_id_token(world, metadata, token["id_token"], client_id, nonce)
    assert id_claims["cognito:username"] == "alice" and id_claims["token_use"] == "id"

    info = client.get(metadata["userinfo_endpoint"])
    assert info.status_code == 200
    assert info.json() == {"sub": id_claims["sub"], "email": "alice@example.com",
                           "email_verified": "true", "given_name": "Alice", "username": "alice"}

    refreshed = client.refresh_token(metadata["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] == token["refresh_token"]  # kept by authlib: no rotation
    refreshed_id = verify_id_token(world, metadata, refreshed["id_token"], client_id, nonce) \
        if "nonce" in claims(refreshed["id_token"]) else claims(refreshed["id_token"])
    assert refreshed_id["sub"] == id_claims["sub"]
    assert refreshed_id["auth_time"] == id_claims["auth_time"]

    # The discovery document's revocation endpoint ends the refresh token.
    client.revoke_token(metadata["revocation_endpoint"], token=token["refresh_token"],
                        token_type_hint="refresh_token")
    refused = httpx.post(metadata["token_endpoint"], data={
        "grant_type": "refresh_token", "client_id": client_id,
        "refresh_token": token["refresh_token"]})
    assert refused.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_confidential_client(world, method):
    metadata = discover(world)
    app = world["confidential"]
    client = OAuth2Client(app["ClientId"], app["ClientSecret"], scope="openid " + READ,
                          redirect_uri=CALLBACK, token_endpoint_auth_method=method)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"])
    token = client.fetch_token(metadata["token_endpoint"],
                               authorization_response=browser_sign_in(world, url), state=state)
    assert claims(token["access_token"])["scope"] == "openid " + READ
    wrong = OAuth2Client(app["ClientId"], "not-the-secret", redirect_uri=CALLBACK,
                         token_endpoint_auth_method=method)
    with pytest.raises(OAuthError) as refused:
        wrong.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_client"


def test_refreshed_tokens_keep_the_oauth_scopes(world):
    metadata = discover(world)
    client = OAuth2Client(world["public"]["ClientId"], scope="openid email",
                          redirect_uri=CALLBACK, token_endpoint_auth_method="none")
    url, state = client.create_authorization_url(metadata["authorization_endpoint"])
    client.fetch_token(metadata["token_endpoint"],
                       authorization_response=browser_sign_in(world, url), state=state)
    refreshed = client.refresh_token(metadata["token_endpoint"])
    assert claims(refreshed["access_token"])["scope"] == "openid email"
    assert client.get(metadata["userinfo_endpoint"]).status_code == 200


def test_client_credentials_through_httpx(world):
    metadata = discover(world)
    machine = world["machine"]
    answer = httpx.post(metadata["token_endpoint"],
                        data={"grant_type": "client_credentials", "scope": f"{READ} {WRITE}"},
                        auth=(machine["ClientId"], machine["ClientSecret"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    access = claims(body["access_token"])
    assert access["scope"] == f"{READ} {WRITE}" and access["client_id"] == machine["ClientId"]
    keys = KeySet.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    assert jwt.decode(body["access_token"], keys, algorithms=["RS256"]).claims["iss"] == \
        metadata["issuer"]


@requires("node_modules")
def test_aws_jwt_verify_accepts_the_oauth_tokens(world):
    metadata = discover(world)
    pool_id = world["pool_id"]
    machine = world["machine"]
    m2m = httpx.post(metadata["token_endpoint"], data={"grant_type": "client_credentials"},
                     auth=(machine["ClientId"], machine["ClientSecret"])).json()
    result = run_node("jwt_verify.mjs", json.dumps({
        "mode": "cognito", "poolId": pool_id, "clientId": machine["ClientId"],
        "jwksUri": metadata["jwks_uri"], "accessToken": m2m["access_token"]}))
    assert result["access"] == {"ok": True, "token_use": "access", "sub": machine["ClientId"]}

    client_id = world["public"]["ClientId"]
    client = OAuth2Client(client_id, scope="openid email", redirect_uri=CALLBACK,
                          code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = generate_token(64)
    url, state = client.create_authorization_url(metadata["authorization_endpoint"],
                                                 code_verifier=verifier)
    token = client.fetch_token(metadata["token_endpoint"],
                               authorization_response=browser_sign_in(world, url), state=state,
                               code_verifier=verifier)
    result = run_node("jwt_verify.mjs", json.dumps({
        "mode": "cognito", "poolId": pool_id, "clientId": client_id,
        "jwksUri": metadata["jwks_uri"], "idToken": token["id_token"],
        "accessToken": token["access_token"]}))
    assert result["id"]["ok"] is True and result["access"]["ok"] is True, result
    assert result["idAsAccess"]["ok"] is False
