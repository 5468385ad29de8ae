"""User-pool Lambda triggers end to end, for each runner: a Python handler file, a Node.js
handler file, and the Lambda Invoke API (tests/lambdas/invoke_server.py, a stand-in for
`sam local start-lambda`, serving the Python handlers).

The handlers (tests/lambdas/triggers_py.py and triggers_node.mjs, the Invoke API serving the
Python ones) append every event they receive to a file; each test asserts the event Cognito
would send and, through boto3, the effect of each response field.
"""
import json
import os
import textwrap
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.lambdas import triggers_py
from tests.lambdas.invoke_server import InvokeServer
from tests.support.factories import PASSWORD, attrs_of, claims, error, unique_name
from tests.support.server import RunningServer
from tests.support.srp_client import SrpClient

HANDLERS = Path(__file__).resolve().parents[1] / "lambdas"
FUNCTIONS = ["pre_sign_up", "post_confirmation", "pre_authentication", "post_authentication",
             "custom_message", "pre_token", "migrate_user"]
ALL_TRIGGERS = {"PreSignUp": "pre_sign_up", "PostConfirmation": "post_confirmation",
                "PreAuthentication": "pre_authentication",
                "PostAuthentication": "post_authentication", "CustomMessage": "custom_message",
                "PreTokenGeneration": "pre_token", "UserMigration": "migrate_user"}
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


# --- the rig: one emulator per runner ---------------------------------------------------------

class Rig:
    def __init__(self, runner: str, url: str, events_file: Path):
        self.runner = runner
        self.url = url
        self.events_file = events_file
        self.cognito = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                                    aws_access_key_id="testing", aws_secret_access_key="testing",
                                    config=Config(retries={"max_attempts": 1}))
        self.http = httpx.Client(base_url=url, timeout=30)

    def pool(self, triggers=None, **params) -> str:
        """A pool whose LambdaConfig names the test functions (trigger -> function name)."""
        config = {key: arn(name) for key, name in (triggers or ALL_TRIGGERS).items()}
        if "PreTokenGenerationConfig" in params:
            version = params.pop("PreTokenGenerationConfig")
            config.pop("PreTokenGeneration", None)
            config["PreTokenGenerationConfig"] = {"LambdaVersion": version,
                                                  "LambdaArn": arn("pre_token")}
        params.setdefault("PoolName", unique_name("trig"))
        return self.cognito.create_user_pool(LambdaConfig=config, **params)["UserPool"]["Id"]

    def client(self, pool_id: str, **params) -> str:
        params.setdefault("ExplicitAuthFlows", FLOWS)
        return self.cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                    **params)["UserPoolClient"]["ClientId"]

    def events(self, pool_id: str, source: str | None = None) -> list[dict]:
        out = []
        for line in self.events_file.read_text().splitlines():
            event = json.loads(line)
            if event.get("userPoolId") == pool_id and (source is None
                                                       or event["triggerSource"] == source):
                out.append(event)
        return out

    def event(self, pool_id: str, source: str) -> dict:
        found = self.events(pool_id, source)
        assert len(found) == 1, f"{len(found)} {source} events"
        return found[0]

    def outbox(self, **filters) -> list[dict]:
        return self.http.get("/_emulator/messages", params=filters).json()["messages"]

    def user(self, pool_id: str, username: str) -> dict:
        return self.cognito.admin_get_user(UserPoolId=pool_id, Username=username)

    def create_user(self, pool_id: str, username: str, **attributes) -> str:
        """A CONFIRMED user with PASSWORD (AdminCreateUser + AdminSetUserPassword)."""
        self.cognito.admin_create_user(
            UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
        self.cognito.admin_set_user_password(UserPoolId=pool_id, Username=username,
                                             Password=PASSWORD, Permanent=True)
        return username

    def sign_in(self, client_id: str, username: str, password: str = PASSWORD, **extra) -> dict:
        return self.cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                          AuthParameters={"USERNAME": username,
                                                          "PASSWORD": password}, **extra)


