"""Request validation against botocore's cognito-idp model (emulator.api.validation)."""
import re

import pytest

from emulator.api import model
from emulator.api.validation import ValidationFailure, validate

POOL = "us-east-1_AbCdEf123"
CLIENT = "4b1o3vlcnk8ok7gjm2h9vjeaov"


def failure(op, params) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        validate(op, params)
    return info.value


def constraint_failure(op, params) -> str:
    exc = failure(op, params)
    assert exc.error_type == "InvalidParameterException", exc.message
    return exc.message


def serialization_failure(op, params) -> str:
    exc = failure(op, params)
    assert exc.error_type == "SerializationException", exc.message
    return exc.message


# ------------------------------------------------------------------ model.py

def test_model_accessors():
    names = model.operation_names()
    assert len(names) == 153 and "InitiateAuth" in names
    assert model.load_model() is model.load_model()  # loaded once
    assert model.has_operation("InitiateAuth") and not model.has_operation("Nope")
    assert model.input_shape_name("InitiateAuth") == "InitiateAuthRequest"
    assert model.output_shape_name("InitiateAuth") == "InitiateAuthResponse"
    assert model.is_unsigned("InitiateAuth") and model.is_unsigned("SignUp")
    assert not model.is_unsigned("AdminGetUser")
    errors = model.error_shape_names()
    assert isinstance(errors, set)
    assert {"NotAuthorizedException", "InvalidParameterException"} <= errors
    assert "InitiateAuthRequest" not in errors


# ------------------------------------------------------------------ valid input

def test_valid_requests_pass():
    validate("InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
        "ClientMetadata": {"k": "v"},
    })
    validate("AdminCreateUser", {
        "UserPoolId": POOL, "Username": "bob", "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}],
    })
    validate("ListUsers", {"UserPoolId": POOL, "Limit": 60})


def test_every_operation_validator_builds():
    ops = model.operation_names()
    assert len(ops) == 153
    for op in ops:
        try:
            validate(op, {})
        except ValidationFailure as exc:
            assert exc.error_type == "InvalidParameterException"
            assert "Member must not be null" in exc.message


def test_unknown_operation():
    assert failure("NoSuchOperation", {}).error_type == "UnknownOperationException"


# ------------------------------------------------------------------ constraints

def test_missing_required_member():
    assert constraint_failure("CreateUserPool", {}) == (
        "1 validation error detected: Value null at 'poolName' failed to satisfy "
        "constraint: Member must not be null")


def test_json_null_counts_as_missing():
    message = constraint_failure("CreateUserPool", {"PoolName": None})
    assert "Value null at 'poolName'" in message


def test_null_members_are_removed_before_the_handler():
    """Issue #16: handlers read `params.get("MaxResults", 60)`; a null must not reach them."""
    params = {"UserPoolId": POOL, "Limit": None, "AttributesToGet": None, "Filter": None,
              "Bogus": None, "UserAttributes": [{"Name": "email", "Value": None}]}
    validate("ListUsers", params)
    assert params == {"UserPoolId": POOL, "UserAttributes": [{"Name": "email", "Value": None}]}
    nested = {"UserPoolId": POOL, "Username": "bob", "MessageAction": None,
              "UserAttributes": [{"Name": "email", "Value": None}]}
    validate("AdminCreateUser", nested)
    assert nested == {"UserPoolId": POOL, "Username": "bob",
                      "UserAttributes": [{"Name": "email"}]}


def test_null_in_a_list_of_scalars_is_reported_once():
    assert constraint_failure("ListUsers", {
        "UserPoolId": POOL, "AttributesToGet": ["email", None, None]}) == (
        "1 validation error detected: Value '[email, null, null]' at 'attributesToGet' failed "
        "to satisfy constraint: Member must satisfy constraint: [Member must not be null]")


def test_null_in_a_list_of_structures_is_a_missing_member():
    assert constraint_failure("AddCustomAttributes", {
        "UserPoolId": POOL, "CustomAttributes": [{"Name": "team"}, None]}) == (
        "1 validation error detected: Value null at 'customAttributes.2.member' failed to "
        "satisfy constraint: Member must not be null")


