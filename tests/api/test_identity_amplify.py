"""Amplify JS v6 (aws-amplify in Node, tests/node/amplify_identity.mjs) against an identity
pool beside a user pool, both on the emulator (userPoolEndpoint, identityPoolEndpoint):
guest credentials, then sign-in and signed-in credentials for the same identity id."""
import re

from tests.support.clients import requires, run_node
from tests.support.factories import create_user, unique_name

pytestmark = requires("node_modules")
AUTH = "arn:aws:iam::000000000000:role/Amplify_Auth"
UNAUTH = "arn:aws:iam::000000000000:role/Amplify_Unauth"


def test_amplify_guest_then_signed_in_credentials_keep_the_identity_id(
        cognito, identity, http, make_pool, endpoint):
    pool_id = make_pool()
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="amplify",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    username = create_user(cognito, pool_id, unique_name("amp"))
    identity_pool_id = identity.create_identity_pool(
        IdentityPoolName=unique_name("amplify"), AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool_id}",
                                   "ClientId": client_id}])["IdentityPoolId"]
    try:
        identity.set_identity_pool_roles(IdentityPoolId=identity_pool_id,
                                         Roles={"authenticated": AUTH, "unauthenticated": UNAUTH})
        got = run_node("amplify_identity.mjs", endpoint, pool_id, client_id, identity_pool_id,
                       username, "Passw0rd!")
        assert got["ok"], got
        guest, signed_in = got["guest"], got["signedIn"]
        for session in (guest, signed_in):
            assert re.fullmatch(r"ASIA[A-Z0-9]{16}", session["accessKeyId"])
            assert len(session["secretAccessKey"]) == 40 and session["sessionToken"]
        assert not guest["signedIn"] and signed_in["signedIn"]
        assert got["signInStep"] == "DONE"
        assert signed_in["identityId"] == guest["identityId"]
        assert guest["identityId"].startswith("us-east-1:")
        recorded = http.get("/_emulator/credentials",
                            params={"identityId": guest["identityId"]}).json()["credentials"]
        roles = {r["AccessKeyId"]: r["RoleArn"] for r in recorded}
        assert roles[guest["accessKeyId"]] == UNAUTH
        assert roles[signed_in["accessKeyId"]] == AUTH
    finally:
        identity.delete_identity_pool(IdentityPoolId=identity_pool_id)
