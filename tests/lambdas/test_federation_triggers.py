"""Lambda triggers of federated sign-in (COGNITO_REFERENCE 4.3, 8.6): PreSignUp_ExternalProvider
and PostConfirmation_ConfirmSignUp the first time, PreAuthentication / PostAuthentication later,
the DG's pattern of linking the identity from the pre sign-up function, and
TokenGeneration_HostedAuth when the code is redeemed.

The functions are the handlers below, configured in an emulator of this module's own
(COGNITO_EMULATOR_FUNCTIONS) and run by its Python runner: a worker process loads this file
by path, so module-level code here uses only the standard library and pytest. Each appends
the event it got to the file named by FED_TEST_EVENTS. Every sign-in goes through the HTTP
endpoints (tests/support/saml_rig.py: the IdP's response POSTed to /saml2/idpresponse, the
code redeemed at /oauth2/token); results are checked through boto3.
"""
import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
FUNCTIONS = {name: f"{HERE}:{name}" for name in
             ("fed_pre_sign_up", "fed_post_confirmation", "fed_pre_auth", "fed_post_auth",
              "fed_pre_token")}
TRIGGERS = {"PreSignUp": "fed_pre_sign_up", "PostConfirmation": "fed_post_confirmation",
            "PreAuthentication": "fed_pre_auth", "PostAuthentication": "fed_post_auth"}
ISSUER = "https://idp.example.test/saml"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
MAPPING = {"email": EMAIL_CLAIM, "given_name": GIVEN_CLAIM}


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


# --- the functions (run in the emulator's worker process) ---------------------------------------

def _record(event):
    with open(os.environ["FED_TEST_EVENTS"], "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")


def _given(event):
    return event["request"]["userAttributes"].get("given_name", "")


def fed_pre_sign_up(event, context):
    _record(event)
    if _given(event) == "Blocked":
        raise Exception("Federation from this IdP is closed.")
    if _given(event) == "LinkMe":
        # The DG pattern: link the incoming identity to an existing user before its profile
        # is created. (The store is suspended while the function runs, so this works.) The
        # emulator gives its functions AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
        import boto3
        name, subject = event["userName"].split("_", 1)
        boto3.client("cognito-idp", region_name=event["region"]).admin_link_provider_for_user(
            UserPoolId=event["userPoolId"],
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "target"},
            SourceUser={"ProviderName": name, "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": subject})
    # Asked for, but a federated user stays EXTERNAL_PROVIDER with what the IdP mapped.
    event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)
    return event


def fed_post_confirmation(event, context):
    _record(event)
    if _given(event) == "PostFail":
        raise Exception("Could not create the profile")
    return event


def fed_pre_auth(event, context):
    _record(event)
    if _given(event) == "Deny":
        raise Exception("Sign-in denied by policy")
    return event


def fed_post_auth(event, context):
    _record(event)
    return event


def fed_pre_token(event, context):
    _record(event)
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"department": "research"}}
    return event


# --- the rig ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """An emulator whose functions are the handlers above: (url, boto3 client, events file)."""
    import boto3
    from botocore.config import Config

    from tests.support.server import RunningServer
    events_file = tmp_path_factory.mktemp("fed") / "events.jsonl"
    events_file.write_text("")
    env = {"FED_TEST_EVENTS": str(events_file),
           "COGNITO_EMULATOR_FUNCTIONS": json.dumps(FUNCTIONS)}
    with RunningServer(["--in-memory", "--log-level", "warning"], env=env) as running:
        cognito = boto3.client("cognito-idp", endpoint_url=running.url, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing",
                               config=Config(retries={"max_attempts": 1}))
        yield running.url, cognito, events_file


@pytest.fixture
def federate(emulator):
    """federate(triggers) -> a SamlRig whose pool runs these triggers (default TRIGGERS),
    IdP-initiated sign-in on; deleted afterwards."""
    from tests.support.saml_rig import rigs
    url, cognito, _ = emulator
    with rigs(cognito, url, entity_id=ISSUER, mapping=MAPPING,
              details={"IDPInit": "true"}) as make:
        yield lambda triggers=None: make(lambda_config={
            trigger: arn(name) for trigger, name in (triggers or TRIGGERS).items()})


@pytest.fixture
def rig(federate):
    return federate()


def events(emulator, pool_id, source=None):
    out = []
    for line in emulator[2].read_text().splitlines():
        event = json.loads(line)
        if event["userPoolId"] == pool_id and (source is None or event["triggerSource"] == source):
            out.append(event)
    return out


def assertion(given="Ada", email="ada@example.com"):
    return {EMAIL_CLAIM: [email], GIVEN_CLAIM: [given]}


