"""Identifier formats as Cognito issues them."""
import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def pool_id(region: str) -> str:
    # <region>_<9 alphanumerics>: aws-jwt-verify parses the region out of it.
    return f"{region}_" + "".join(secrets.choice(_ALNUM) for _ in range(9))


def client_id() -> str:
    return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(26))


def client_secret() -> str:
    return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(51))


def sub() -> str:
    return str(uuid.uuid4())


def pool_arn(region: str, account: str, pool: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}"
