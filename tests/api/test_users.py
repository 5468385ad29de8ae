"""User administration through boto3: AdminCreateUser ... AdminResetUserPassword."""
import threading
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import attribute_list, attrs_of
from tests.support.factories import error as err

STRONG = "Passw0rd!Strong"


def create(cognito, pool_id, username, attributes=None, **kw):
    kw.setdefault("MessageAction", "SUPPRESS")
    return cognito.admin_create_user(
        UserPoolId=pool_id, Username=username,
        UserAttributes=attribute_list(**(attributes or {})), **kw)["User"]


def get(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)


# --- AdminCreateUser -----------------------------------------------------------------------

def test_create_user_shape(cognito, pool_id, outbox):
    user = create(cognito, pool_id, "alice", {"email": "alice@example.com", "name": "Alice"})
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert user["UserCreateDate"] == user["UserLastModifiedDate"]
    assert "MFAOptions" not in user
    attrs = attrs_of(user)
    uuid.UUID(attrs["sub"])
    assert attrs == {"sub": attrs["sub"], "email": "alice@example.com", "name": "Alice"}

    got = get(cognito, pool_id, "alice")
    assert got["Username"] == "alice" and attrs_of(got) == attrs
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD" and got["Enabled"] is True
    for absent in ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList"):
        assert absent not in got
    assert outbox(poolId=pool_id) == []  # SUPPRESS sends nothing


def test_invitation_email_with_generated_password(cognito, pool_id, outbox):
    cognito.admin_create_user(UserPoolId=pool_id, Username="bob",
                              UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    [msg] = outbox(poolId=pool_id)
    assert msg["purpose"] == "TEMPORARY_PASSWORD" and msg["medium"] == "EMAIL"
    assert msg["destination"] == "bob@example.com" and msg["username"] == "bob"
    password = msg["code"]
    assert len(password) >= 8 and any(c.isupper() for c in password) \
        and any(c.islower() for c in password) and any(c.isdigit() for c in password)
    assert "bob" in msg["message"] and password in msg["message"]
    # The generated password is the user's password: it is accepted as the current one.
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="bob", Password=password,
                                    Permanent=False)


def test_invitation_uses_given_password_and_template(cognito, make_pool, outbox):
    pool_id = make_pool(AdminCreateUserConfig={"InviteMessageTemplate": {
        "EmailMessage": "Hi {username}, use {####}", "EmailSubject": "Welcome",
        "SMSMessage": "{username}/{####}"}})
    cognito.admin_create_user(UserPoolId=pool_id, Username="carol", TemporaryPassword=STRONG,
                              UserAttributes=[{"Name": "email", "Value": "c@example.com"},
                                              {"Name": "phone_number", "Value": "+15550001111"}],
                              DesiredDeliveryMediums=["EMAIL", "SMS"])
    msgs = {m["medium"]: m for m in outbox(poolId=pool_id)}
    assert msgs["EMAIL"]["message"] == f"Hi carol, use {STRONG}"
    assert msgs["EMAIL"]["subject"] == "Welcome"
    assert msgs["SMS"]["message"] == f"carol/{STRONG}"
    assert msgs["SMS"]["destination"] == "+15550001111"


def test_default_medium_is_sms_when_user_has_a_phone(cognito, pool_id, outbox):
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="dave",
        UserAttributes=[{"Name": "email", "Value": "d@example.com"},
                        {"Name": "phone_number", "Value": "+15550002222"}])
    msgs = outbox(poolId=pool_id)
    assert [(m["medium"], m["destination"]) for m in msgs] == [("SMS", "+15550002222")], msgs


def test_no_contact_no_message(cognito, pool_id, outbox):
    cognito.admin_create_user(UserPoolId=pool_id, Username="quiet")
    assert outbox(poolId=pool_id) == []
    assert get(cognito, pool_id, "quiet")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.mark.parametrize("medium, message", [
    ("EMAIL", "No email provided but desired delivery medium was Email"),
    ("SMS", "Invalid phone number format.")])
def test_requested_medium_needs_its_attribute_and_nothing_is_left(cognito, pool_id, outbox,
                                                                  medium, message):
    with pytest.raises(ClientError) as info:
        cognito.admin_create_user(UserPoolId=pool_id, Username="erin",
                                  DesiredDeliveryMediums=[medium])
    assert err(info) == ("InvalidParameterException", message)
    with pytest.raises(ClientError) as info:
        get(cognito, pool_id, "erin")
    assert err(info) == ("UserNotFoundException", "User does not exist.")
    assert outbox(poolId=pool_id) == []


