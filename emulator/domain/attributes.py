"""User attributes: checking writes against the pool schema, applying them, and what an
app client may read or write.

Values are always strings on the wire and in the user record ('true'/'false' for Boolean
attributes, decimal text for Number ones).

Error wording (observed from real Cognito, see COGNITO_REFERENCE and public captures):
- at creation (AdminCreateUser, SignUp):
  "Attributes did not conform to the schema: <name>: Attribute does not exist in the schema.\n"
- on updates ((Admin)UpdateUserAttributes): "user.<name>: Attribute does not exist in the schema.\n"
- required attribute missing:
  "Attributes did not conform to the schema: <name>: The attribute <name> is required"
- writing an immutable attribute that is already set: "user.<name>: Attribute cannot be updated.\n"
  (observed for IdP sign-ins hitting an immutable attribute; the admin API wording is UNCONFIRMED)
- an app client writing an attribute outside its WriteAttributes (or a *_verified flag):
  NotAuthorizedException "A client attempted to write unauthorized attribute"
Length/number range wording is UNCONFIRMED.
"""
import re

from ..errors import CognitoError
from . import pool_config, pools

VERIFIABLE = ("email", "phone_number")
VERIFIED_FLAGS = {"email_verified": "email", "phone_number_verified": "phone_number"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[0-9]{4,15}$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


# The standard attributes every pool has (pool_config owns the list DescribeUserPool shows).
STANDARD_SCHEMA = pool_config.STANDARD_SCHEMA


def definitions(pool: dict) -> dict[str, dict]:
    """name -> SchemaAttributeType for every attribute a user of this pool may hold. The
    pool record's SchemaAttributes win; the standard list only fills gaps."""
    out = {a["Name"]: a for a in STANDARD_SCHEMA}
    out.update(pools.schema(pool))
    return out


def _not_in_schema(name: str, creating: bool) -> CognitoError:
    if creating:
        return CognitoError("InvalidParameterException",
                            "Attributes did not conform to the schema: "
                            f"{name}: Attribute does not exist in the schema.\n")
    return CognitoError("InvalidParameterException",
                        f"user.{name}: Attribute does not exist in the schema.\n")


def _nonconforming(name: str, problem: str) -> CognitoError:
    return CognitoError("InvalidParameterException",
                        f"Attributes did not conform to the schema: {name}: {problem}")


def _check_value(name: str, definition: dict, value: str) -> str:
    """The value to store, or an error when it doesn't fit the attribute's type."""
    if name == "email" and not _EMAIL.match(value):
        raise CognitoError("InvalidParameterException", "Invalid email address format.")
    if name == "phone_number" and not _PHONE.match(value):
        raise CognitoError("InvalidParameterException", "Invalid phone number format.")
    kind = definition.get("AttributeDataType", "String")
    if kind == "Boolean":
        if value.lower() not in ("true", "false"):
            raise _nonconforming(name, "Value must be 'true' or 'false'.")  # wording UNCONFIRMED
        return value.lower()
    if kind == "Number":
        if not _NUMBER.match(value):
            raise _nonconforming(name, "Number is not valid.")  # wording UNCONFIRMED
        limits = definition.get("NumberAttributeConstraints") or {}
        low, high = limits.get("MinValue"), limits.get("MaxValue")
        if (low not in (None, "") and float(value) < float(low)) or \
                (high not in (None, "") and float(value) > float(high)):
            raise _nonconforming(name, "Number is out of range.")  # wording UNCONFIRMED
        return value
    limits = definition.get("StringAttributeConstraints") or {}
    low, high = limits.get("MinLength"), limits.get("MaxLength")
    if low not in (None, "") and len(value) < int(low):
        raise _nonconforming(name, f"String must be at least {low} characters long.")
    if high not in (None, "") and len(value) > int(high):
        raise _nonconforming(name, f"String must be no longer than {high} characters.")
    return value


def validate_updates(pool: dict, updates: list[dict], *, admin: bool, creating: bool = False,
                     current: dict | None = None) -> dict[str, str]:
    """Check [{"Name", "Value"}] against the pool schema; return {name: value} to apply.

    admin     the caller used IAM (Admin* APIs): may write developer-only attributes and
              the email_verified / phone_number_verified flags.
    creating  the user is being created (AdminCreateUser, SignUp): immutable attributes may
              be set, and errors use the creation wording.
    current   the user's attributes today (updates only): an immutable attribute that already
              has a value can't be changed.
    A name given twice: the last value wins (as a dict update would)."""
    defs = definitions(pool)
    current = current or {}
    out: dict[str, str] = {}
    for item in updates:
        name, value = item["Name"], item.get("Value", "")
        definition = defs.get(name)
        if definition is None:
            raise _not_in_schema(name, creating)
        if definition.get("DeveloperOnlyAttribute") or name.startswith("dev:"):
            if not admin:
                raise unauthorized_write()
        if name in VERIFIED_FLAGS and not admin:
            raise unauthorized_write()
        if name == "sub" or (not creating and not definition.get("Mutable", True)
                             and current.get(name) not in (None, "")):
            raise CognitoError("InvalidParameterException",
                               f"user.{name}: Attribute cannot be updated.\n")
        out[name] = _check_value(name, definition, value)
    return out


def required_missing(pool: dict, attrs: dict) -> list[str]:
    """Names of Required schema attributes that have no value in attrs ('sub' is ours to set)."""
    return [name for name, d in definitions(pool).items()
            if d.get("Required") and name != "sub" and not attrs.get(name)]


def check_required(pool: dict, attrs: dict) -> None:
    """InvalidParameterException naming every missing required attribute."""
    missing = required_missing(pool, attrs)
    if missing:
        raise CognitoError("InvalidParameterException",
                           "Attributes did not conform to the schema: " + "\n".join(
                               f"{name}: The attribute {name} is required" for name in missing))


def apply(user: dict, values: dict[str, str], now: float) -> set[str]:
    """Write values into the user record; return the names whose value changed.

    When email or phone_number changes, its *_verified flag drops to "false" unless the same
    update sets the flag (admin APIs may set both at once). A user that never had the
    attribute or the flag gets no flag added: Cognito shows email_verified only once someone
    has set it. UserLastModifiedDate moves when anything changed. updated_at is left alone:
    AdminGetUser on real Cognito doesn't list it unless a caller wrote it."""
    attrs = user.setdefault("Attributes", {})
    changed: set[str] = set()
    for name, value in values.items():
        old = attrs.get(name)
        if old == value:
            continue
        attrs[name] = value
        changed.add(name)
        flag = f"{name}_verified"
        if name in VERIFIABLE and flag not in values and (old is not None or flag in attrs):
            if attrs.get(flag) != "false":
                attrs[flag] = "false"
                changed.add(flag)
    if changed:
        user["UserLastModifiedDate"] = now
    return changed


def remove(pool: dict, user: dict, names: list[str], now: float, *, admin: bool) -> set[str]:
    """Delete attributes ((Admin)DeleteUserAttributes). Unknown names, sub, required and
    immutable attributes are refused; deleting email/phone_number drops its *_verified flag."""
    defs = definitions(pool)
    attrs = user["Attributes"]
    for name in names:
        definition = defs.get(name)
        if definition is None:
            raise _not_in_schema(name, False)
        if (definition.get("DeveloperOnlyAttribute") or name.startswith("dev:")) and not admin:
            raise unauthorized_write()
        if name == "sub" or not definition.get("Mutable", True):
            raise CognitoError("InvalidParameterException",
                               f"user.{name}: Attribute cannot be updated.\n")
        if definition.get("Required"):
            # wording UNCONFIRMED
            raise CognitoError("InvalidParameterException",
                               f"Attributes did not conform to the schema: {name}: "
                               f"The attribute {name} is required")
    changed = set()
    for name in names:
        if name in attrs:
            del attrs[name]
            changed.add(name)
        flag = f"{name}_verified"
        if name in VERIFIABLE and flag in attrs:
            del attrs[flag]
            changed.add(flag)
    if changed:
        user["UserLastModifiedDate"] = now
    return changed


# --- app-client permissions (ReadAttributes / WriteAttributes) ------------------------------

def unauthorized_write() -> CognitoError:
    return CognitoError("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")


def readable(client: dict | None, attrs: dict) -> dict:
    """The attributes this client may read (GetUser, ID token). No ReadAttributes on the
    client means every attribute except developer-only ones; 'sub' is always readable."""
    allowed = (client or {}).get("ReadAttributes")
    out = {}
    for name, value in attrs.items():
        if name.startswith("dev:"):
            continue
        if allowed and name != "sub" and name not in allowed:
            continue
        out[name] = value
    return out


def check_writable(client: dict | None, names) -> None:
    """NotAuthorizedException unless the client may write every name. No WriteAttributes
    means every attribute except the *_verified flags and developer-only attributes."""
    allowed = (client or {}).get("WriteAttributes")
    for name in names:
        if name.startswith("dev:"):
            raise unauthorized_write()
        if allowed:
            if name not in allowed:
                raise unauthorized_write()
        elif name in VERIFIED_FLAGS:
            raise unauthorized_write()


def looks_like_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def looks_like_phone(value: str) -> bool:
    return bool(_PHONE.match(value))
