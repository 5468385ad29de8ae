"""ListUsers Filter parsing and matching (emulator.domain.user_filter)."""
import pytest

from emulator.domain import user_filter
from emulator.errors import CognitoError

USER = {"Username": "alice", "UserStatus": "CONFIRMED", "Enabled": True,
        "Attributes": {"sub": "1111-2222", "email": "alice@example.com", "given_name": 'Al "Ace"',
                       "phone_number": "+15551234567"}}


def error(text) -> CognitoError:
    with pytest.raises(CognitoError) as info:
        user_filter.parse(text)
    assert info.value.code == "InvalidParameterException"
    return info.value


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_filter_means_everyone(text):
    assert user_filter.parse(text) is None


@pytest.mark.parametrize("text, attribute, prefix, value", [
    ('email = "alice@example.com"', "email", False, "alice@example.com"),
    ('email="alice@example.com"', "email", False, "alice@example.com"),
    ('  email   ^=   "ali"  ', "email", True, "ali"),
    ('given_name = "Al \\"Ace\\""', "given_name", False, 'Al "Ace"'),
    ('name = "back\\\\slash"', "name", False, "back\\slash"),
    ('family_name = ""', "family_name", False, ""),
    ('cognito:user_status = "confirmed"', "cognito:user_status", False, "confirmed"),
    ('status = "Enabled"', "status", False, "Enabled"),
    ('sub ^= "1111"', "sub", True, "1111"),
])
def test_parse(text, attribute, prefix, value):
    f = user_filter.parse(text)
    assert (f.attribute, f.prefix, f.value) == (attribute, prefix, value)


@pytest.mark.parametrize("text", [
    "username = foo", "username=", 'username "x"', "username = 'x'", 'username == "x"',
    'username = "x" and', 'username = "unterminated', '= "x"', 'email = "a" email = "b"',
    'username ~= "x"',
])
def test_parse_errors(text):
    assert error(text).message == "Error while parsing filter."


@pytest.mark.parametrize("name", ["custom:team", "locale", "email_verified", "Email"])
def test_only_documented_attributes_are_searchable(name):
    assert error(f'{name} = "x"').message == f"Invalid search attribute: {name}"


@pytest.mark.parametrize("text, expected", [
    ('username = "alice"', True),
    ('username = "Alice"', False),          # username is case-sensitive
    ('username ^= "ali"', True),
    ('email = "alice@example.com"', True),
    ('email = "alice@example"', False),
    ('email ^= "alice@"', True),
    ('phone_number ^= "+1555"', True),
    ('given_name = "Al \\"Ace\\""', True),
    ('family_name = ""', False),            # absent attribute never matches
    ('cognito:user_status = "confirmed"', True),  # case-insensitive
    ('cognito:user_status = "UNCONFIRMED"', False),
    ('status = "Enabled"', True),
    ('status = "enabled"', False),          # case-sensitive
    ('status = "Disabled"', False),
    ('sub = "1111-2222"', True),
    ('sub ^= "2222"', False),
])
def test_matches(text, expected):
    assert user_filter.parse(text).matches(USER) is expected


def test_disabled_user_status():
    disabled = {**USER, "Enabled": False}
    assert user_filter.parse('status = "Disabled"').matches(disabled)
    assert not user_filter.parse('status = "Enabled"').matches(disabled)