def test_weak_temporary_password(cognito, pool_id):
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "frank", TemporaryPassword="short")
    assert err(info) == ("InvalidPasswordException",
                         "Password did not conform with policy: Password not long enough")
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "frank", TemporaryPassword="alllowercase1!")
    assert err(info) == ("InvalidPasswordException",
                         "Password did not conform with policy: Password must have uppercase "
                         "characters")


def test_username_exists(cognito, pool_id):
    create(cognito, pool_id, "gina")
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "gina")
    assert err(info) == ("UsernameExistsException", "User account already exists")
    # Default pools are case sensitive: another case is another user.
    assert create(cognito, pool_id, "Gina")["Username"] == "Gina"
    assert get(cognito, pool_id, "Gina")["Username"] == "Gina"
    assert get(cognito, pool_id, "gina")["Username"] == "gina"


def test_case_insensitive_pool(cognito, make_pool):
    pool_id = make_pool(UsernameConfiguration={"CaseSensitive": False})
    create(cognito, pool_id, "Alice")
    assert get(cognito, pool_id, "alice")["Username"] == "Alice"
    assert get(cognito, pool_id, "ALICE")["Username"] == "Alice"
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "alice")
    assert err(info) == ("UsernameExistsException", "User account already exists")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="aLiCe")
    assert get(cognito, pool_id, "Alice")["Enabled"] is False


@pytest.mark.parametrize("attribute, value, message", [
    ("custom:nope", "x",
     "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the "
     "schema.\n"),
    ("favourite_colour", "x",
     "Attributes did not conform to the schema: favourite_colour: Attribute does not exist in "
     "the schema.\n"),
    ("email", "not-an-email", "Invalid email address format."),
    ("phone_number", "555-1234", "Invalid phone number format."),
    ("sub", str(uuid.uuid4()), "user.sub: Attribute cannot be updated.\n"),
])
def test_create_with_bad_attributes(cognito, pool_id, attribute, value, message):
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "hank", {attribute: value})
    assert err(info) == ("InvalidParameterException", message)


def test_boolean_attributes_are_normalised(cognito, pool_id):
    user = create(cognito, pool_id, "ivy", {"email": "ivy@example.com", "email_verified": "True"})
    assert attrs_of(user)["email_verified"] == "true"
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "ivy2", {"email": "i2@example.com", "email_verified": "yes"})
    assert err(info)[0] == "InvalidParameterException"


def test_required_attributes(cognito, make_pool):
    pool_id = make_pool(Schema=[{"Name": "email", "AttributeDataType": "String",
                                 "Required": True, "Mutable": True}])
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "jack")
    assert err(info) == ("InvalidParameterException",
                         "Attributes did not conform to the schema: email: The attribute email "
                         "is required")
    create(cognito, pool_id, "jack", {"email": "jack@example.com"})
    with pytest.raises(ClientError) as info:
        cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="jack",
                                             UserAttributeNames=["email"])
    assert err(info)[0] == "InvalidParameterException"
    assert attrs_of(get(cognito, pool_id, "jack"))["email"] == "jack@example.com"


def test_custom_attributes(cognito, make_pool):
    pool_id = make_pool(Schema=[
        {"Name": "team", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"}},
        {"Name": "tier", "AttributeDataType": "Number", "Mutable": True,
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "3"}},
        {"Name": "badge", "AttributeDataType": "String", "Mutable": False}])
    user = create(cognito, pool_id, "kim", {"custom:team": "blue", "custom:tier": "2",
                                            "custom:badge": "B-1"})
    assert attrs_of(user)["custom:team"] == "blue"
    for attribute, value in (("custom:team", "toolong"), ("custom:tier", "9"),
                             ("custom:tier", "two")):
        with pytest.raises(ClientError) as info:
            cognito.admin_update_user_attributes(
                UserPoolId=pool_id, Username="kim",
                UserAttributes=[{"Name": attribute, "Value": value}])
        code, message = err(info)
        assert code == "InvalidParameterException" and attribute in message
    # An immutable attribute is set at creation and can't change afterwards.
    with pytest.raises(ClientError) as info:
        cognito.admin_update_user_attributes(
            UserPoolId=pool_id, Username="kim",
            UserAttributes=[{"Name": "custom:badge", "Value": "B-2"}])
    assert err(info) == ("InvalidParameterException",
                         "user.custom:badge: Attribute cannot be updated.\n")
    assert attrs_of(get(cognito, pool_id, "kim"))["custom:badge"] == "B-1"


