"""Tokens through the real server: issuer documents, RevokeToken, GlobalSignOut,
AdminUserGlobalSignOut, GetTokensFromRefreshToken, and sign-in to refresh to revocation."""
import base64
import json
import uuid

import botocore.exceptions
import httpx
import jwt
import pytest

from tests.conftest import make_client
from tests.support.server import RunningServer

PASSWORD = "Correct-Horse-9!"
FAKE_REFRESH = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.aaaa.bbbb.cccc.dddd"


def error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_client(cognito, pool_id, **extra) -> str:
    return cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="tok",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **extra)["UserPoolClient"]


def new_user(cognito, pool_id, name="alice") -> str:
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                    Permanent=True)
    return name


def sign_in(cognito, client_id, name="alice", secret_hash=None) -> dict:
    params = {"USERNAME": name, "PASSWORD": PASSWORD}
    if secret_hash:
        params["SECRET_HASH"] = secret_hash
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters=params)["AuthenticationResult"]


def verify(http, pool_id, token, **kwargs) -> dict:
    """Verify like a resource server would: kid from the header, key from our JWKS."""
    jwks = http.get(f"/{pool_id}/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    return jwt.decode(token, key, algorithms=["RS256"],
                      options={"verify_aud": "audience" in kwargs}, **kwargs)


# ------------------------------------------------------------------ issuer documents