@pytest.fixture(scope="module", params=["python", "node", "invoke"])
def rig(request, tmp_path_factory):
    runner = request.param
    tmp = tmp_path_factory.mktemp(f"triggers-{runner}")
    events_file = tmp / "events.jsonl"
    events_file.touch()
    args = ["--in-memory", "--log-level", "warning"]
    api = None
    saved = os.environ.get("COGNITO_TEST_EVENTS_FILE")
    if runner == "invoke":
        api = InvokeServer(triggers_py)
        args += ["--lambda-endpoint", api.url]
        os.environ["COGNITO_TEST_EVENTS_FILE"] = str(events_file)  # handlers run in this process
    else:
        source = HANDLERS / ("triggers_py.py" if runner == "python" else "triggers_node.mjs")
        config = tmp / "emulator.yaml"
        config.write_text("functions:\n" + textwrap.indent(
            "".join(f"{name}: {source}:{name}\n" for name in FUNCTIONS), "  "))
        args += ["--config", str(config)]
    try:
        with RunningServer(args, env={"COGNITO_TEST_EVENTS_FILE": str(events_file)}) as srv:
            yield Rig(runner, srv.url, events_file)
    finally:
        if api is not None:
            api.close()
        if saved is None:
            os.environ.pop("COGNITO_TEST_EVENTS_FILE", None)
        else:
            os.environ["COGNITO_TEST_EVENTS_FILE"] = saved


def assert_envelope(event: dict, pool_id: str, source: str, user_name: str, client_id: str,
                    version: str = "1") -> None:
    assert event["version"] == version
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == user_name
    assert event["callerContext"]["clientId"] == client_id
    assert isinstance(event["callerContext"]["awsSdkVersion"], str)


# --- PreSignUp --------------------------------------------------------------------------------

def test_pre_sign_up_auto_confirms_and_verifies(rig):
    pool = rig.pool({"PreSignUp": "pre_sign_up"}, AutoVerifiedAttributes=["email"],
                    AliasAttributes=["email"])
    app = rig.client(pool)
    # Someone else holds the email as a verified alias: autoVerifyEmail moves it (DG).
    rig.create_user(pool, "holder", email="ann@example.com", email_verified="true")
    out = rig.cognito.sign_up(
        ClientId=app, Username="ann", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
        ValidationData=[{"Name": "autoConfirm", "Value": "yes"},
                        {"Name": "autoVerifyEmail", "Value": "yes"}],
        ClientMetadata={"campaign": "spring"})
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out

    event = rig.event(pool, "PreSignUp_SignUp")
    assert_envelope(event, pool, "PreSignUp_SignUp", "ann", app)
    assert event["request"] == {"userAttributes": {"email": "ann@example.com"},
                                "validationData": {"autoConfirm": "yes",
                                                   "autoVerifyEmail": "yes"},
                                "clientMetadata": {"campaign": "spring"}}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False,
                                 "autoVerifyPhone": False}

    user = rig.user(pool, "ann")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs_of(user)["email_verified"] == "true"
    assert attrs_of(rig.user(pool, "holder"))["email_verified"] == "false"
    assert rig.outbox(poolId=pool, username="ann") == []  # auto-confirmed: no code
    # The email now signs in as an alias.
    assert "AuthenticationResult" in rig.sign_in(app, "ann@example.com")