# --- pools that sign in with email / phone, aliases -----------------------------------------

def test_email_as_username(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"])
    user = create(cognito, pool_id, "Lee@Example.com", {"name": "Lee"})
    attrs = attrs_of(user)
    assert user["Username"] == attrs["sub"]        # the canonical username is the sub
    uuid.UUID(user["Username"])
    assert attrs["email"] == "Lee@Example.com"
    # Found by the email (any case), by the sub, by the canonical username.
    for name in ("Lee@Example.com", "lee@example.com", attrs["sub"]):
        assert get(cognito, pool_id, name)["Username"] == user["Username"]
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "lee@example.com")
    assert err(info) == ("UsernameExistsException",
                         "An account with the given email already exists.")
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "not-an-email")
    assert err(info) == ("InvalidParameterException", "Username should be an email.")


def test_email_or_phone_as_username(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email", "phone_number"])
    by_phone = create(cognito, pool_id, "+15550003333")
    assert attrs_of(by_phone)["phone_number"] == "+15550003333"
    assert get(cognito, pool_id, "+15550003333")["Username"] == by_phone["Username"]
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "plain")
    assert err(info) == ("InvalidParameterException",
                         "Username should be either an email or a phone number.")


def test_alias_pool_rejects_email_shaped_username(cognito, make_pool):
    pool_id = make_pool(AliasAttributes=["email", "phone_number"])
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "mia@example.com")
    assert err(info) == ("InvalidParameterException",
                         "Username cannot be of email format, since user pool is configured "
                         "for email alias.")
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "+15550004444")
    assert err(info)[0] == "InvalidParameterException"


def test_alias_conflicts_and_force_alias_creation(cognito, make_pool):
    pool_id = make_pool(AliasAttributes=["email"])
    verified = {"email": "shared@example.com", "email_verified": "true"}
    create(cognito, pool_id, "nina", verified)
    assert get(cognito, pool_id, "shared@example.com")["Username"] == "nina"
    # An unverified email is not an alias: no conflict.
    create(cognito, pool_id, "noah", {"email": "shared@example.com"})
    with pytest.raises(ClientError) as info:
        create(cognito, pool_id, "olga", verified)
    assert err(info) == ("AliasExistsException", "An account with the given email already exists.")
    with pytest.raises(ClientError) as info:
        get(cognito, pool_id, "olga")
    assert err(info) == ("UserNotFoundException", "User does not exist.")
    # ForceAliasCreation moves the alias to the new user.
    create(cognito, pool_id, "olga", verified, ForceAliasCreation=True)
    assert get(cognito, pool_id, "shared@example.com")["Username"] == "olga"
    nina = attrs_of(get(cognito, pool_id, "nina"))
    assert nina["email"] == "shared@example.com" and nina["email_verified"] == "false"
    # Verifying the old holder's email again collides with the new holder.
    with pytest.raises(ClientError) as info:
        cognito.admin_update_user_attributes(
            UserPoolId=pool_id, Username="nina",
            UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert err(info)[0] == "AliasExistsException"


# --- MessageAction RESEND -------------------------------------------------------------------

def test_resend_invitation(cognito, pool_id, outbox):
    cognito.admin_create_user(UserPoolId=pool_id, Username="pat",
                              UserAttributes=[{"Name": "email", "Value": "pat@example.com"}])
    [first] = outbox(poolId=pool_id)
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="pat",
                                     MessageAction="RESEND")["User"]
    assert user["Username"] == "pat" and user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    msgs = outbox(poolId=pool_id)
    assert len(msgs) == 2 and msgs[1]["code"] != first["code"]
    assert msgs[1]["purpose"] == "TEMPORARY_PASSWORD"

    with pytest.raises(ClientError) as info:
        cognito.admin_create_user(UserPoolId=pool_id, Username="nobody", MessageAction="RESEND")
    assert err(info) == ("UserNotFoundException", "User does not exist.")

    cognito.admin_set_user_password(UserPoolId=pool_id, Username="pat", Password=STRONG,
                                    Permanent=True)
    with pytest.raises(ClientError) as info:
        cognito.admin_create_user(UserPoolId=pool_id, Username="pat", MessageAction="RESEND")
    assert err(info) == ("UnsupportedUserStateException",
                         "Resend not possible. pat status is not FORCE_CHANGE_PASSWORD.")


