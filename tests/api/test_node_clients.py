"""Node.js clients against the real server: AWS SDK v3, amazon-cognito-identity-js,
aws-jwt-verify."""
import json
import uuid

from tests.support.clients import requires, run_node
from tests.support.server import RunningServer

pytestmark = requires("node_modules")


def test_js_sdk_v3_pool_and_user_round_trip(endpoint):
    result = run_node("sdk_v3_roundtrip.mjs", endpoint)
    assert result["poolId"].startswith("us-east-1_")
    assert result["described"] == "js-sdk-v3"
    assert result["username"] == "js-user"
    assert result["status"] == "FORCE_CHANGE_PASSWORD"
    assert result["email"] == "js@example.com"
    assert result["createdIsDate"] is True
    assert result["errorName"] == "UserNotFoundException"
    assert result["errorMessage"] == "User does not exist."


def _user(cognito, pool_id, password="Passw0rd!"):
    name = f"node-{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=password,
                                    Permanent=True)
    return name


def test_identity_js_srp_sign_in(cognito, endpoint, pool_id, client_id):
    name = _user(cognito, pool_id)
    ok = run_node("identity_js_signin.mjs", endpoint, pool_id, client_id, name, "Passw0rd!")
    assert ok["ok"] is True and ok["valid"] is True
    assert ok["username"] == name
    bad = run_node("identity_js_signin.mjs", endpoint, pool_id, client_id, name, "Wrong-passw0rd")
    assert bad == {"ok": False, "code": "NotAuthorizedException",
                   "message": "Incorrect username or password."}


def _tokens(cognito, pool_id, client_id, name):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": name, "PASSWORD": "Passw0rd!"}
                                 )["AuthenticationResult"]


def test_aws_jwt_verify_with_local_issuer(cognito, endpoint, pool_id, client_id):
    tokens = _tokens(cognito, pool_id, client_id, _user(cognito, pool_id))
    issuer = f"{endpoint}/{pool_id}"
    result = run_node("jwt_verify.mjs", json.dumps({
        "mode": "generic", "issuer": issuer, "jwksUri": f"{issuer}/.well-known/jwks.json",
        "clientId": client_id, "idToken": tokens["IdToken"],
        "accessToken": tokens["AccessToken"]}))
    assert result["id"] == {"ok": True, "token_use": "id", "sub": result["id"]["sub"]}
    assert result["access"]["ok"] is True and result["access"]["token_use"] == "access"
    assert result["forged"]["ok"] is False


def test_cognito_jwt_verifier_with_aws_issuer_style():
    from tests.conftest import make_client
    with RunningServer(["--in-memory", "--issuer-style", "aws"]) as srv:
        c = make_client(srv.url)
        pool_id = c.create_user_pool(PoolName="aws-style")["UserPool"]["Id"]
        client_id = c.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        )["UserPoolClient"]["ClientId"]
        tokens = _tokens(c, pool_id, client_id, _user(c, pool_id))
        result = run_node("jwt_verify.mjs", json.dumps({
            "mode": "cognito", "poolId": pool_id, "clientId": client_id,
            "jwksUri": f"{srv.url}/{pool_id}/.well-known/jwks.json",
            "idToken": tokens["IdToken"], "accessToken": tokens["AccessToken"]}))
    assert result["id"]["ok"] is True, result
    assert result["access"]["ok"] is True, result
    assert result["idAsAccess"]["ok"] is False