def test_pre_sign_up_defaults_keep_the_confirmation_code(rig):
    pool = rig.pool({"PreSignUp": "pre_sign_up"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    out = rig.cognito.sign_up(ClientId=app, Username="bob", Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    event = rig.event(pool, "PreSignUp_SignUp")
    assert event["request"] == {"userAttributes": {"email": "bob@example.com"},
                                "validationData": None}
    user = rig.user(pool, "bob")
    assert user["UserStatus"] == "UNCONFIRMED"
    assert "email_verified" not in attrs_of(user)
    assert len(rig.outbox(poolId=pool, username="bob", purpose="SIGN_UP")) == 1


def test_pre_sign_up_auto_verify_phone_without_confirming(rig):
    pool = rig.pool({"PreSignUp": "pre_sign_up"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    out = rig.cognito.sign_up(
        ClientId=app, Username="cy", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "cy@example.com"},
                        {"Name": "phone_number", "Value": "+15555550123"}],
        ValidationData=[{"Name": "autoVerifyPhone", "Value": "yes"}])
    assert out["UserConfirmed"] is False
    attrs = attrs_of(rig.user(pool, "cy"))
    assert attrs["phone_number_verified"] == "true" and "email_verified" not in attrs


def test_pre_sign_up_refusal_creates_nobody(rig):
    pool = rig.pool({"PreSignUp": "pre_sign_up"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    with pytest.raises(ClientError) as e:
        rig.cognito.sign_up(ClientId=app, Username="eve", Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "eve@blocked.example"}])
    assert error(e) == ("UserLambdaValidationException",
                        "PreSignUp failed with error Registration from this domain is not "
                        "allowed..")
    with pytest.raises(ClientError) as e:
        rig.user(pool, "eve")
    assert error(e)[0] == "UserNotFoundException"
    assert rig.outbox(poolId=pool) == []


def test_pre_sign_up_admin_create_user(rig):
    pool = rig.pool({"PreSignUp": "pre_sign_up"})
    rig.cognito.admin_create_user(
        UserPoolId=pool, Username="dan", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "dan@example.com"}],
        ValidationData=[{"Name": "autoConfirm", "Value": "yes"}],
        ClientMetadata={"by": "admin"})
    event = rig.event(pool, "PreSignUp_AdminCreateUser")
    assert_envelope(event, pool, "PreSignUp_AdminCreateUser", "dan", "CLIENT_ID_NOT_APPLICABLE")
    assert event["request"] == {"userAttributes": {"email": "dan@example.com"},
                                "validationData": {"autoConfirm": "yes"},
                                "clientMetadata": {"by": "admin"}}
    # The response is ignored for admin-created users.
    assert rig.user(pool, "dan")["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    with pytest.raises(ClientError) as e:
        rig.cognito.admin_create_user(
            UserPoolId=pool, Username="mallory", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "m@blocked.example"}])
    assert error(e) == ("UserLambdaValidationException",
                        "PreSignUp failed with error Registration from this domain is not "
                        "allowed..")
    with pytest.raises(ClientError) as e:
        rig.user(pool, "mallory")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


# --- CustomMessage ----------------------------------------------------------------------------

def test_custom_message_every_source(rig):
    pool = rig.pool({"CustomMessage": "custom_message"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)

    def last(username, purpose):
        found = rig.outbox(poolId=pool, username=username, purpose=purpose)
        assert found, purpose
        return found[-1]

    # SignUp
    rig.cognito.sign_up(ClientId=app, Username="fay", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "fay@example.com"}],
                        ClientMetadata={"screen": "signup"})
    sent = last("fay", "SIGN_UP")
    assert sent["message"] == f"[CustomMessage_SignUp] code {sent['code']}"
    assert sent["subject"] == "Subject CustomMessage_SignUp"
    event = rig.event(pool, "CustomMessage_SignUp")
    assert_envelope(event, pool, "CustomMessage_SignUp", "fay", app)
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] is None
    assert event["request"]["clientMetadata"] == {"screen": "signup"}
    assert event["request"]["userAttributes"]["email"] == "fay@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}

    # ResendCode, then the confirmation works with the customised message's code.
    rig.cognito.resend_confirmation_code(ClientId=app, Username="fay")
    sent = last("fay", "SIGN_UP")
    assert sent["message"] == f"[CustomMessage_ResendCode] code {sent['code']}"
    rig.cognito.confirm_sign_up(ClientId=app, Username="fay", ConfirmationCode=sent["code"])

    # ForgotPassword
    rig.cognito.forgot_password(ClientId=app, Username="fay")
    sent = last("fay", "FORGOT_PASSWORD")
    assert sent["message"] == f"[CustomMessage_ForgotPassword] code {sent['code']}"
    assert sent["subject"] == "Subject CustomMessage_ForgotPassword"

    # UpdateUserAttribute and VerifyUserAttribute
    tokens = rig.sign_in(app, "fay")["AuthenticationResult"]
    rig.cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"],
        UserAttributes=[{"Name": "email", "Value": "fay2@example.com"}])
    sent = last("fay", "VERIFY_ATTRIBUTE")
    assert sent["message"] == f"[CustomMessage_UpdateUserAttribute] code {sent['code']}"
    assert sent["destination"] == "fay2@example.com"
    rig.cognito.get_user_attribute_verification_code(AccessToken=tokens["AccessToken"],
                                                     AttributeName="email",
                                                     ClientMetadata={"why": "check"})
    sent = last("fay", "VERIFY_ATTRIBUTE")
    assert sent["message"] == f"[CustomMessage_VerifyUserAttribute] code {sent['code']}"
    event = rig.event(pool, "CustomMessage_VerifyUserAttribute")
    assert event["request"]["clientMetadata"] == {"why": "check"}
    assert event["callerContext"]["clientId"] == app
    rig.cognito.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email",
                                      Code=sent["code"])

    # AdminCreateUser: both placeholders, and the SMS invitation too.
    rig.cognito.admin_create_user(
        UserPoolId=pool, Username="gus", TemporaryPassword="Temp-Passw0rd1",
        DesiredDeliveryMediums=["EMAIL", "SMS"],
        UserAttributes=[{"Name": "email", "Value": "gus@example.com"},
                        {"Name": "phone_number", "Value": "+15555550100"}])
    invites = rig.outbox(poolId=pool, username="gus", purpose="TEMPORARY_PASSWORD")
    assert {m["medium"] for m in invites} == {"EMAIL", "SMS"}
    for invite in invites:
        assert invite["message"] == "Welcome gus, your password is Temp-Passw0rd1"
    assert [m["subject"] for m in invites if m["medium"] == "EMAIL"] == ["Welcome aboard"]
    event = rig.event(pool, "CustomMessage_AdminCreateUser")
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["codeParameter"] == "{####}"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"

    # AdminResetUserPassword sends the ForgotPassword message.
    rig.cognito.admin_reset_user_password(UserPoolId=pool, Username="fay")
    sent = last("fay", "FORGOT_PASSWORD")
    assert sent["message"] == f"[CustomMessage_ForgotPassword] code {sent['code']}"