# --- get / delete / enable / disable ----------------------------------------------------------

def test_unknown_user_and_pool(cognito, pool_id):
    for call in (lambda: get(cognito, pool_id, "ghost"),
                 lambda: cognito.admin_delete_user(UserPoolId=pool_id, Username="ghost"),
                 lambda: cognito.admin_disable_user(UserPoolId=pool_id, Username="ghost"),
                 lambda: cognito.admin_enable_user(UserPoolId=pool_id, Username="ghost"),
                 lambda: cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="ghost"),
                 lambda: cognito.admin_reset_user_password(UserPoolId=pool_id, Username="ghost"),
                 lambda: cognito.admin_set_user_password(UserPoolId=pool_id, Username="ghost",
                                                         Password=STRONG),
                 lambda: cognito.admin_update_user_attributes(
                     UserPoolId=pool_id, Username="ghost",
                     UserAttributes=[{"Name": "name", "Value": "x"}]),
                 lambda: cognito.admin_delete_user_attributes(
                     UserPoolId=pool_id, Username="ghost", UserAttributeNames=["name"])):
        with pytest.raises(ClientError) as info:
            call()
        assert err(info) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as info:
        get(cognito, "us-east-1_NoSuchPool", "ghost")
    assert err(info) == ("ResourceNotFoundException",
                         "User pool us-east-1_NoSuchPool does not exist.")


def test_delete_user(cognito, pool_id):
    create(cognito, pool_id, "quinn", {"email": "q@example.com", "email_verified": "true"})
    cognito.create_group(UserPoolId=pool_id, GroupName="staff")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="quinn", GroupName="staff")
    assert cognito.admin_delete_user(UserPoolId=pool_id, Username="quinn")["ResponseMetadata"]
    with pytest.raises(ClientError) as info:
        get(cognito, pool_id, "quinn")
    assert err(info)[0] == "UserNotFoundException"
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="staff")["Users"] == []
    # Name and alias are free again; the new user is not in the old user's groups.
    create(cognito, pool_id, "quinn", {"email": "q@example.com", "email_verified": "true"})
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="quinn")["Groups"] == []


def test_disable_enable(cognito, pool_id):
    created = create(cognito, pool_id, "rita")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="rita")
    got = get(cognito, pool_id, "rita")
    assert got["Enabled"] is False and got["UserLastModifiedDate"] >= created["UserCreateDate"]
    cognito.admin_disable_user(UserPoolId=pool_id, Username="rita")  # idempotent
    cognito.admin_enable_user(UserPoolId=pool_id, Username="rita")
    assert get(cognito, pool_id, "rita")["Enabled"] is True


# --- passwords, confirmation, reset -----------------------------------------------------------

def test_admin_set_user_password(cognito, pool_id):
    create(cognito, pool_id, "sam")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=STRONG,
                                    Permanent=True)
    assert get(cognito, pool_id, "sam")["UserStatus"] == "CONFIRMED"
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password=STRONG,
                                    Permanent=False)
    assert get(cognito, pool_id, "sam")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ClientError) as info:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="sam", Password="NoDigits!!",
                                        Permanent=True)
    assert err(info) == ("InvalidPasswordException",
                         "Password did not conform with policy: Password must have numeric "
                         "characters")
    assert get(cognito, pool_id, "sam")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_admin_set_user_password_respects_pool_policy(cognito, make_pool):
    pool_id = make_pool(Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True,
        "RequireNumbers": False, "RequireSymbols": False}})
    create(cognito, pool_id, "tess", TemporaryPassword="simple")
    # this pool's rules refuse: five characters, no lower case
    for bad, why in (("plai1", "Password not long enough"),
                     ("PLAIN1", "Password must have lowercase characters")):
        with pytest.raises(ClientError) as info:
            cognito.admin_set_user_password(UserPoolId=pool_id, Username="tess", Password=bad,
                                            Permanent=True)
        assert err(info) == ("InvalidPasswordException",
                             f"Password did not conform with policy: {why}")
    assert get(cognito, pool_id, "tess")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # and accept what the default policy would not (short, no upper case, no symbol)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="tess", Password="plain1",
                                    Permanent=True)
    assert get(cognito, pool_id, "tess")["UserStatus"] == "CONFIRMED"


