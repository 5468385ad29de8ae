"""ForgotPassword and ConfirmForgotPassword through boto3."""
import base64
import hashlib
import hmac
import re
import uuid

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"


def error(exc_info) -> tuple[str, str]:
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def secret_hash(secret: str, username: str, client_id: str) -> str:
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


@pytest.fixture
def make_pool(cognito):
    made = []

    def make(**kwargs):
        pool_id = cognito.create_user_pool(PoolName=f"t-{uuid.uuid4().hex[:8]}",
                                           **kwargs)["UserPool"]["Id"]
        made.append(pool_id)
        return pool_id
    yield make
    for pool_id in made:
        try:
            cognito.delete_user_pool(UserPoolId=pool_id)
        except ClientError:
            pass


@pytest.fixture
def make_client(cognito):
    def make(pool_id, **kwargs):
        kwargs.setdefault("ExplicitAuthFlows", ["ALLOW_USER_PASSWORD_AUTH",
                                                "ALLOW_REFRESH_TOKEN_AUTH"])
        return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                               **kwargs)["UserPoolClient"]
    return make


@pytest.fixture
def pool_id(make_pool):
    return make_pool(AutoVerifiedAttributes=["email"])


@pytest.fixture
def app(make_client, pool_id):
    return make_client(pool_id)["ClientId"]


def make_user(cognito, pool_id, username="alice", *, email="alice@example.com",
              email_verified=True, phone=None, phone_verified=False):
    """A CONFIRMED user with a permanent password."""
    attrs = []
    if email:
        attrs += [{"Name": "email", "Value": email},
                  {"Name": "email_verified", "Value": str(email_verified).lower()}]
    if phone:
        attrs += [{"Name": "phone_number", "Value": phone},
                  {"Name": "phone_number_verified", "Value": str(phone_verified).lower()}]
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs,
                              MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD,
                                    Permanent=True)


def reset_code(outbox, pool_id, username):
    found = outbox(poolId=pool_id, username=username, purpose="FORGOT_PASSWORD")
    assert found, f"no reset code for {username}"
    return found[-1]["code"]


def other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def sign_in(cognito, client_id, username, password):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password})


# --- the happy path -------------------------------------------------------------------------

def test_forgot_password_round_trip(cognito, pool_id, app, outbox):
    make_user(cognito, pool_id)
    out = cognito.forgot_password(ClientId=app, Username="alice")
    assert out["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    [message] = outbox(poolId=pool_id, username="alice", purpose="FORGOT_PASSWORD")
    assert message["destination"] == "alice@example.com"
    assert re.fullmatch(r"\d{6}", message["code"])
    # ForgotPassword alone changes nothing: the old password still works.
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == \
        "CONFIRMED"
    sign_in(cognito, app, "alice", PASSWORD)

    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                        ConfirmationCode=other(message["code"]))
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="alice", Password="weak",
                                        ConfirmationCode=message["code"])
    assert error(e) == ("InvalidPasswordException",
                        "Password did not conform with policy: Password not long enough")
    # The refused password didn't use up the code.
    cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=message["code"])
    assert "AuthenticationResult" in sign_in(cognito, app, "alice", NEW_PASSWORD)
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app, "alice", PASSWORD)
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    # A code works once.
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=PASSWORD,
                                        ConfirmationCode=message["code"])
    assert error(e)[0] == "CodeMismatchException"


def test_reset_by_alias(cognito, make_pool, make_client, outbox):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = make_client(pool_id)["ClientId"]
    make_user(cognito, pool_id, "frank", email="frank@example.com")
    cognito.forgot_password(ClientId=client_id, Username="frank@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="frank@example.com",
                                    Password=NEW_PASSWORD,
                                    ConfirmationCode=reset_code(outbox, pool_id, "frank"))
    sign_in(cognito, client_id, "frank", NEW_PASSWORD)


def test_reset_code_expires_after_an_hour(cognito, pool_id, app, outbox, clock):
    clock.pin()
    make_user(cognito, pool_id)
    cognito.forgot_password(ClientId=app, Username="alice")
    code = reset_code(outbox, pool_id, "alice")
    clock.advance(3601)
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                        ConfirmationCode=code)
    assert error(e) == ("ExpiredCodeException",
                        "Invalid code provided, please request a code again.")


def test_reset_attempt_limit(cognito, pool_id, app, outbox):
    make_user(cognito, pool_id)
    cognito.forgot_password(ClientId=app, Username="alice")
    code = reset_code(outbox, pool_id, "alice")
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.confirm_forgot_password(ClientId=app, Username="alice",
                                            Password=NEW_PASSWORD, ConfirmationCode=other(code))
        assert error(e)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                        ConfirmationCode=code)
    assert error(e) == ("LimitExceededException",
                        "Attempt limit exceeded, please try after some time.")
    sign_in(cognito, app, "alice", PASSWORD)  # unchanged