def test_custom_message_defaults_when_unchanged_or_without_code(rig):
    pool = rig.pool({"CustomMessage": "custom_message"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    rig.cognito.sign_up(ClientId=app, Username="hal", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "hal@example.com"}],
                        ClientMetadata={"plain": "yes"})
    sent = rig.outbox(poolId=pool, username="hal")[-1]
    assert sent["message"] == f"Your verification code is {sent['code']}. "
    assert sent["subject"] == "Your verification code"
    # A message without the {####} placeholder is not used; the subject still is.
    rig.cognito.resend_confirmation_code(ClientId=app, Username="hal",
                                         ClientMetadata={"noCode": "yes"})
    sent = rig.outbox(poolId=pool, username="hal")[-1]
    assert sent["message"] == f"Your verification code is {sent['code']}. "
    assert sent["subject"] == "Subject CustomMessage_ResendCode"


# --- PostConfirmation ------------------------------------------------------------------------

def test_post_confirmation_sources(rig):
    pool = rig.pool({"PostConfirmation": "post_confirmation"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    rig.cognito.sign_up(ClientId=app, Username="ida", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "ida@example.com"}])
    code = rig.outbox(poolId=pool, username="ida")[-1]["code"]
    rig.cognito.confirm_sign_up(ClientId=app, Username="ida", ConfirmationCode=code,
                                ClientMetadata={"from": "web"})
    event = rig.event(pool, "PostConfirmation_ConfirmSignUp")
    assert_envelope(event, pool, "PostConfirmation_ConfirmSignUp", "ida", app)
    attrs = event["request"]["userAttributes"]
    assert attrs["cognito:user_status"] == "CONFIRMED"
    assert attrs["email_verified"] == "true" and attrs["email"] == "ida@example.com"
    assert attrs["sub"] == attrs_of(rig.user(pool, "ida"))["sub"]
    assert event["request"]["clientMetadata"] == {"from": "web"}
    assert event["response"] == {}

    rig.cognito.forgot_password(ClientId=app, Username="ida")
    code = rig.outbox(poolId=pool, username="ida", purpose="FORGOT_PASSWORD")[-1]["code"]
    rig.cognito.confirm_forgot_password(ClientId=app, Username="ida", ConfirmationCode=code,
                                        Password="N3w-Passw0rd!")
    event = rig.event(pool, "PostConfirmation_ConfirmForgotPassword")
    assert_envelope(event, pool, "PostConfirmation_ConfirmForgotPassword", "ida", app)
    assert "clientMetadata" not in event["request"]

    rig.cognito.sign_up(ClientId=app, Username="jo", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "jo@example.com"}])
    rig.cognito.admin_confirm_sign_up(UserPoolId=pool, Username="jo")
    admin = [e for e in rig.events(pool, "PostConfirmation_ConfirmSignUp") if e["userName"] == "jo"]
    assert admin[0]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