def test_admin_confirm_sign_up_state(cognito, pool_id):
    create(cognito, pool_id, "uma")
    with pytest.raises(ClientError) as info:
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="uma")
    assert err(info) == ("NotAuthorizedException",
                         "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="uma", Password=STRONG,
                                    Permanent=True)
    with pytest.raises(ClientError) as info:
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="uma")
    assert err(info) == ("NotAuthorizedException",
                         "User cannot be confirmed. Current status is CONFIRMED")


def test_admin_confirm_sign_up_confirms_signed_up_user(cognito, pool_id, client_id):
    cognito.sign_up(ClientId=client_id, Username="vera", Password=STRONG)
    assert get(cognito, pool_id, "vera")["UserStatus"] == "UNCONFIRMED"
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="vera")
    assert get(cognito, pool_id, "vera")["UserStatus"] == "CONFIRMED"


def test_admin_reset_user_password(cognito, pool_id, outbox):
    create(cognito, pool_id, "will", {"email": "will@example.com"})
    with pytest.raises(ClientError) as info:  # never replaced the temporary password
        cognito.admin_reset_user_password(UserPoolId=pool_id, Username="will")
    assert err(info) == ("NotAuthorizedException",
                         "User password cannot be reset in the current state.")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="will", Password=STRONG,
                                    Permanent=True)
    with pytest.raises(ClientError) as info:  # the email is not verified
        cognito.admin_reset_user_password(UserPoolId=pool_id, Username="will")
    assert err(info) == ("InvalidParameterException",
                         "Cannot reset password for the user as there is no registered/verified "
                         "email or phone_number")
    assert get(cognito, pool_id, "will")["UserStatus"] == "CONFIRMED"

    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="will", UserAttributes=[
        {"Name": "email_verified", "Value": "true"}])
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="will")
    assert get(cognito, pool_id, "will")["UserStatus"] == "RESET_REQUIRED"
    [msg] = outbox(poolId=pool_id, purpose="FORGOT_PASSWORD")
    assert msg["destination"] == "will@example.com" and msg["medium"] == "EMAIL"
    assert len(msg["code"]) == 6 and msg["code"] in msg["message"]
    # A new password from the admin ends the reset.
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="will", Password=STRONG,
                                    Permanent=True)
    assert get(cognito, pool_id, "will")["UserStatus"] == "CONFIRMED"


def test_reset_destination_follows_account_recovery_setting(cognito, make_pool, outbox):
    both = {"email": "x@example.com", "email_verified": "true",
            "phone_number": "+15550005555", "phone_number_verified": "true"}
    phone_first = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 1},
        {"Name": "verified_email", "Priority": 2}]})
    email_first = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Name": "verified_email", "Priority": 1},
        {"Name": "verified_phone_number", "Priority": 2}]})
    for pool_id, medium in ((phone_first, "SMS"), (email_first, "EMAIL")):
        create(cognito, pool_id, "xena", both, TemporaryPassword=STRONG)
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="xena", Password=STRONG,
                                        Permanent=True)
        cognito.admin_reset_user_password(UserPoolId=pool_id, Username="xena")
        [msg] = outbox(poolId=pool_id, purpose="FORGOT_PASSWORD")
        assert msg["medium"] == medium


# --- attributes ---------------------------------------------------------------------------------

def test_update_and_delete_attributes(cognito, pool_id):
    create(cognito, pool_id, "yara", {"email": "y@example.com", "email_verified": "true",
                                      "given_name": "Y"})
    before = get(cognito, pool_id, "yara")
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="yara", UserAttributes=[
        {"Name": "given_name", "Value": "Yara"}, {"Name": "family_name", "Value": "Z"}])
    after = get(cognito, pool_id, "yara")
    attrs = attrs_of(after)
    assert attrs["given_name"] == "Yara" and attrs["family_name"] == "Z"
    assert attrs["email_verified"] == "true"  # untouched
    assert after["UserLastModifiedDate"] >= before["UserLastModifiedDate"]
    assert "updated_at" not in attrs

    # A new email drops the verified flag unless the same call sets it.
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="yara", UserAttributes=[
        {"Name": "email", "Value": "y2@example.com"}])
    attrs = attrs_of(get(cognito, pool_id, "yara"))
    assert attrs["email"] == "y2@example.com" and attrs["email_verified"] == "false"
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="yara", UserAttributes=[
        {"Name": "email", "Value": "y3@example.com"}, {"Name": "email_verified", "Value": "true"}])
    assert attrs_of(get(cognito, pool_id, "yara"))["email_verified"] == "true"

    cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="yara",
                                         UserAttributeNames=["family_name", "email"])
    attrs = attrs_of(get(cognito, pool_id, "yara"))
    assert "family_name" not in attrs and "email" not in attrs and "email_verified" not in attrs
    assert attrs["given_name"] == "Yara"


