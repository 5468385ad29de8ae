"""What a signed-in user does with their access token: GetUser, ChangePassword,
UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
DeleteUserAttributes, DeleteUser."""
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    PASSWORD,
    attribute_list,
    attrs_of,
    claims,
    create_user,
    error,
    last_message,
    password_client,
    password_sign_in,
    wrong_code,
)

NEW_PASSWORD = "N3w-Passw0rd!"


@pytest.fixture
def pool_id(email_pool):
    return email_pool


def make_user(cognito, pool_id, username="alice", email="alice@example.com", extra=()):
    attrs = [*attribute_list(email=email, email_verified=True), *extra]
    create_user(cognito, pool_id, username, attributes=attrs)


def sign_in(cognito, client_id, username="alice", password=PASSWORD) -> str:
    return password_sign_in(cognito, client_id, username,
                            password)["AuthenticationResult"]["AccessToken"]


@pytest.fixture
def token(cognito, pool_id, app):
    make_user(cognito, pool_id)
    return sign_in(cognito, app)


def attrs(cognito, token) -> dict:
    return attrs_of(cognito.get_user(AccessToken=token))


def admin_attrs(cognito, pool_id, username="alice") -> dict:
    return attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username=username))


def verify_code(outbox, pool_id, username="alice"):
    return last_message(outbox, pool_id, username, "VERIFY_ATTRIBUTE")


# --- GetUser --------------------------------------------------------------------------------

def test_get_user(cognito, pool_id, token):
    out = cognito.get_user(AccessToken=token)
    assert out["Username"] == "alice"
    values = {a["Name"]: a["Value"] for a in out["UserAttributes"]}
    assert values["email"] == "alice@example.com"
    assert values["email_verified"] == "true"
    assert values["sub"] == admin_attrs(cognito, pool_id)["sub"]
    # No MFA configured: the MFA members are left out.
    assert not {"MFAOptions", "PreferredMfaSetting", "UserMFASettingList"} & out.keys()


def test_get_user_limited_to_read_attributes(cognito, pool_id):
    make_user(cognito, pool_id, extra=[{"Name": "name", "Value": "Alice"}])
    client_id = password_client(cognito, pool_id, ReadAttributes=["name"])["ClientId"]
    token = sign_in(cognito, client_id)
    assert attrs(cognito, token) == {"sub": admin_attrs(cognito, pool_id)["sub"],
                                     "name": "Alice"}


def test_bad_access_tokens(cognito, token):
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken="not.a.token")
    assert error(e) == ("NotAuthorizedException", "Invalid Access Token")
    head, body, sig = token.split(".")
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=f"{head}.{body}.{sig[:-4]}AAAA")
    assert error(e) == ("NotAuthorizedException", "Invalid Access Token")


def test_access_token_expiry(cognito, token, clock):
    clock.pin()
    clock.advance(3500)  # inside the default hour (iat is whole seconds): still good
    assert cognito.get_user(AccessToken=token)["Username"] == "alice"
    clock.advance(101)
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=token)
    assert error(e) == ("NotAuthorizedException", "Access Token has expired")


# --- ChangePassword -------------------------------------------------------------------------

def test_change_password(cognito, app, token):
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword="Wrong-passw0rd",
                                ProposedPassword=NEW_PASSWORD)
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                ProposedPassword="nouppercase1!")
    assert error(e) == ("InvalidPasswordException", "Password did not conform with policy: "
                        "Password must have uppercase characters")
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                            ProposedPassword=NEW_PASSWORD)
    assert claims(sign_in(cognito, app, password=NEW_PASSWORD))["username"] == "alice"
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app, password=PASSWORD)
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    # The token still works: changing the password doesn't sign the user out.
    assert cognito.get_user(AccessToken=token)["Username"] == "alice"


def test_change_password_failures_count(cognito, app, token, clock):
    clock.pin()  # the lock after 5 failures lasts 1 s: keep time still
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.change_password(AccessToken=token, PreviousPassword="Wrong-passw0rd",
                                    ProposedPassword=NEW_PASSWORD)
        assert error(e)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                                ProposedPassword=NEW_PASSWORD)
    assert error(e) == ("LimitExceededException",
                        "Attempt limit exceeded, please try after some time.")
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app)
    assert error(e) == ("NotAuthorizedException", "Password attempts exceeded")