def test_post_confirmation_failure_leaves_the_user_unconfirmed(rig):
    pool = rig.pool({"PostConfirmation": "post_confirmation"}, AutoVerifiedAttributes=["email"])
    app = rig.client(pool)
    rig.cognito.sign_up(ClientId=app, Username="kim", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])
    code = rig.outbox(poolId=pool, username="kim")[-1]["code"]
    with pytest.raises(ClientError) as e:
        rig.cognito.confirm_sign_up(ClientId=app, Username="kim", ConfirmationCode=code,
                                    ClientMetadata={"fail": "yes"})
    assert error(e) == ("UserLambdaValidationException",
                        "PostConfirmation failed with error Could not create the profile.")
    assert rig.user(pool, "kim")["UserStatus"] == "UNCONFIRMED"
    # The code was not used up: confirming again works.
    rig.cognito.confirm_sign_up(ClientId=app, Username="kim", ConfirmationCode=code)
    assert rig.user(pool, "kim")["UserStatus"] == "CONFIRMED"


# --- PreAuthentication / PostAuthentication ----------------------------------------------------

def test_pre_authentication_event_and_denial(rig):
    pool = rig.pool({"PreAuthentication": "pre_authentication"})
    app = rig.client(pool)
    rig.create_user(pool, "lee", email="lee@example.com")
    rig.sign_in(app, "lee", ClientMetadata={"device": "kiosk"})
    event = rig.event(pool, "PreAuthentication_Authentication")
    assert_envelope(event, pool, "PreAuthentication_Authentication", "lee", app)
    assert event["request"]["validationData"] == {"device": "kiosk"}
    assert event["request"]["userAttributes"]["email"] == "lee@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert "userNotFound" not in event["request"]  # only with PreventUserExistenceErrors
    assert event["response"] == {}

    for call in (lambda: rig.sign_in(app, "lee", ClientMetadata={"deny": "yes"}),
                 lambda: rig.cognito.admin_initiate_auth(
                     UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                     AuthParameters={"USERNAME": "lee", "PASSWORD": PASSWORD},
                     ClientMetadata={"deny": "yes"}),
                 lambda: rig.cognito.initiate_auth(
                     ClientId=app, AuthFlow="USER_SRP_AUTH",
                     AuthParameters=SrpClient(pool, "lee", PASSWORD).auth_params(),
                     ClientMetadata={"deny": "yes"})):
        with pytest.raises(ClientError) as e:
            call()
        assert error(e) == ("UserLambdaValidationException",
                            "PreAuthentication failed with error Sign-in denied by policy.")
    # SRP: the trigger runs on the first call, before the PASSWORD_VERIFIER challenge.
    srp_events = rig.events(pool, "PreAuthentication_Authentication")
    assert len(srp_events) == 4


def test_pre_authentication_for_unknown_users_with_prevent_existence_errors(rig):
    pool = rig.pool({"PreAuthentication": "pre_authentication"})
    plain = rig.client(pool)
    hiding = rig.client(pool, PreventUserExistenceErrors="ENABLED")
    with pytest.raises(ClientError) as e:
        rig.sign_in(plain, "nobody")
    assert error(e)[0] == "UserNotFoundException"
    assert rig.events(pool) == []
    with pytest.raises(ClientError) as e:
        rig.sign_in(hiding, "nobody")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    event = rig.event(pool, "PreAuthentication_Authentication")
    assert event["userName"] == "nobody"
    assert event["request"]["userNotFound"] is True
    assert event["request"]["userAttributes"] == {}
    rig.create_user(pool, "mo")
    rig.sign_in(hiding, "mo")
    assert rig.events(pool)[-1]["request"]["userNotFound"] is False