@pytest.mark.parametrize("updates, message", [
    ([{"Name": "nope", "Value": "x"}], "user.nope: Attribute does not exist in the schema.\n"),
    ([{"Name": "custom:nope", "Value": "x"}],
     "user.custom:nope: Attribute does not exist in the schema.\n"),
    ([{"Name": "sub", "Value": "x"}], "user.sub: Attribute cannot be updated.\n"),
    ([{"Name": "email", "Value": "bad"}], "Invalid email address format."),
    ([{"Name": "name", "Value": "ok"}, {"Name": "phone_number", "Value": "12"}],
     "Invalid phone number format."),
])
def test_update_attributes_errors_change_nothing(cognito, pool_id, updates, message):
    create(cognito, pool_id, "zed", {"name": "Zed"})
    with pytest.raises(ClientError) as info:
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="zed",
                                             UserAttributes=updates)
    assert err(info) == ("InvalidParameterException", message)
    assert attrs_of(get(cognito, pool_id, "zed"))["name"] == "Zed"


def test_delete_attributes_errors(cognito, pool_id):
    create(cognito, pool_id, "abe")
    for names, message in ((["nope"], "user.nope: Attribute does not exist in the schema.\n"),
                           (["sub"], "user.sub: Attribute cannot be updated.\n")):
        with pytest.raises(ClientError) as info:
            cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="abe",
                                                 UserAttributeNames=names)
        assert err(info) == ("InvalidParameterException", message)


def test_auto_verified_email_change_sends_code(cognito, make_pool, outbox):
    pool_id = make_pool(AutoVerifiedAttributes=["email"])
    create(cognito, pool_id, "bea", {"email": "bea@example.com", "email_verified": "true"})
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="bea", UserAttributes=[
        {"Name": "email", "Value": "bea2@example.com"}])
    [msg] = outbox(poolId=pool_id, purpose="VERIFY_ATTRIBUTE")
    assert msg["destination"] == "bea2@example.com" and msg["medium"] == "EMAIL"
    assert len(msg["code"]) == 6
    # Marked verified in the same call: no code.
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="bea", UserAttributes=[
        {"Name": "email", "Value": "bea3@example.com"},
        {"Name": "email_verified", "Value": "true"}])
    # An unrelated attribute: no code either.
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="bea", UserAttributes=[
        {"Name": "name", "Value": "Bea"}])
    assert len(outbox(poolId=pool_id, purpose="VERIFY_ATTRIBUTE")) == 1


def test_no_code_without_auto_verification(cognito, pool_id, outbox):
    create(cognito, pool_id, "cy", {"email": "cy@example.com"})
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="cy", UserAttributes=[
        {"Name": "email", "Value": "cy2@example.com"}])
    assert outbox(poolId=pool_id) == []


def test_email_username_change_moves_sign_in_name(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"])
    user = create(cognito, pool_id, "old@example.com")
    other = create(cognito, pool_id, "taken@example.com")
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="old@example.com",
                                         UserAttributes=[{"Name": "email",
                                                          "Value": "new@example.com"}])
    assert get(cognito, pool_id, "new@example.com")["Username"] == user["Username"]
    with pytest.raises(ClientError) as info:
        get(cognito, pool_id, "old@example.com")
    assert err(info)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as info:
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="new@example.com",
                                             UserAttributes=[{"Name": "email",
                                                              "Value": "taken@example.com"}])
    assert err(info)[0] == "AliasExistsException"
    assert get(cognito, pool_id, "taken@example.com")["Username"] == other["Username"]


# --- concurrency --------------------------------------------------------------------------------

def test_concurrent_creates_of_one_username(endpoint, cognito, pool_id):
    for round_ in range(20):
        name = f"race-{round_}"
        results = []
        barrier = threading.Barrier(2)

        def attempt(name=name, results=results, barrier=barrier):
            client = make_client(endpoint)
            barrier.wait()
            try:
                client.admin_create_user(UserPoolId=pool_id, Username=name,
                                         MessageAction="SUPPRESS")
                results.append("ok")
            except ClientError as e:
                results.append(e.response["Error"]["Code"])

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["UsernameExistsException", "ok"], results
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 20


