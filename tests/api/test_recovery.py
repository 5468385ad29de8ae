"""ForgotPassword and ConfirmForgotPassword through boto3."""
import re

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    PASSWORD,
    attribute_list,
    claims,
    create_user,
    error,
    last_message,
    password_client,
    wrong_code,
)
from tests.support.factories import password_sign_in as sign_in
from tests.support.srp_client import secret_hash

NEW_PASSWORD = "N3w-Passw0rd!"


@pytest.fixture
def pool_id(email_pool):
    return email_pool


def make_user(cognito, pool_id, username="alice", *, email="alice@example.com",
              email_verified=True, phone=None, phone_verified=False):
    """A CONFIRMED user with a permanent password."""
    contact = {}
    if email:
        contact.update(email=email, email_verified=email_verified)
    if phone:
        contact.update(phone_number=phone, phone_number_verified=phone_verified)
    create_user(cognito, pool_id, username, attributes=attribute_list(**contact))


def reset_code(outbox, pool_id, username):
    return last_message(outbox, pool_id, username, "FORGOT_PASSWORD")["code"]


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
                                        ConfirmationCode=wrong_code(message["code"]))
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


def test_reset_by_alias(cognito, make_pool, outbox):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "frank", email="frank@example.com")
    cognito.forgot_password(ClientId=client_id, Username="frank@example.com")
    cognito.confirm_forgot_password(ClientId=client_id, Username="frank@example.com",
                                    Password=NEW_PASSWORD,
                                    ConfirmationCode=reset_code(outbox, pool_id, "frank"))
    done = sign_in(cognito, client_id, "frank", NEW_PASSWORD)["AuthenticationResult"]
    assert claims(done["AccessToken"])["username"] == "frank"


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
    # a code younger than an hour is still good
    cognito.forgot_password(ClientId=app, Username="alice")
    code = reset_code(outbox, pool_id, "alice")
    clock.advance(3599)
    cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=code)
    assert "AuthenticationResult" in sign_in(cognito, app, "alice", NEW_PASSWORD)


def test_reset_attempt_limit(cognito, pool_id, app, outbox):
    make_user(cognito, pool_id)
    cognito.forgot_password(ClientId=app, Username="alice")
    code = reset_code(outbox, pool_id, "alice")
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.confirm_forgot_password(ClientId=app, Username="alice", Password=NEW_PASSWORD,
                                            ConfirmationCode=wrong_code(code))
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
    for attempt in range(1, 7):
        with pytest.raises(ClientError) as e:
            sign_in(cognito, app, "alice", "Wrong-passw0rd")
        # five free failures, then the lock answers instead of the password check
        assert error(e) == ("NotAuthorizedException", "Incorrect username or password."
                            if attempt <= 5 else "Password attempts exceeded")
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


def test_recovery_priority(cognito, make_pool, outbox):
    pool_id = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Priority": 1, "Name": "verified_phone_number"},
        {"Priority": 2, "Name": "verified_email"}]})
    client_id = password_client(cognito, pool_id)["ClientId"]
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


def test_admin_only_recovery(cognito, make_pool):
    pool_id = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Priority": 1, "Name": "admin_only"}]})
    client_id = password_client(cognito, pool_id)["ClientId"]
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


def test_unknown_user_hidden(cognito, pool_id, outbox):
    client_id = password_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
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
    cognito.confirm_forgot_password(ClientId=client_id, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=reset_code(outbox, pool_id, "alice"))
    assert "AuthenticationResult" in sign_in(cognito, client_id, "alice", NEW_PASSWORD)


def test_secret_hash(cognito, pool_id, outbox):
    client = password_client(cognito, pool_id, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    make_user(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=cid, Username="alice")
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=cid, Username="alice",
                                SecretHash=secret_hash("bob", cid, secret))
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    cognito.forgot_password(ClientId=cid, Username="alice",
                            SecretHash=secret_hash("alice", cid, secret))
    code = reset_code(outbox, pool_id, "alice")
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=cid, Username="alice", Password=NEW_PASSWORD,
                                        ConfirmationCode=code)
    assert error(e)[0] == "NotAuthorizedException"
    cognito.confirm_forgot_password(ClientId=cid, Username="alice", Password=NEW_PASSWORD,
                                    ConfirmationCode=code,
                                    SecretHash=secret_hash("alice", cid, secret))
