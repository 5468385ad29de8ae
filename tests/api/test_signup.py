"""SignUp, ConfirmSignUp and ResendConfirmationCode through boto3."""
import re

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    PASSWORD,
    UUID_RE,
    attrs_of,
    error,
    last_message,
    password_client,
)
from tests.support.srp_client import secret_hash


def sign_up(cognito, client_id, username="alice", email="alice@example.com", **kwargs):
    attrs = [{"Name": "email", "Value": email}] if email else []
    return cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                           UserAttributes=attrs, **kwargs)


def last_code(outbox, pool_id, username, purpose="SIGN_UP"):
    return last_message(outbox, pool_id, username, purpose)["code"]


# --- SignUp ---------------------------------------------------------------------------------

def test_sign_up_sends_code_to_email(cognito, email_pool, app, outbox):
    out = sign_up(cognito, app)
    assert out["UserConfirmed"] is False
    assert UUID_RE.match(out["UserSub"])
    assert out["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    user = cognito.admin_get_user(UserPoolId=email_pool, Username="alice")
    assert user["UserStatus"] == "UNCONFIRMED"
    assert user["Enabled"] is True
    attrs = attrs_of(user)
    assert attrs["sub"] == out["UserSub"]
    assert attrs["email"] == "alice@example.com"
    assert attrs.get("email_verified") != "true"
    [message] = outbox(poolId=email_pool, username="alice", purpose="SIGN_UP")
    assert message["medium"] == "EMAIL" and message["destination"] == "alice@example.com"
    assert re.fullmatch(r"\d{6}", message["code"]) and message["code"] in message["message"]


def test_sign_up_without_auto_verification_sends_nothing(cognito, make_pool, outbox):
    pool_id = make_pool()
    client_id = password_client(cognito, pool_id)["ClientId"]
    out = sign_up(cognito, client_id)
    assert out["UserConfirmed"] is False
    assert "CodeDeliveryDetails" not in out
    assert outbox(poolId=pool_id) == []
    # The user waits for an administrator.
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == \
        "CONFIRMED"


def test_sign_up_prefers_email_then_phone(cognito, make_pool, outbox):
    pool_id = make_pool(AutoVerifiedAttributes=["phone_number", "email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    out = cognito.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD,
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"},
                                          {"Name": "email", "Value": "bob@example.com"}])
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email"
    out = cognito.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD,
                          UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    assert out["CodeDeliveryDetails"] == {"Destination": "+*******0123", "DeliveryMedium": "SMS",
                                          "AttributeName": "phone_number"}
    [sms] = outbox(poolId=pool_id, username="carol")
    assert sms["medium"] == "SMS" and sms["destination"] == "+15555550123"


def test_sign_up_taken_username(cognito, app):
    sign_up(cognito, app)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, app, email="other@example.com")
    assert error(e) == ("UsernameExistsException", "User already exists")


def test_sign_up_password_policy(cognito, app, email_pool):
    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=app, Username="alice", Password="short",
                        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    assert error(e) == ("InvalidPasswordException",
                        "Password did not conform with policy: Password not long enough")
    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=app, Username="alice", Password="password1!")
    assert error(e) == ("InvalidPasswordException",
                        "Password did not conform with policy: "
                        "Password must have uppercase characters")
    # Nothing was written.
    with pytest.raises(ClientError) as e:
        cognito.admin_get_user(UserPoolId=email_pool, Username="alice")
    assert error(e)[0] == "UserNotFoundException"


def test_sign_up_admin_only_pool(cognito, make_pool):
    pool_id = make_pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = password_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id)
    assert error(e) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")


def test_sign_up_attribute_checks(cognito, make_pool):
    pool_id = make_pool(Schema=[{"Name": "name", "AttributeDataType": "String",
                                 "Required": True, "Mutable": True}])
    client_id = password_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id)
    code, message = error(e)
    assert code == "InvalidParameterException"
    assert message.startswith("Attributes did not conform to the schema: name: ")
    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                        UserAttributes=[{"Name": "name", "Value": "Alice"},
                                        {"Name": "custom:nope", "Value": "x"}])
    assert error(e) == ("InvalidParameterException", "Attributes did not conform to the "
                        "schema: custom:nope: Attribute does not exist in the schema.\n")
    # A user can't declare their own email verified.
    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                        UserAttributes=[{"Name": "name", "Value": "Alice"},
                                        {"Name": "email", "Value": "a@example.com"},
                                        {"Name": "email_verified", "Value": "true"}])
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")
    out = cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                          UserAttributes=[{"Name": "name", "Value": "Alice"}])
    assert out["UserConfirmed"] is False