def test_admin_only_recovery_resets_without_a_message(cognito, make_pool, outbox):
    pool_id = make_pool(AccountRecoverySetting={"RecoveryMechanisms": [
        {"Name": "admin_only", "Priority": 1}]})
    create(cognito, pool_id, "gus", {"email": "gus@example.com", "email_verified": "true"},
           TemporaryPassword=STRONG)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="gus", Password=STRONG,
                                    Permanent=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="gus")
    assert get(cognito, pool_id, "gus")["UserStatus"] == "RESET_REQUIRED"
    assert outbox(poolId=pool_id) == []


def test_developer_only_attributes(cognito, make_pool):
    pool_id = make_pool(Schema=[{"Name": "secret", "AttributeDataType": "String",
                                 "DeveloperOnlyAttribute": True, "Mutable": True}])
    names = [a["Name"] for a in cognito.describe_user_pool(
        UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]]
    assert "dev:custom:secret" in names
    create(cognito, pool_id, "hal", {"dev:custom:secret": "s3"})
    assert attrs_of(get(cognito, pool_id, "hal"))["dev:custom:secret"] == "s3"
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="hal", UserAttributes=[
        {"Name": "dev:custom:secret", "Value": "s4"}])
    assert attrs_of(get(cognito, pool_id, "hal"))["dev:custom:secret"] == "s4"


# --- attributes.py rules the self-service APIs use (no server needed) ---------------------------

def test_client_attribute_permissions():
    from emulator.domain import attributes
    from emulator.errors import CognitoError
    pool = {"Id": "us-east-1_Test1", "SchemaAttributes": attributes.STANDARD_SCHEMA + [
        {"Name": "dev:custom:secret", "AttributeDataType": "String",
         "DeveloperOnlyAttribute": True, "Mutable": True, "Required": False}]}
    attrs = {"sub": "s", "email": "e@example.com", "email_verified": "true", "name": "N",
             "dev:custom:secret": "x"}
    assert attributes.readable({}, attrs) == {k: v for k, v in attrs.items()
                                              if k != "dev:custom:secret"}
    assert attributes.readable({"ReadAttributes": ["email"]}, attrs) == \
        {"sub": "s", "email": "e@example.com"}

    attributes.check_writable({}, ["name", "email"])
    attributes.check_writable({"WriteAttributes": ["name"]}, ["name"])
    for client, names in (({"WriteAttributes": ["name"]}, ["email"]), ({}, ["email_verified"]),
                          ({}, ["dev:custom:secret"])):
        with pytest.raises(CognitoError) as info:
            attributes.check_writable(client, names)
        assert (info.value.code, info.value.message) == \
            ("NotAuthorizedException", "A client attempted to write unauthorized attribute")

    # Users themselves (admin=False) can't mark an email verified or write dev attributes.
    for name in ("email_verified", "dev:custom:secret"):
        with pytest.raises(CognitoError) as info:
            attributes.validate_updates(pool, [{"Name": name, "Value": "true"}], admin=False)
        assert info.value.code == "NotAuthorizedException"
    assert attributes.validate_updates(pool, [{"Name": "name", "Value": "M"}], admin=False) == \
        {"name": "M"}


def test_apply_reports_changes_and_resets_verification():
    from emulator.domain import attributes
    user = {"Attributes": {"sub": "s", "email": "a@example.com", "email_verified": "true"},
            "UserLastModifiedDate": 1.0}
    assert attributes.apply(user, {"email": "a@example.com"}, 2.0) == set()
    assert user["UserLastModifiedDate"] == 1.0
    assert attributes.apply(user, {"email": "b@example.com"}, 3.0) == {"email", "email_verified"}
    assert user["Attributes"]["email_verified"] == "false" and user["UserLastModifiedDate"] == 3.0
    fresh = {"Attributes": {"sub": "s"}}
    assert attributes.apply(fresh, {"phone_number": "+15550009999"}, 4.0) == {"phone_number"}
    assert "phone_number_verified" not in fresh["Attributes"]
    assert attributes.required_missing(
        {"SchemaAttributes": [{"Name": "email", "Required": True}]}, {"sub": "s"}) == ["email"]