def test_post_authentication(rig):
    pool = rig.pool({"PostAuthentication": "post_authentication"})
    app = rig.client(pool)
    rig.create_user(pool, "ned", email="ned@example.com")
    out = rig.sign_in(app, "ned", ClientMetadata={"only": "pre-auth"})
    assert "AuthenticationResult" in out
    event = rig.event(pool, "PostAuthentication_Authentication")
    assert_envelope(event, pool, "PostAuthentication_Authentication", "ned", app)
    assert event["request"]["newDeviceUsed"] is False
    assert event["request"]["userAttributes"]["email"] == "ned@example.com"
    # InitiateAuth's ClientMetadata goes only to PreSignUp/PreAuthentication/UserMigration.
    assert "clientMetadata" not in event["request"]

    rig.create_user(pool, "oz", nickname="post-auth-fail")
    with pytest.raises(ClientError) as e:
        rig.sign_in(app, "oz")
    assert error(e) == ("UserLambdaValidationException",
                        "PostAuthentication failed with error Audit log unavailable.")


def test_post_authentication_after_new_password_gets_respond_metadata(rig):
    pool = rig.pool({"PostAuthentication": "post_authentication",
                     "PreTokenGeneration": "pre_token"})
    app = rig.client(pool)
    rig.cognito.admin_create_user(UserPoolId=pool, Username="pia", MessageAction="SUPPRESS",
                                  TemporaryPassword="Temp-Passw0rd1")
    first = rig.sign_in(app, "pia", "Temp-Passw0rd1")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert rig.events(pool) == []
    done = rig.cognito.respond_to_auth_challenge(
        ClientId=app, ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "pia", "NEW_PASSWORD": "N3w-Passw0rd!"},
        ClientMetadata={"step": "new-password"})
    assert "AuthenticationResult" in done
    post = rig.event(pool, "PostAuthentication_Authentication")
    assert post["request"]["clientMetadata"] == {"step": "new-password"}
    token = rig.event(pool, "TokenGeneration_NewPasswordChallenge")
    assert token["request"]["clientMetadata"] == {"step": "new-password"}


# --- PreTokenGeneration ------------------------------------------------------------------------

def _group(rig, pool, name, precedence, role):
    rig.cognito.create_group(UserPoolId=pool, GroupName=name, Precedence=precedence,
                             RoleArn=f"arn:aws:iam::000000000000:role/{role}")