def test_sign_up_respects_client_write_attributes(cognito, email_pool):
    client_id = password_client(cognito, email_pool, WriteAttributes=["name"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id)
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")


def test_sign_up_unknown_client(cognito):
    with pytest.raises(ClientError) as e:
        sign_up(cognito, "nosuchclient0000000000000")
    assert error(e) == ("ResourceNotFoundException",
                        "User pool client nosuchclient0000000000000 does not exist.")


def test_sign_up_email_as_username(cognito, make_pool, outbox):
    pool_id = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    out = cognito.sign_up(ClientId=client_id, Username="dana@example.com", Password=PASSWORD)
    sub = out["UserSub"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="dana@example.com")
    assert user["Username"] == sub  # the canonical username is the sub
    assert attrs_of(user)["email"] == "dana@example.com"
    code = last_code(outbox, pool_id, sub)
    cognito.confirm_sign_up(ClientId=client_id, Username="dana@example.com",
                            ConfirmationCode=code)
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username=sub))[
        "email_verified"] == "true"

    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=client_id, Username="dana", Password=PASSWORD)
    assert error(e) == ("InvalidParameterException", "Username should be an email.")
    with pytest.raises(ClientError) as e:
        cognito.sign_up(ClientId=client_id, Username="dana@example.com", Password=PASSWORD)
    assert error(e) == ("UsernameExistsException",
                        "An account with the given email already exists.")


def test_sign_up_alias_pool_refuses_email_format_username(cognito, make_pool):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, username="eve@example.com")
    assert error(e) == ("InvalidParameterException", "Username cannot be of email format, "
                        "since user pool is configured for email alias.")


# --- ConfirmSignUp --------------------------------------------------------------------------

def test_confirm_sign_up(cognito, email_pool, app, outbox):
    sign_up(cognito, app)
    code = last_code(outbox, email_pool, "alice")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=wrong)
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")
    assert cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=code)[
        "ResponseMetadata"]["HTTPStatusCode"] == 200
    user = cognito.admin_get_user(UserPoolId=email_pool, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs_of(user)["email_verified"] == "true"
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=code)
    assert error(e) == ("NotAuthorizedException",
                        "User cannot be confirmed. Current status is CONFIRMED")


def test_confirm_sign_up_code_expires(cognito, email_pool, app, outbox, clock):
    clock.pin()
    sign_up(cognito, app)
    code = last_code(outbox, email_pool, "alice")
    clock.advance(25 * 3600)
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=code)
    assert error(e) == ("ExpiredCodeException",
                        "Invalid code provided, please request a code again.")
    # A fresh code works.
    cognito.resend_confirmation_code(ClientId=app, Username="alice")
    cognito.confirm_sign_up(ClientId=app, Username="alice",
                            ConfirmationCode=last_code(outbox, email_pool, "alice"))


def test_confirm_sign_up_attempt_limit(cognito, email_pool, app, outbox):
    sign_up(cognito, app)
    code = last_code(outbox, email_pool, "alice")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=wrong)
        assert error(e)[0] == "CodeMismatchException"
    # Wrong attempts were counted even though each call failed: now even the right code fails.
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=code)
    assert error(e) == ("LimitExceededException",
                        "Attempt limit exceeded, please try after some time.")
    assert cognito.admin_get_user(UserPoolId=email_pool, Username="alice")["UserStatus"] == \
        "UNCONFIRMED"
    # A new code starts over.
    cognito.resend_confirmation_code(ClientId=app, Username="alice")
    cognito.confirm_sign_up(ClientId=app, Username="alice",
                            ConfirmationCode=last_code(outbox, email_pool, "alice"))