def attrs(user):
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


# --- first sign-in ----------------------------------------------------------------------------

def test_first_sign_in_fires_pre_sign_up_and_post_confirmation(emulator, rig):
    pool_id, client_id = rig.pool_id, rig.client_id
    assert rig.signed_in_as("ada-1", assertion()) == "Corp_ada-1"
    got = rig.cognito.admin_get_user(UserPoolId=pool_id, Username="Corp_ada-1")
    # autoConfirmUser / autoVerifyEmail from the function change nothing
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
    assert "email_verified" not in attrs(got)

    sources = [e["triggerSource"] for e in events(emulator, pool_id)]
    assert sources == ["PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp"]
    pre = events(emulator, pool_id, "PreSignUp_ExternalProvider")[0]
    assert pre["userName"] == "Corp_ada-1"
    assert pre["callerContext"]["clientId"] == client_id
    assert pre["region"] == "us-east-1" and pre["version"] == "1"
    ua = pre["request"]["userAttributes"]
    assert ua["email"] == "ada@example.com" and ua["given_name"] == "Ada"
    # as in a captured real event: the mapped attributes only, validationData {}
    assert "sub" not in ua and "identities" not in ua
    assert pre["request"]["validationData"] == {}
    assert pre["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False,
                               "autoVerifyPhone": False}

    post = events(emulator, pool_id, "PostConfirmation_ConfirmSignUp")[0]
    assert post["userName"] == "Corp_ada-1"
    assert post["request"]["userAttributes"]["cognito:user_status"] == "EXTERNAL_PROVIDER"
    assert post["request"]["userAttributes"]["sub"] == attrs(got)["sub"]


def test_pre_sign_up_denial_creates_nothing(emulator, rig):
    pool_id = rig.pool_id
    assert rig.refused("blocked", assertion(given="Blocked")) == \
        "PreSignUp failed with error Federation from this IdP is closed.."
    assert rig.users() == []
    assert not events(emulator, pool_id, "PostConfirmation_ConfirmSignUp")


def test_post_confirmation_failure_undoes_the_new_profile(emulator, rig):
    pool_id = rig.pool_id
    assert rig.refused("pf", assertion(given="PostFail")) == \
        "PostConfirmation failed with error Could not create the profile."
    assert rig.users() == []
    # the next try is a first sign-in again
    assert rig.signed_in_as("pf", assertion(given="Fine")) == "Corp_pf"
    assert len(events(emulator, pool_id, "PreSignUp_ExternalProvider")) == 2


# --- later sign-ins ---------------------------------------------------------------------------

def test_later_sign_in_fires_authentication_triggers(emulator, rig):
    pool_id, client_id = rig.pool_id, rig.client_id
    rig.signed_in_as("again", assertion())
    rig.signed_in_as("again", assertion(given="Ada L."), idp_initiated=False)  # SP-initiated
    sources = [e["triggerSource"] for e in events(emulator, pool_id)]
    assert sources == ["PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp",
                       "PreAuthentication_Authentication", "PostAuthentication_Authentication"]
    pre = events(emulator, pool_id, "PreAuthentication_Authentication")[0]
    assert pre["userName"] == "Corp_again"
    assert pre["callerContext"]["clientId"] == client_id
    # before the refresh: what the user held
    assert pre["request"]["userAttributes"]["given_name"] == "Ada"
    assert pre["request"]["userAttributes"]["cognito:user_status"] == "EXTERNAL_PROVIDER"
    post = events(emulator, pool_id, "PostAuthentication_Authentication")[0]
    assert post["request"]["userAttributes"]["given_name"] == "Ada L."
    assert post["request"]["newDeviceUsed"] is False


def test_pre_authentication_denial_changes_nothing(emulator, rig):
    pool_id = rig.pool_id
    rig.signed_in_as("deny", assertion(given="Deny", email="d@x.example"))
    assert rig.refused("deny", assertion(given="Deny", email="new@x.example")) == \
        "PreAuthentication failed with error Sign-in denied by policy."
    got = rig.cognito.admin_get_user(UserPoolId=pool_id, Username="Corp_deny")
    assert attrs(got)["email"] == "d@x.example"
    assert not events(emulator, pool_id, "PostAuthentication_Authentication")