# --- UpdateUserAttributes and verification ---------------------------------------------------

def test_update_plain_attribute(cognito, pool_id, token, outbox):
    out = cognito.update_user_attributes(AccessToken=token,
                                         UserAttributes=[{"Name": "name", "Value": "Alice A."}])
    assert "CodeDeliveryDetailsList" not in out
    assert attrs(cognito, token)["name"] == "Alice A."
    assert outbox(poolId=pool_id, purpose="VERIFY_ATTRIBUTE") == []


def test_update_attribute_errors(cognito, pool_id, token):
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token,
                                       UserAttributes=[{"Name": "custom:nope", "Value": "1"}])
    assert error(e) == ("InvalidParameterException",
                        "user.custom:nope: Attribute does not exist in the schema.\n")
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token,
                                       UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token,
                                       UserAttributes=[{"Name": "email", "Value": "nope"}])
    assert error(e) == ("InvalidParameterException", "Invalid email address format.")
    # A client may write only its WriteAttributes.
    limited = password_client(cognito, pool_id, WriteAttributes=["name"])["ClientId"]
    limited_token = sign_in(cognito, limited)
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=limited_token,
                                       UserAttributes=[{"Name": "email", "Value": "x@example.com"}])
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")
    cognito.update_user_attributes(AccessToken=limited_token,
                                   UserAttributes=[{"Name": "name", "Value": "Al"}])


def test_change_email_then_verify(cognito, pool_id, token, outbox):
    out = cognito.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": "new@example.org"}])
    assert out["CodeDeliveryDetailsList"] == [{"Destination": "n***@e***",
                                               "DeliveryMedium": "EMAIL",
                                               "AttributeName": "email"}]
    # No verification-before-update setting: the new address is in force, unverified.
    values = attrs(cognito, token)
    assert values["email"] == "new@example.org" and values["email_verified"] == "false"
    message = verify_code(outbox, pool_id)
    assert message["destination"] == "new@example.org"

    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                      Code=wrong_code(message["code"]))
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                  Code=message["code"])
    assert attrs(cognito, token)["email_verified"] == "true"