def test_null_map_value_is_refused():
    assert constraint_failure("AdminCreateUser", {
        "UserPoolId": POOL, "Username": "bob", "ClientMetadata": {"a": "b", "c": None}}) == (
        "1 validation error detected: Value '{a=b, c=null}' at 'clientMetadata' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must not be null]")


def test_too_long_pool_name():
    name = "p" * 129
    assert constraint_failure("CreateUserPool", {"PoolName": name}) == (
        f"1 validation error detected: Value '{name}' at 'poolName' failed to satisfy "
        "constraint: Member must have length less than or equal to 128")


def test_bad_user_pool_id_pattern():
    assert constraint_failure("AdminGetUser", {"UserPoolId": "abc", "Username": "bob"}) == (
        "1 validation error detected: Value 'abc' at 'userPoolId' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+")


def test_pattern_is_a_full_match():
    # '[\w-]+_[0-9a-zA-Z]+' would match a prefix of this; AWS matches the whole string.
    message = constraint_failure("AdminGetUser", {"UserPoolId": POOL + "!", "Username": "bob"})
    assert "at 'userPoolId'" in message


def test_java_w_is_ascii_only():
    # UserPoolNameType is [\w\s+=,.@-]+; Java's \w doesn't match 'ü'.
    assert "at 'poolName'" in constraint_failure("CreateUserPool", {"PoolName": "Jürgen"})
    validate("CreateUserPool", {"PoolName": "my pool+=,.@-_1"})


def test_enum_violation():
    message = constraint_failure("InitiateAuth", {"AuthFlow": "NOPE", "ClientId": CLIENT})
    assert message.startswith(
        "1 validation error detected: Value 'NOPE' at 'authFlow' failed to satisfy "
        "constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, ")
    assert message.endswith("USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]")


def test_unicode_property_pattern():
    pattern = model.load_model()["shapes"]["UsernameType"]["pattern"]
    assert r"\p{L}" in pattern
    with pytest.raises(re.error):  # why the `regex` package is needed
        re.compile(pattern)
    for name in ("Jürgen", "用户名", "señor.o'brien+1@example.com", "🙂"):
        validate("AdminGetUser", {"UserPoolId": POOL, "Username": name})
    # A space is \p{Z}, outside [\p{L}\p{M}\p{S}\p{N}\p{P}].
    message = constraint_failure("AdminGetUser", {"UserPoolId": POOL, "Username": "has space"})
    assert message == (
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}")


def test_unicode_pattern_keeps_java_ascii_whitespace():
    # EmailVerificationSubjectType is [\p{L}\p{M}\p{S}\p{N}\p{P}\s]+ and Java's \s is
    # ASCII-only: a tab passes, a no-break space (Unicode whitespace) does not.
    base = {"PoolName": "pool"}
    validate("CreateUserPool", {**base, "EmailVerificationSubject": "Your\tcode é"})
    message = constraint_failure("CreateUserPool", {**base, "EmailVerificationSubject": "a\u00a0b"})
    assert "at 'emailVerificationSubject'" in message


def test_nested_list_element_missing_member():
    message = constraint_failure("AdminCreateUser", {
        "UserPoolId": POOL, "Username": "bob",
        "UserAttributes": [{"Name": "email", "Value": "a@b.c"}, {"Value": "x"}],
    })
    assert message == (
        "1 validation error detected: Value null at 'userAttributes.2.member.name' "
        "failed to satisfy constraint: Member must not be null")


def test_nested_structure_value_range():
    message = constraint_failure("CreateUserPool", {
        "PoolName": "pool", "Policies": {"PasswordPolicy": {"MinimumLength": 3}}})
    assert message == (
        "1 validation error detected: Value '3' at 'policies.passwordPolicy.minimumLength' "
        "failed to satisfy constraint: Member must have value greater than or equal to 6")


def test_list_of_scalars_reported_once():
    message = constraint_failure("ListUsers", {
        "UserPoolId": POOL, "AttributesToGet": ["email", "", "x" * 40]})
    assert message.startswith(
        "1 validation error detected: Value '[email, , " + "x" * 40 + "]' at 'attributesToGet' "
        "failed to satisfy constraint: Member must satisfy constraint: [Member must have "
        "length less than or equal to 32, Member must have length greater than or equal to 1, ")


