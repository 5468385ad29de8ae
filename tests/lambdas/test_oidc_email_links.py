"""An email link made by the PreSignUp function during an OIDC identity's first sign-in (the
DG's "link in a Pre sign-up trigger" pattern, by email) follows the same rule as a link made
before: an email the provider has not verified never signs in as the user linked to it
(domain/federation.py, `_first_sign_in`), and changes nothing.

The issuer is the built-in generic OIDC mock, which signs whatever claims its login_hint asks
for: a provider that doesn't verify emails, as a hostile one would be. The function
(`link_by_email` below) runs in an emulator of this module's own (COGNITO_EMULATOR_FUNCTIONS),
loaded by path in a worker process, so module-level code here uses only the standard library
and pytest. Sign-ins go through the HTTP endpoints (tests/support/oidc_flow.py); users are
checked with boto3."""
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
FUNCTIONS = {"link_by_email": f"{HERE}:link_by_email"}
ARN = "arn:aws:lambda:us-east-1:000000000000:function:link_by_email"
PROVIDER = {"ProviderName": "Acme", "ProviderType": "OIDC",
            "ProviderDetails": {"client_id": "mock-oidc-client", "client_secret": "s",
                                "oidc_issuer": "https://mock.invalid",
                                "attributes_request_method": "GET",
                                "authorize_scopes": "openid email"}}


def link_by_email(event, context):
    """PreSignUp_ExternalProvider: link the incoming identity by its email to the user
    `alice` (the DG's pattern with ProviderAttributeName "email")."""
    import boto3
    name = event["userName"].split("_", 1)[0]
    email = event["request"]["userAttributes"].get("email")
    if event["triggerSource"] == "PreSignUp_ExternalProvider" and email == "alice@example.com":
        boto3.client("cognito-idp", region_name=event["region"]).admin_link_provider_for_user(
            UserPoolId=event["userPoolId"],
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
            SourceUser={"ProviderName": name, "ProviderAttributeName": "email",
                        "ProviderAttributeValue": email})
    return event


@pytest.fixture(scope="module")
def emulator():
    """(boto3 cognito-idp client, httpx client) of an emulator running link_by_email."""
    import boto3
    import httpx
    from botocore.config import Config

    from tests.support.server import RunningServer
    env = {"COGNITO_EMULATOR_FUNCTIONS": json.dumps(FUNCTIONS)}
    with RunningServer(["--in-memory", "--log-level", "warning"], env=env) as running:
        cognito = boto3.client("cognito-idp", endpoint_url=running.url, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing",
                               config=Config(retries={"max_attempts": 1}))
        with httpx.Client(base_url=running.url, timeout=30) as http:
            yield cognito, http


@pytest.fixture
def rig(emulator):
    """(pool id, client id): provider Acme (the OIDC mock, mapping email and
    email_verified), PreSignUp = link_by_email, and alice with a verified email."""
    from tests.support.factories import delete_pool
    from tests.support.oidc_flow import fed_pool
    cognito, _ = emulator
    pool_id, client_id = fed_pool(cognito, mapping={"email": "email",
                                                    "email_verified": "email_verified"},
                                  providers=[PROVIDER], LambdaConfig={"PreSignUp": ARN})
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    yield pool_id, client_id
    delete_pool(cognito, pool_id)


def users(cognito, pool_id: str) -> dict:
    from tests.support.factories import attrs_of
    return {u["Username"]: attrs_of(u) for u in cognito.list_users(UserPoolId=pool_id)["Users"]}


def test_a_verified_email_follows_the_link_the_function_made(emulator, rig):
    """The rig works: with email_verified true the identity signs in as alice."""
    from tests.support.factories import claims
    from tests.support.oidc_flow import redeem, sign_in
    cognito, http = emulator
    pool_id, client_id = rig
    got = sign_in(http, client_id, "Acme", {"sub": "acme-1", "email": "alice@example.com",
                                            "email_verified": True})
    assert claims(redeem(http, client_id, got["code"])["id_token"])["cognito:username"] == \
        "alice"
    assert list(users(cognito, pool_id)) == ["alice"]


def test_an_unverified_email_never_follows_the_link_the_function_made(emulator, rig):
    from tests.support.oidc_flow import sign_in
    cognito, http = emulator
    pool_id, client_id = rig
    for attempt in range(2):   # the second time the function's link exists beforehand
        got = sign_in(http, client_id, "Acme", {"sub": "acme-2", "email": "alice@example.com",
                                                "email_verified": False})
        assert got["error"] == "invalid_request" and "not verified" in \
            got["error_description"], attempt
        # No profile made; alice keeps her verified email, and the link the function made
        # (shown in her identities at once, as AdminLinkProviderForUser does) was never
        # followed: a sign-in through it would re-key it to the subject and the issuer.
        now = users(cognito, pool_id)
        assert list(now) == ["alice"]
        assert (now["alice"]["email"], now["alice"]["email_verified"]) == \
            ("alice@example.com", "true")
        assert [(i["userId"], i["issuer"]) for i in json.loads(now["alice"]["identities"])] \
            == [("alice@example.com", None)]