def test_jwks_over_http(http, pool_id):
    r = http.get(f"/{pool_id}/.well-known/jwks.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    assert len(doc["keys"]) == 2 and doc["keys"][0]["kid"] != doc["keys"][1]["kid"]
    for k in doc["keys"]:
        assert (k["alg"], k["kty"], k["use"], k["e"]) == ("RS256", "RSA", "sig", "AQAB")
        assert len(k["kid"]) == 44
        jwt.PyJWK(k)  # a usable RSA key
    assert http.get(f"/{pool_id}/.well-known/jwks.json").json() == doc


def test_openid_configuration(http, endpoint, pool_id):
    r = http.get(f"/{pool_id}/.well-known/openid-configuration")
    assert r.status_code == 200
    doc = r.json()
    assert doc["issuer"] == f"{endpoint}/{pool_id}"
    assert doc["jwks_uri"] == f"{endpoint}/{pool_id}/.well-known/jwks.json"
    assert doc["authorization_endpoint"] == f"{endpoint}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{endpoint}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{endpoint}/oauth2/userInfo"
    assert doc["end_session_endpoint"] == f"{endpoint}/logout"
    assert doc["revocation_endpoint"] == f"{endpoint}/oauth2/revoke"
    assert doc["response_types_supported"] == ["code", "token"]
    assert doc["scopes_supported"] == ["openid", "email", "phone", "profile"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_basic",
                                                            "client_secret_post"]
    assert http.get(doc["jwks_uri"]).status_code == 200


@pytest.mark.parametrize("doc", ["jwks.json", "openid-configuration"])
def test_unknown_pool_is_404(http, doc):
    r = http.get(f"/us-east-1_NoSuchPl1/.well-known/{doc}")
    assert r.status_code == 404
    assert r.json() == {"message": "User pool us-east-1_NoSuchPl1 does not exist."}


def test_deleted_pool_is_404(cognito, http):
    pool_id = cognito.create_user_pool(PoolName="gone")["UserPool"]["Id"]
    assert http.get(f"/{pool_id}/.well-known/jwks.json").status_code == 200
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert http.get(f"/{pool_id}/.well-known/jwks.json").status_code == 404


def test_jwks_survives_restart(tmp_path):
    with RunningServer(["--data-dir", str(tmp_path), "--log-level", "warning"]) as first:
        pool_id = make_client(first.url).create_user_pool(PoolName="p")["UserPool"]["Id"]
        before = httpx.get(f"{first.url}/{pool_id}/.well-known/jwks.json").json()
    with RunningServer(["--data-dir", str(tmp_path), "--log-level", "warning"]) as second:
        after = httpx.get(f"{second.url}/{pool_id}/.well-known/jwks.json").json()
    assert after == before


# ------------------------------------------------------------------ error paths without a sign-in

def test_global_sign_out_refuses_bad_tokens(cognito, pool_id, http):
    assert error(cognito.global_sign_out, AccessToken="not-a-jwt") == \
        ("NotAuthorizedException", "Invalid Access Token")
    kid = http.get(f"/{pool_id}/.well-known/jwks.json").json()["keys"][1]["kid"]
    claims = {"sub": str(uuid.uuid4()), "iss": f"http://x/{pool_id}", "token_use": "access",
              "scope": "aws.cognito.signin.user.admin", "exp": 4_000_000_000,
              "username": "alice", "origin_jti": str(uuid.uuid4())}
    unsigned = (b64url(json.dumps({"kid": kid, "alg": "none"}).encode()) + "." +
                b64url(json.dumps(claims).encode()) + ".")
    assert error(cognito.global_sign_out, AccessToken=unsigned) == \
        ("NotAuthorizedException", "Invalid Access Token")


def test_admin_user_global_sign_out(cognito, pool_id):
    assert error(cognito.admin_user_global_sign_out, UserPoolId="us-east-1_NoSuchPl1",
                 Username="x") == ("ResourceNotFoundException",
                                   "User pool us-east-1_NoSuchPl1 does not exist.")
    assert error(cognito.admin_user_global_sign_out, UserPoolId=pool_id, Username="nobody") == \
        ("UserNotFoundException", "User does not exist.")
    new_user(cognito, pool_id)
    r = cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_revoke_token_error_paths(cognito, pool_id, client_id):
    code, _ = error(cognito.revoke_token, Token=FAKE_REFRESH, ClientId="nosuchclient1")
    assert code == "UnauthorizedException"
    # Not one of our refresh tokens: nothing to revoke, no error (RFC 7009)
    cognito.revoke_token(Token=FAKE_REFRESH, ClientId=client_id)
    code, _ = error(cognito.revoke_token, Token="aaa.bbb.ccc", ClientId=client_id)
    assert code == "UnsupportedTokenTypeException"
    off = new_client(cognito, pool_id, EnableTokenRevocation=False)["ClientId"]
    code, _ = error(cognito.revoke_token, Token=FAKE_REFRESH, ClientId=off)
    assert code == "UnsupportedOperationException"
    confidential = new_client(cognito, pool_id, GenerateSecret=True)
    assert error(cognito.revoke_token, Token=FAKE_REFRESH, ClientId=confidential["ClientId"]) == \
        ("UnauthorizedException",
         f"Client {confidential['ClientId']} is configured for secret but secret was not received")
    code, _ = error(cognito.revoke_token, Token=FAKE_REFRESH, ClientId=confidential["ClientId"],
                    ClientSecret="w" * 40)
    assert code == "UnauthorizedException"
    cognito.revoke_token(Token=FAKE_REFRESH, ClientId=confidential["ClientId"],
                         ClientSecret=confidential["ClientSecret"])


def test_get_tokens_from_refresh_token_error_paths(cognito, pool_id, client_id):
    assert error(cognito.get_tokens_from_refresh_token, RefreshToken=FAKE_REFRESH,
                 ClientId="nosuchclient1") == \
        ("ResourceNotFoundException", "User pool client nosuchclient1 does not exist.")
    assert error(cognito.get_tokens_from_refresh_token, RefreshToken=FAKE_REFRESH,
                 ClientId=client_id) == ("NotAuthorizedException", "Invalid Refresh Token")
    confidential = new_client(cognito, pool_id, GenerateSecret=True)
    code, message = error(cognito.get_tokens_from_refresh_token, RefreshToken=FAKE_REFRESH,
                          ClientId=confidential["ClientId"])
    assert code == "NotAuthorizedException" and "secret was not received" in message
    assert error(cognito.get_tokens_from_refresh_token, RefreshToken=FAKE_REFRESH,
                 ClientId=confidential["ClientId"], ClientSecret=confidential["ClientSecret"]) \
        == ("NotAuthorizedException", "Invalid Refresh Token")


# ------------------------------------------------------------------ end to end (needs InitiateAuth)

def test_sign_in_tokens_verify_against_jwks(cognito, http, endpoint, pool_id,
                                           client_id):
    new_user(cognito, pool_id)
    result = sign_in(cognito, client_id)
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    access = verify(http, pool_id, result["AccessToken"])
    idt = verify(http, pool_id, result["IdToken"], audience=client_id)
    assert access["iss"] == idt["iss"] == f"{endpoint}/{pool_id}"
    assert access["client_id"] == client_id and access["username"] == "alice"
    assert access["token_use"] == "access" and idt["token_use"] == "id"
    assert idt["email"] == "alice@example.com" and idt["email_verified"] is True
    assert idt["cognito:username"] == "alice" and idt["sub"] == access["sub"]
    assert result["RefreshToken"].count(".") == 4
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"


def test_refresh_then_revoke(cognito, http, pool_id, client_id):
    new_user(cognito, pool_id)
    first = sign_in(cognito, client_id)
    other = sign_in(cognito, client_id)
    again = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}
                                  )["AuthenticationResult"]
    assert "RefreshToken" not in again
    via_api = cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                                    ClientId=client_id)["AuthenticationResult"]
    assert "RefreshToken" not in via_api
    origin = verify(http, pool_id, first["AccessToken"])["origin_jti"]
    assert verify(http, pool_id, via_api["AccessToken"])["origin_jti"] == origin

    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    for token in (first["AccessToken"], again["AccessToken"], via_api["AccessToken"]):
        assert error(cognito.get_user, AccessToken=token) == \
            ("NotAuthorizedException", "Access Token has been revoked")
    assert error(cognito.get_tokens_from_refresh_token, RefreshToken=first["RefreshToken"],
                 ClientId=client_id) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert cognito.get_user(AccessToken=other["AccessToken"])["Username"] == "alice"