def test_confirm_sign_up_alias_conflict(cognito, make_pool, outbox):
    pool_id = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    for name in ("first", "second", "third"):
        sign_up(cognito, client_id, username=name, email="shared@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="first",
                            ConfirmationCode=last_code(outbox, pool_id, "first"))
    code = last_code(outbox, pool_id, "second")
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="second", ConfirmationCode=code)
    assert error(e) == ("AliasExistsException", "An account with the given email already exists.")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="second")["UserStatus"] == \
        "UNCONFIRMED"
    # ForceAliasCreation moves the alias: "third" owns the email, "first" keeps it unverified.
    cognito.confirm_sign_up(ClientId=client_id, Username="third", ForceAliasCreation=True,
                            ConfirmationCode=last_code(outbox, pool_id, "third"))
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="first"))[
        "email_verified"] == "false"
    by_alias = cognito.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")
    assert by_alias["Username"] == "third"


def test_confirm_sign_up_unknown_user(cognito, email_pool):
    legacy = password_client(cognito, email_pool)["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=legacy, Username="ghost", ConfirmationCode="123456")
    assert error(e) == ("UserNotFoundException", "Username/client id combination not found.")
    hiding = password_client(cognito, email_pool, PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=hiding, Username="ghost", ConfirmationCode="123456")
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")


# --- ResendConfirmationCode -----------------------------------------------------------------

def test_resend_confirmation_code_replaces_code(cognito, email_pool, app, outbox):
    sign_up(cognito, app)
    first = last_code(outbox, email_pool, "alice")
    out = cognito.resend_confirmation_code(ClientId=app, Username="alice")
    assert out["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    messages = outbox(poolId=email_pool, username="alice", purpose="SIGN_UP")
    assert len(messages) == 2
    second = messages[-1]["code"]
    if first != second:
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=first)
        assert error(e)[0] == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode=second)
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=app, Username="alice")
    assert error(e) == ("InvalidParameterException", "User is already confirmed.")


def test_resend_confirmation_code_unknown_user(cognito, email_pool, outbox):
    legacy = password_client(cognito, email_pool)["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=legacy, Username="ghost")
    assert error(e) == ("UserNotFoundException", "Username/client id combination not found.")
    hiding = password_client(cognito, email_pool, PreventUserExistenceErrors="ENABLED")["ClientId"]
    first = cognito.resend_confirmation_code(ClientId=hiding, Username="ghost")
    again = cognito.resend_confirmation_code(ClientId=hiding, Username="ghost")
    details = first["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*", details["Destination"])
    assert again["CodeDeliveryDetails"] == details  # stable, so it can't be told apart
    assert outbox(poolId=email_pool) == []


def test_resend_confirmation_code_without_auto_verification(cognito, make_pool):
    pool_id = make_pool()
    app = password_client(cognito, pool_id)["ClientId"]
    sign_up(cognito, app)
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=app, Username="alice")
    assert error(e) == ("NotAuthorizedException",
                        "Cannot resend codes. Auto verification not turned on.")


# --- clients with a secret ------------------------------------------------------------------

def test_secret_hash_required(cognito, email_pool, outbox):
    client = password_client(cognito, email_pool, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, cid)
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        sign_up(cognito, cid, SecretHash=secret_hash("someone-else", cid, secret))
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    sign_up(cognito, cid, SecretHash=secret_hash("alice", cid, secret))
    code = last_code(outbox, email_pool, "alice")
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=cid, Username="alice", ConfirmationCode=code)
    assert error(e)[0] == "NotAuthorizedException"
    cognito.resend_confirmation_code(ClientId=cid, Username="alice",
                                     SecretHash=secret_hash("alice", cid, secret))
    cognito.confirm_sign_up(ClientId=cid, Username="alice",
                            SecretHash=secret_hash("alice", cid, secret),
                            ConfirmationCode=last_code(outbox, email_pool, "alice"))
    assert cognito.admin_get_user(UserPoolId=email_pool, Username="alice")["UserStatus"] == \
        "CONFIRMED"


def test_confirm_sign_up_odd_code(cognito, email_pool, app):
    sign_up(cognito, app)
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=app, Username="alice", ConfirmationCode="ééé")
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")