def test_pre_token_generation_v1(rig):
    pool = rig.pool({"PreTokenGeneration": "pre_token"})
    app = rig.client(pool)
    rig.create_user(pool, "pat", email="pat@example.com", given_name="Pat", family_name="Doe",
                    phone_number="+15555550111")
    _group(rig, pool, "staff", 1, "staff")
    rig.cognito.admin_add_user_to_group(UserPoolId=pool, Username="pat", GroupName="staff")
    result = rig.sign_in(app, "pat")["AuthenticationResult"]
    id_token, access = claims(result["IdToken"]), claims(result["AccessToken"])

    event = rig.event(pool, "TokenGeneration_Authentication")
    assert_envelope(event, pool, "TokenGeneration_Authentication", "pat", app)
    assert event["request"]["groupConfiguration"] == {
        "groupsToOverride": ["staff"],
        "iamRolesToOverride": ["arn:aws:iam::000000000000:role/staff"],
        "preferredRole": "arn:aws:iam::000000000000:role/staff"}
    assert event["request"]["userAttributes"]["given_name"] == "Pat"
    assert "scopes" not in event["request"]
    assert event["response"] == {"claimsOverrideDetails": None}

    assert id_token["tier"] == "gold"
    assert id_token["email"] == "override@example.com"
    assert "given_name" not in id_token
    assert "family_name" not in id_token         # suppressed and overridden: suppression wins
    assert id_token["sub"] == access["sub"] != "evil"  # protected claims stay
    assert id_token["cognito:username"] == "pat"
    assert id_token["token_use"] == "id"
    assert id_token["phone_number"] == "+15555550111"
    assert id_token["cognito:groups"] == ["staff"]  # no groupOverrideDetails: unchanged
    assert "tier" not in access                     # V1 changes only the ID token
    assert access["cognito:groups"] == ["staff"]

    # REFRESH_TOKEN_AUTH: TokenGeneration_RefreshTokens, the overrides apply again.
    refreshed = rig.cognito.initiate_auth(
        ClientId=app, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["tier"] == "gold"
    refresh_event = rig.event(pool, "TokenGeneration_RefreshTokens")
    assert refresh_event["userName"] == "pat"


def test_pre_token_generation_group_overrides(rig):
    pool = rig.pool({"PreTokenGeneration": "pre_token"})
    app = rig.client(pool)
    _group(rig, pool, "staff", 1, "staff")
    for name, nickname in (("quinn", "override-groups"), ("ray", "suppress-groups")):
        rig.create_user(pool, name, nickname=nickname)
        rig.cognito.admin_add_user_to_group(UserPoolId=pool, Username=name, GroupName="staff")
    result = rig.sign_in(app, "quinn")["AuthenticationResult"]
    id_token, access = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_token["cognito:groups"] == ["vip"] == access["cognito:groups"]
    assert id_token["cognito:roles"] == ["arn:aws:iam::000000000000:role/vip"]
    assert id_token["cognito:preferred_role"] == "arn:aws:iam::000000000000:role/vip"

    result = rig.sign_in(app, "ray")["AuthenticationResult"]
    id_token, access = claims(result["IdToken"]), claims(result["AccessToken"])
    for claim in ("cognito:groups", "cognito:roles", "cognito:preferred_role"):
        assert claim not in id_token and claim not in access


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_pre_token_generation_v2_v3(rig, version):
    pool = rig.pool({"PreTokenGeneration": "pre_token"}, PreTokenGenerationConfig=version,
                    UserPoolTier="ESSENTIALS")
    app = rig.client(pool)
    rig.create_user(pool, "sal", given_name="Sal", email="sal@example.com",
                    email_verified="true")
    result = rig.cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "sal", "PASSWORD": PASSWORD})["AuthenticationResult"]
    id_token, access = claims(result["IdToken"]), claims(result["AccessToken"])
    event = rig.event(pool, "TokenGeneration_Authentication")
    assert_envelope(event, pool, "TokenGeneration_Authentication", "sal", app,
                    version=version[1])
    assert event["request"]["scopes"] == [ADMIN_SCOPE]
    assert event["request"]["groupConfiguration"] == {"groupsToOverride": [],
                                                      "iamRolesToOverride": [],
                                                      "preferredRole": None}
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}

    assert id_token["tier"] == "gold"
    assert id_token["plan"] == {"name": "pro", "seats": 3}  # complex values allowed in V2+
    assert id_token["email_verified"] is True               # ...but not for this claim
    assert "dev:x" not in id_token and "given_name" not in id_token
    assert access["tenant"] == "t-1" and access["roles"] == ["reader", "writer"]
    assert access["client_id"] == app                       # protected
    assert access["aud"] == app                              # allowed: equals the client id
    assert access["username"] == "sal"                       # can't be suppressed
    assert access["scope"].split() == [ADMIN_SCOPE, "custom/read"]
    # The added scope doesn't stop the token working for the user's own operations.
    assert rig.cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "sal"


def test_pre_token_generation_v2_scope_suppression(rig):
    pool = rig.pool({"PreTokenGeneration": "pre_token"}, PreTokenGenerationConfig="V2_0",
                    UserPoolTier="ESSENTIALS")
    app = rig.client(pool)
    rig.create_user(pool, "tam", nickname="no-admin-scope")
    result = rig.sign_in(app, "tam")["AuthenticationResult"]
    assert claims(result["AccessToken"])["scope"] == "custom/read"
    with pytest.raises(ClientError) as e:
        rig.cognito.get_user(AccessToken=result["AccessToken"])
    assert error(e) == ("NotAuthorizedException", "Access Token does not have required scopes")


def test_pre_token_generation_failure_issues_no_tokens(rig):
    pool = rig.pool({"PreTokenGeneration": "pre_token"})
    app = rig.client(pool)
    rig.create_user(pool, "uma", nickname="token-fail")
    with pytest.raises(ClientError) as e:
        rig.sign_in(app, "uma")
    assert error(e) == ("UserLambdaValidationException",
                        "PreTokenGeneration failed with error Token service down.")


# --- UserMigration ----------------------------------------------------------------------------