def test_change_email_held_until_verified(cognito, make_pool, outbox):
    pool_id = make_pool(AutoVerifiedAttributes=["email"], AliasAttributes=["email"],
                        UserAttributeUpdateSettings={
                            "AttributesRequireVerificationBeforeUpdate": ["email"]})
    client_id = password_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id)
    token = sign_in(cognito, client_id)
    out = cognito.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": "new@example.org"}, {"Name": "name", "Value": "Alice"}])
    assert out["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    values = attrs(cognito, token)
    assert values["email"] == "alice@example.com" and values["email_verified"] == "true"
    assert values["name"] == "Alice"  # other attributes apply at once
    # The old address still signs in.
    sign_in(cognito, client_id, username="alice@example.com")
    message = verify_code(outbox, pool_id)
    assert message["destination"] == "new@example.org"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                  Code=message["code"])
    values = attrs(cognito, token)
    assert values["email"] == "new@example.org" and values["email_verified"] == "true"
    sign_in(cognito, client_id, username="new@example.org")
    with pytest.raises(ClientError) as e:  # the old address is no alias any more
        sign_in(cognito, client_id, username="alice@example.com")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_change_email_not_auto_verified(cognito, make_pool, outbox):
    pool_id = make_pool()
    client_id = password_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id)
    token = sign_in(cognito, client_id)
    out = cognito.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": "new@example.org"}])
    assert "CodeDeliveryDetailsList" not in out
    values = attrs(cognito, token)
    assert values["email"] == "new@example.org" and values["email_verified"] == "false"
    assert outbox(poolId=pool_id) == []
    # The user can still ask for a code and verify.
    details = cognito.get_user_attribute_verification_code(AccessToken=token,
                                                           AttributeName="email")
    assert details["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                  Code=verify_code(outbox, pool_id)["code"])
    assert attrs(cognito, token)["email_verified"] == "true"


def test_email_taken_as_username(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"])
    client_id = password_client(cognito, pool_id)["ClientId"]
    for email in ("one@example.com", "two@example.com"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD,
                                        Permanent=True)
    token = sign_in(cognito, client_id, username="two@example.com")
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[
            {"Name": "email", "Value": "one@example.com"}])
    assert error(e) == ("AliasExistsException", "An account with the given email already exists.")


def test_verification_code_requests(cognito, pool_id, token, outbox):
    out = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert out["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                          "AttributeName": "email"}
    assert verify_code(outbox, pool_id)["destination"] == "alice@example.com"
    with pytest.raises(ClientError) as e:
        cognito.get_user_attribute_verification_code(AccessToken=token,
                                                     AttributeName="phone_number")
    assert error(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="name")
    assert error(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="phone_number",
                                      Code="123456")
    assert error(e) == ("CodeMismatchException",
                        "Invalid verification code provided, please try again.")


def test_verification_code_expires(cognito, pool_id, app, token, outbox, clock):
    clock.pin()
    cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    code = verify_code(outbox, pool_id)["code"]
    clock.advance(25 * 3600)
    fresh = sign_in(cognito, app)
    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=fresh, AttributeName="email", Code=code)
    assert error(e) == ("ExpiredCodeException",
                        "Invalid code provided, please request a code again.")
    # a code younger than a day is still good
    cognito.get_user_attribute_verification_code(AccessToken=fresh, AttributeName="email")
    code = verify_code(outbox, pool_id)["code"]
    clock.advance(23 * 3600)
    cognito.verify_user_attribute(AccessToken=sign_in(cognito, app), AttributeName="email",
                                  Code=code)


def test_verification_attempt_limit(cognito, pool_id, token, outbox):
    cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    code = verify_code(outbox, pool_id)["code"]
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                          Code=wrong_code(code))
        assert error(e)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert error(e) == ("LimitExceededException",
                        "Attempt limit exceeded, please try after some time.")


def test_code_from_admin_update_verifies(cognito, pool_id, token, outbox):
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice", UserAttributes=[
        {"Name": "email", "Value": "admin-set@example.com"}])
    message = verify_code(outbox, pool_id)
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email",
                                  Code=message["code"])
    assert admin_attrs(cognito, pool_id)["email_verified"] == "true"


# --- DeleteUserAttributes -------------------------------------------------------------------

def test_delete_user_attributes(cognito, make_pool):
    pool_id = make_pool(Schema=[{"Name": "given_name", "AttributeDataType": "String",
                                 "Required": True, "Mutable": True}])
    client_id = password_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, extra=[{"Name": "given_name", "Value": "Alice"},
                                       {"Name": "nickname", "Value": "Al"}])
    token = sign_in(cognito, client_id)
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["nickname", "email"])
    values = attrs(cognito, token)
    assert "nickname" not in values
    assert "email" not in values and "email_verified" not in values
    with pytest.raises(ClientError) as e:
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["given_name"])
    assert error(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["sub"])
    assert error(e)[0] == "InvalidParameterException"
    assert attrs(cognito, token)["given_name"] == "Alice"
    limited = sign_in(cognito, password_client(cognito, pool_id,
                                               WriteAttributes=["nickname"])["ClientId"])
    with pytest.raises(ClientError) as e:
        cognito.delete_user_attributes(AccessToken=limited, UserAttributeNames=["given_name"])
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")


# --- DeleteUser -----------------------------------------------------------------------------

def test_delete_user(cognito, pool_id, app, token):
    cognito.create_group(UserPoolId=pool_id, GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="readers")
    cognito.delete_user(AccessToken=token)
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=token)
    assert error(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert error(e)[0] == "UserNotFoundException"
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"] == []
    # A new user with the same name doesn't inherit the old tokens.
    make_user(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=token)
    assert error(e)[0] in ("UserNotFoundException", "NotAuthorizedException")
    # the emulator's answer: the token's sub is no user's (real Cognito's code UNCONFIRMED)
    assert error(e) == ("UserNotFoundException", "User does not exist.")
    assert cognito.get_user(AccessToken=sign_in(cognito, app))["Username"] == "alice"