def test_map_keys_reported_once():
    message = constraint_failure("CreateUserPool", {
        "PoolName": "pool", "UserPoolTags": {"": "a", "ok": "b", "k" * 200: "c"}})
    assert message.startswith("1 validation error detected: Value '{=a, ok=b, ")
    assert message.endswith(
        "' at 'userPoolTags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]")


def test_sensitive_value_not_echoed():
    secret = "has a space secret"
    message = constraint_failure("SignUp", {"ClientId": CLIENT, "Username": "bob",
                                            "Password": secret})
    assert secret not in message
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\S]+")


def test_sensitive_map_not_echoed():
    # AuthParametersType is sensitive, so are the strings inside it.
    message = constraint_failure("InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT,
        "AuthParameters": {"PASSWORD": "s3cret" * 30000}})
    assert "s3cret" not in message
    assert ("Value at 'authParameters' failed to satisfy constraint: Map value must satisfy"
            in message)


def test_multiple_errors_are_counted_missing_first():
    message = constraint_failure("AdminGetUser", {"UserPoolId": "abc"})
    assert message == (
        "2 validation errors detected: "
        "Value null at 'username' failed to satisfy constraint: Member must not be null; "
        "Value 'abc' at 'userPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+")


def test_one_value_failing_two_constraints():
    message = constraint_failure("InitiateAuth", {"AuthFlow": "USER_AUTH", "ClientId": ""})
    assert message == (
        "2 validation errors detected: "
        "Value at 'clientId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'clientId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w+]+")


# ------------------------------------------------------------------ JSON types

def test_wrong_type_is_serialization_exception():
    message = serialization_failure("ListUsers", {"UserPoolId": POOL, "Limit": "10"})
    assert message == "Invalid type for member 'Limit': expected integer, got string"


@pytest.mark.parametrize("op, params, path", [
    ("ListUsers", {"UserPoolId": POOL, "Limit": True}, "Limit"),
    ("ListUsers", {"UserPoolId": POOL, "Limit": 1.5}, "Limit"),
    ("ListUsers", {"UserPoolId": 42}, "UserPoolId"),
    ("ListUsers", {"UserPoolId": POOL, "AttributesToGet": "email"}, "AttributesToGet"),
    ("InitiateAuth", {"AuthFlow": "USER_AUTH", "ClientId": CLIENT, "AuthParameters": []},
     "AuthParameters"),
    ("InitiateAuth", {"AuthFlow": "USER_AUTH", "ClientId": CLIENT, "AuthParameters": {"A": 1}},
     "AuthParameters.A"),
    ("AdminCreateUser", {"UserPoolId": POOL, "Username": "bob", "ForceAliasCreation": "true"},
     "ForceAliasCreation"),
    ("AdminCreateUser", {"UserPoolId": POOL, "Username": "bob",
                         "UserAttributes": [{"Name": "email", "Value": 5}]},
     "UserAttributes[0].Value"),
])
def test_wrong_types(op, params, path):
    assert serialization_failure(op, params).startswith(
        f"Invalid type for member '{path}': expected ")


def test_type_error_wins_over_constraint_errors():
    # Deserialisation happens first: the missing Username is never reported.
    assert serialization_failure("ListUsers", {"UserPoolId": "bad!", "Limit": "x"}).startswith(
        "Invalid type for member 'Limit'")


def test_whole_numbers_and_blobs():
    validate("ListUsers", {"UserPoolId": POOL, "Limit": 5.0})
    validate("SetUICustomization", {"UserPoolId": POOL, "ImageFile": "aGVsbG8="})
    assert "ImageFile" in serialization_failure(
        "SetUICustomization", {"UserPoolId": POOL, "ImageFile": "not base64!"})


@pytest.mark.parametrize("body", [[], "x", 1, None, True])
def test_non_object_body(body):
    assert serialization_failure("ListUsers", body).startswith(
        "Invalid type for request body: expected object, got ")


def test_unknown_members_ignored():
    validate("ListUsers", {"UserPoolId": POOL, "Bogus": {"x": [1, 2]}, "limit": "not checked"})
    validate("AdminCreateUser", {
        "UserPoolId": POOL, "Username": "bob",
        "UserAttributes": [{"Name": "email", "Value": "a@b.c", "Extra": 1}],
    })