def test_user_migration_at_sign_in(rig):
    pool = rig.pool({"UserMigration": "migrate_user", "PreAuthentication": "pre_authentication"},
                    AliasAttributes=["email"])
    app = rig.client(pool)
    # The legacy password "weak" breaks the pool's policy: migration doesn't apply it.
    out = rig.sign_in(app, "vic", "weak", ClientMetadata={"origin": "legacy"})
    assert "AuthenticationResult" in out
    assert claims(out["AuthenticationResult"]["IdToken"])["cognito:username"] == "vic"

    event = rig.event(pool, "UserMigration_Authentication")
    assert_envelope(event, pool, "UserMigration_Authentication", "vic", app)
    assert event["request"] == {"password": "weak", "validationData": {"origin": "legacy"}}
    user = rig.user(pool, "vic")
    assert user["UserStatus"] == "CONFIRMED"
    attrs = attrs_of(user)
    assert attrs["email"] == "vic@legacy.example" and attrs["email_verified"] == "true"
    assert attrs["nickname"] == "migrated"
    assert rig.outbox(poolId=pool, username="vic") == []  # messageAction SUPPRESS
    # PreAuthentication saw the migrated user; the next sign-in doesn't migrate again.
    assert rig.event(pool, "PreAuthentication_Authentication")["userName"] == "vic"
    rig.sign_in(app, "vic@legacy.example", "weak")
    assert len(rig.events(pool, "UserMigration_Authentication")) == 1
    # A wrong legacy password: the function's error.
    with pytest.raises(ClientError) as e:
        rig.sign_in(app, "wes", "not-it")
    assert error(e) == ("UserLambdaValidationException",
                        "UserMigration failed with error Bad password.")


def test_user_migration_admin_flow_reset_required_and_welcome(rig):
    pool = rig.pool({"UserMigration": "migrate_user"})
    app = rig.client(pool)
    with pytest.raises(ClientError) as e:
        rig.cognito.admin_initiate_auth(
            UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "xan", "PASSWORD": "weak"},
            ClientMetadata={"status": "RESET_REQUIRED", "message": "RESEND",
                            "mediums": "EMAIL"})
    assert error(e) == ("PasswordResetRequiredException", "Password reset required for the user")
    # The user was created and kept, and got the welcome message.
    assert rig.user(pool, "xan")["UserStatus"] == "RESET_REQUIRED"
    welcome = rig.outbox(poolId=pool, username="xan")
    assert [(m["purpose"], m["medium"], m["destination"]) for m in welcome] == \
        [("WELCOME", "EMAIL", "xan@legacy.example")]
    assert "xan" in welcome[0]["message"]


def test_user_migration_forgot_password(rig):
    pool = rig.pool({"UserMigration": "migrate_user"})
    app = rig.client(pool)
    out = rig.cognito.forgot_password(ClientId=app, Username="yul",
                                      ClientMetadata={"status": "RESET_REQUIRED"})
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    event = rig.event(pool, "UserMigration_ForgotPassword")
    assert_envelope(event, pool, "UserMigration_ForgotPassword", "yul", app)
    assert event["request"] == {"clientMetadata": {"status": "RESET_REQUIRED"}}
    assert rig.user(pool, "yul")["UserStatus"] == "RESET_REQUIRED"
    code = rig.outbox(poolId=pool, username="yul", purpose="FORGOT_PASSWORD")[-1]["code"]
    rig.cognito.confirm_forgot_password(ClientId=app, Username="yul", ConfirmationCode=code,
                                        Password="N3w-Passw0rd!")
    assert "AuthenticationResult" in rig.sign_in(app, "yul", "N3w-Passw0rd!")


def test_user_migration_finds_nobody(rig):
    pool = rig.pool({"UserMigration": "migrate_user"})
    app = rig.client(pool)
    hiding = rig.client(pool, PreventUserExistenceErrors="ENABLED")
    with pytest.raises(ClientError) as e:
        rig.sign_in(app, "ghost1", "weak")
    assert error(e) == ("UserNotFoundException", f"Exception migrating user in app client {app}")
    with pytest.raises(ClientError) as e:
        rig.cognito.forgot_password(ClientId=app, Username="ghost2")
    assert error(e) == ("UserNotFoundException", f"Exception migrating user in app client {app}")
    with pytest.raises(ClientError) as e:
        rig.sign_in(hiding, "ghost3", "weak")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "CodeDeliveryDetails" in rig.cognito.forgot_password(ClientId=hiding,
                                                               Username="ghost4")
    assert rig.cognito.list_users(UserPoolId=pool)["Users"] == []