def test_linked_identity_fires_authentication_triggers_for_the_destination(emulator, rig):
    pool_id, cog = rig.pool_id, rig.cognito
    cog.admin_create_user(UserPoolId=pool_id, Username="target", MessageAction="SUPPRESS")
    cog.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "target"},
        SourceUser={"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "linked-1"})
    n_before = len(events(emulator, pool_id))
    assert rig.signed_in_as("linked-1", assertion()) == "target"
    sources = [e["triggerSource"] for e in events(emulator, pool_id)[n_before:]]
    assert sources == ["PreAuthentication_Authentication", "PostAuthentication_Authentication"]
    assert events(emulator, pool_id, "PreAuthentication_Authentication")[0]["userName"] == \
        "target"


def test_pre_sign_up_function_may_link_the_identity(emulator, rig):
    pool_id, cog = rig.pool_id, rig.cognito
    cog.admin_create_user(UserPoolId=pool_id, Username="target", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "t@example.com"}])
    n_before = len(events(emulator, pool_id))   # AdminCreateUser's PreSignUp_AdminCreateUser
    assert rig.signed_in_as("via-trigger",
                            assertion(given="LinkMe", email="t@corp.example.com")) == "target"
    assert [u["Username"] for u in cog.list_users(UserPoolId=pool_id)["Users"]] == ["target"]
    a = attrs(cog.admin_get_user(UserPoolId=pool_id, Username="target"))
    assert a["email"] == "t@corp.example.com" and a["given_name"] == "LinkMe"
    ids = json.loads(a["identities"])
    assert [(i["userId"], i["issuer"]) for i in ids] == [("via-trigger",
                                                          "https://idp.example.test/saml")]
    # No PostConfirmation (no profile was created) and no PreAuthentication (the sign-in
    # already passed PreSignUp); PostAuthentication for the user it signs in as.
    sources = [e["triggerSource"] for e in events(emulator, pool_id)[n_before:]]
    assert sources == ["PreSignUp_ExternalProvider", "PostAuthentication_Authentication"]


# --- tokens -----------------------------------------------------------------------------------

def test_pre_token_generation_fires_when_the_code_is_redeemed(emulator, federate):
    fed = federate({**TRIGGERS, "PreTokenGeneration": "fed_pre_token"})
    pool_id = fed.pool_id
    done = fed.sign_in("tok-1", assertion())
    assert done.code
    # the code is not the tokens: nothing yet
    assert not events(emulator, pool_id, "TokenGeneration_HostedAuth")
    id_claims = fed.id_claims(done)
    assert id_claims["cognito:username"] == "Corp_tok-1"
    assert id_claims["department"] == "research"            # added by the function
    assert id_claims["email"] == "ada@example.com"
    assert id_claims["identities"][0]["userId"] == "tok-1"

    [event] = events(emulator, pool_id, "TokenGeneration_HostedAuth")
    assert event["userName"] == "Corp_tok-1"
    assert event["callerContext"]["clientId"] == fed.client_id
    ua = event["request"]["userAttributes"]
    assert ua["email"] == "ada@example.com" and ua["given_name"] == "Ada"
    assert ua["cognito:user_status"] == "EXTERNAL_PROVIDER"
    sources = [e["triggerSource"] for e in events(emulator, pool_id)]
    assert sources == ["PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp",
                       "TokenGeneration_HostedAuth"]


# --- OIDC / social: the same triggers through the built-in Google mock --------------------------

def test_google_mock_sign_in_runs_the_external_provider_triggers(emulator):
    import httpx

    from tests.support.oidc_flow import fed_pool, redeem, sign_in
    url, cognito, _ = emulator
    pool_id, client_id = fed_pool(
        cognito, mapping={"email": "email", "given_name": "given_name"},
        providers=[{"ProviderName": "Google", "ProviderType": "Google", "ProviderDetails": {
            "client_id": "mock-google-client", "client_secret": "s",
            "authorize_scopes": "openid email profile"}}],
        LambdaConfig={"PreSignUp": arn("fed_pre_sign_up"),
                      "PostConfirmation": arn("fed_post_confirmation"),
                      "PreTokenGeneration": arn("fed_pre_token")})
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            got = sign_in(http, client_id, "Google",
                          {"sub": "g-1", "email": "ada@example.com", "name": "Ada Byron"})
            tokens = redeem(http, client_id, got["code"])
        (pre,) = events(emulator, pool_id, "PreSignUp_ExternalProvider")
        assert pre["userName"] == "Google_g-1"
        assert pre["request"]["userAttributes"] == {"email": "ada@example.com",
                                                    "given_name": "Ada"}
        assert len(events(emulator, pool_id, "PostConfirmation_ConfirmSignUp")) == 1
        (token_event,) = events(emulator, pool_id, "TokenGeneration_HostedAuth")
        assert token_event["userName"] == "Google_g-1"
        from tests.support.factories import claims
        assert claims(tokens["id_token"])["department"] == "research"
    finally:
        from tests.support.factories import delete_pool
        delete_pool(cognito, pool_id)