def test_reset_ends_reset_required_and_lockout(cognito, pool_id, app, outbox, clock):
    clock.pin()  # keep the lockout from running out while the test runs
    make_user(cognito, pool_id)
    for _ in range(6):
        with pytest.raises(ClientError):
            sign_in(cognito, app, "alice", "Wrong-passw0rd")
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app, "alice", PASSWORD)
    assert error(e) == ("NotAuthorizedException", "Password attempts exceeded")

    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == \
        "RESET_REQUIRED"
    cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=reset_code(outbox, pool_id, "alice"))
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == \
        "CONFIRMED"
    assert "AuthenticationResult" in sign_in(cognito, app, "alice", NEW_PASSWORD)


# --- where the code goes --------------------------------------------------------------------

def test_no_verified_contact(cognito, pool_id, app, outbox):
    make_user(cognito, pool_id, email_verified=False)
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=app, Username="alice")
    assert error(e) == ("InvalidParameterException", "Cannot reset password for the user as "
                        "there is no registered/verified email or phone_number")
    assert outbox(poolId=pool_id, purpose="FORGOT_PASSWORD") == []


def test_recovery_priority(cognito, make_pool, make_client, outbox):
    pool_id = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Priority": 1, "Name": "verified_phone_number"},
        {"Priority": 2, "Name": "verified_email"}]})
    client_id = make_client(pool_id)["ClientId"]
    make_user(cognito, pool_id, "both", phone="+15555550199", phone_verified=True)
    out = cognito.forgot_password(ClientId=client_id, Username="both")
    assert out["CodeDeliveryDetails"] == {"Destination": "+*******0199", "DeliveryMedium": "SMS",
                                          "AttributeName": "phone_number"}
    [sms] = outbox(poolId=pool_id, username="both", purpose="FORGOT_PASSWORD")
    assert sms["medium"] == "SMS" and sms["destination"] == "+15555550199"
    # Phone not verified: falls back to the verified email.
    make_user(cognito, pool_id, "emailonly", email="e@example.com", phone="+15555550100")
    out = cognito.forgot_password(ClientId=client_id, Username="emailonly")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_admin_only_recovery(cognito, make_pool, make_client):
    pool_id = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Priority": 1, "Name": "admin_only"}]})
    client_id = make_client(pool_id)["ClientId"]
    make_user(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=client_id, Username="alice")
    assert error(e)[0] == "NotAuthorizedException"


def test_user_state_checks(cognito, pool_id, app):
    make_user(cognito, pool_id)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=app, Username="alice")
    assert error(e) == ("NotAuthorizedException", "User is disabled.")
    cognito.admin_create_user(UserPoolId=pool_id, Username="newbie", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "n@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=app, Username="newbie")
    assert error(e) == ("NotAuthorizedException",
                        "User password cannot be reset in the current state.")


# --- unknown users --------------------------------------------------------------------------

def test_unknown_user_legacy(cognito, pool_id, app):
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=app, Username="ghost")
    assert error(e) == ("UserNotFoundException", "Username/client id combination not found.")
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=app, Username="ghost", Password=NEW_PASSWORD,
                                        ConfirmationCode="123456")
    assert error(e) == ("UserNotFoundException", "Username/client id combination not found.")


def test_unknown_user_hidden(cognito, pool_id, make_client, outbox):
    client_id = make_client(pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    first = cognito.forgot_password(ClientId=client_id, Username="ghost@example.com")
    again = cognito.forgot_password(ClientId=client_id, Username="ghost@example.com")
    assert first["CodeDeliveryDetails"] == again["CodeDeliveryDetails"] == {
        "Destination": "g***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    other_name = cognito.forgot_password(ClientId=client_id, Username="ghost")
    assert re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*",
                        other_name["CodeDeliveryDetails"]["Destination"])
    assert outbox(poolId=pool_id) == []
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=client_id, Username="ghost",
                                        Password=NEW_PASSWORD, ConfirmationCode="123456")
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")
    # A real user still gets a real code through the same client.
    make_user(cognito, pool_id)
    cognito.forgot_password(ClientId=client_id, Username="alice")
    assert reset_code(outbox, pool_id, "alice")


def test_secret_hash(cognito, pool_id, make_client, outbox):
    client = make_client(pool_id, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=cid, Username="alice")
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=cid, Username="alice",
                                SecretHash=secret_hash(secret, "bob", cid))
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    cognito.forgot_password(ClientId=cid, Username="alice",
                            SecretHash=secret_hash(secret, "alice", cid))
    code = reset_code(outbox, pool_id, "alice")
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=cid, Username="alice", Password=NEW_PASSWORD,
                                        ConfirmationCode=code)
    assert error(e)[0] == "NotAuthorizedException"
    cognito.confirm_forgot_password(ClientId=cid, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=code,
                                    SecretHash=secret_hash(secret, "alice", cid))
