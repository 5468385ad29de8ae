"""ListUsers' Filter: `AttributeName Filter-Type "AttributeValue"`.

Filter-Type is `=` (exact) or `^=` (starts with); one attribute per filter; quotation marks
and backslashes inside the value are escaped with a backslash; an empty filter matches every
user. Only double quotes are documented, so a single-quoted value is a parse error here
(UNCONFIRMED what real Cognito does with one).

Error wording: "Error while parsing filter." (final period) is confirmed: aws/aws-sdk-php#1088
and #1961 show the raw 400 body {"__type":"InvalidParameterException","message":"Error while
parsing filter."}. "Invalid search attribute: <name>" follows what other Cognito emulators
observed; treat it as UNCONFIRMED.

Every searchable attribute is a store index on the user records (index name = attribute,
see index_of): `=` is an equality lookup and `^=` a range scan, both ordered by (value,
user key), so a filtered page costs O(page) however many users the pool holds.
"""
import re
from dataclasses import dataclass

from ..errors import CognitoError

# Searchable attributes (model docs on ListUsersRequest.Filter).
SEARCHABLE = ("username", "email", "phone_number", "name", "given_name", "family_name",
              "preferred_username", "cognito:user_status", "status", "sub")

_FILTER = re.compile(r'^\s*([^\s=^"]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$', re.S)


@dataclass(frozen=True)
class Filter:
    attribute: str
    prefix: bool   # True for ^=
    value: str

    @property
    def index_value(self) -> str:
        """The value (or prefix) to look up in the attribute's index."""
        return normal(self.attribute, self.value)

    def matches(self, user: dict) -> bool:
        actual = value_of(user, self.attribute)
        if actual is None:
            return False
        wanted = self.value
        if self.attribute == "cognito:user_status":  # documented as case-insensitive
            actual, wanted = actual.lower(), wanted.lower()
        return actual.startswith(wanted) if self.prefix else actual == wanted


def parse_error() -> CognitoError:
    return CognitoError("InvalidParameterException", "Error while parsing filter.")


def parse(text: str | None) -> Filter | None:
    """None for an absent or blank filter (every user matches)."""
    if text is None or not text.strip():
        return None
    m = _FILTER.match(text)
    if not m:
        raise parse_error()
    attribute, op, raw = m.groups()
    if attribute not in SEARCHABLE:
        raise CognitoError("InvalidParameterException", f"Invalid search attribute: {attribute}")
    value = re.sub(r"\\(.)", r"\1", raw, flags=re.S)
    return Filter(attribute, op == "^=", value)


def value_of(user: dict, attribute: str) -> str | None:
    """What a filter attribute means for a user record."""
    if attribute == "username":
        return user["Username"]
    if attribute == "cognito:user_status":
        return user["UserStatus"]
    if attribute == "status":  # "Enabled" in the console
        return "Enabled" if user.get("Enabled", True) else "Disabled"
    return user["Attributes"].get(attribute)


def normal(attribute: str, value: str) -> str:
    """An index value as filters compare it: cognito:user_status without case, the rest
    exactly."""
    return value.lower() if attribute == "cognito:user_status" else value


def index_of(user: dict) -> dict[str, str]:
    """The user's index entries (Store put(index=...)): one per searchable attribute it has."""
    out = {}
    for attribute in SEARCHABLE:
        value = value_of(user, attribute)
        if isinstance(value, str):
            out[attribute] = normal(attribute, value)
    return out