def test_rotation(cognito, pool_id, clock):
    client_id = new_client(cognito, pool_id, RefreshTokenRotation={
        "Feature": "ENABLED", "RetryGracePeriodSeconds": 10})["ClientId"]
    new_user(cognito, pool_id)
    first = sign_in(cognito, client_id)
    clock.pin()
    rotated = cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                                    ClientId=client_id)["AuthenticationResult"]
    assert rotated["RefreshToken"] != first["RefreshToken"]
    cognito.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=client_id)
    clock.advance(11)
    code, _ = error(cognito.get_tokens_from_refresh_token, RefreshToken=first["RefreshToken"],
                    ClientId=client_id)
    assert code == "RefreshTokenReuseException"
    cognito.get_tokens_from_refresh_token(RefreshToken=rotated["RefreshToken"], ClientId=client_id)


def test_global_sign_outs(cognito, pool_id, client_id, clock):
    new_user(cognito, pool_id)
    new_user(cognito, pool_id, "bob")
    a, b = sign_in(cognito, client_id), sign_in(cognito, client_id)
    bob = sign_in(cognito, client_id, "bob")
    cognito.global_sign_out(AccessToken=a["AccessToken"])
    for s in (a, b):
        assert error(cognito.get_user, AccessToken=s["AccessToken"]) == \
            ("NotAuthorizedException", "Access Token has been revoked")
        assert error(cognito.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                     AuthParameters={"REFRESH_TOKEN": s["RefreshToken"]}) == \
            ("NotAuthorizedException", "Refresh Token has been revoked")
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    clock.pin()  # a sign-in in the same second as the sign-out is not affected by it
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    fresh = sign_in(cognito, client_id)
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"
    clock.advance(3600)
    assert error(cognito.get_user, AccessToken=fresh["AccessToken"]) == \
        ("NotAuthorizedException", "Access Token has expired")


def test_revoked_refresh_token_stays_revoked_after_restart(tmp_path):
    args = ["--data-dir", str(tmp_path), "--log-level", "warning"]
    with RunningServer(args) as first:
        cognito = make_client(first.url)
        pool_id = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
        client_id = new_client(cognito, pool_id)["ClientId"]
        new_user(cognito, pool_id)
        revoked, kept = sign_in(cognito, client_id), sign_in(cognito, client_id)
        cognito.revoke_token(Token=revoked["RefreshToken"], ClientId=client_id)
        jwks = httpx.get(f"{first.url}/{pool_id}/.well-known/jwks.json").json()
    with RunningServer(args) as second:
        cognito = make_client(second.url)
        assert httpx.get(f"{second.url}/{pool_id}/.well-known/jwks.json").json() == jwks
        assert error(cognito.get_tokens_from_refresh_token, RefreshToken=revoked["RefreshToken"],
                     ClientId=client_id) == \
            ("NotAuthorizedException", "Refresh Token has been revoked")
        fresh = cognito.get_tokens_from_refresh_token(RefreshToken=kept["RefreshToken"],
                                                      ClientId=client_id)["AuthenticationResult"]
        # Issued by the restarted server (new port, new issuer URL) and still ours
        assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"
        assert cognito.get_user(AccessToken=kept["AccessToken"])["Username"] == "alice"
