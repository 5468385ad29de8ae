"""Small helpers the API tests share: they make pools, app clients and users through boto3,
sign in, read what the outbox sent and unpack errors and tokens. Plain functions taking the
boto3 client; the fixtures built on them live in tests/conftest.py."""
import base64
import json
import re
import uuid

PASSWORD = "Passw0rd!"
# Threat-protection tests sign in with this one: PASSWORD is a decorated breached password
# ("password" + leet + "!"), which the compromised-credentials check flags (docs/RISK.md).
RISK_PASSWORD = "Quiet-Lantern-58x"
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def error(exc_info) -> tuple[str, str]:
    """(code, message) of the ClientError caught by pytest.raises."""
    err = exc_info.value.response["Error"]
    return err["Code"], err["Message"]


def claims(jwt: str) -> dict:
    """A token's payload, unverified."""
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- pools and app clients ------------------------------------------------------------------

def delete_pool(cognito, pool_id: str) -> None:
    """Delete a pool a test made, with its domains, deletion protection or not; gone
    already is fine."""
    try:
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except cognito.exceptions.ResourceNotFoundException:
        return
    for domain in (pool.get("Domain"), pool.get("CustomDomain")):
        if domain:
            cognito.delete_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    if pool.get("DeletionProtection") == "ACTIVE":
        cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)


def password_client(cognito, pool_id: str, **params) -> dict:
    """CreateUserPoolClient named "app" allowing USER_PASSWORD_AUTH and refresh (unless
    params say otherwise) -> the UserPoolClient."""
    params.setdefault("ClientName", "app")
    params.setdefault("ExplicitAuthFlows", PASSWORD_FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, **params)["UserPoolClient"]


# --- users ----------------------------------------------------------------------------------

def attribute_list(**values) -> list[dict]:
    """UserAttributes from keywords; True/False become "true"/"false"."""
    return [{"Name": name, "Value": str(value).lower() if isinstance(value, bool) else value}
            for name, value in values.items()]


def attrs_of(user: dict) -> dict:
    """{name: value} of an AdminGetUser/GetUser/ListUsers user."""
    return {a["Name"]: a["Value"] for a in user.get("Attributes", user.get("UserAttributes", []))}


def create_user(cognito, pool_id: str, username: str, *, attributes: list | None = None,
                temporary_password: str | None = None, permanent: bool = True,
                password: str = PASSWORD) -> str:
    """AdminCreateUser without an invitation; then, unless permanent=False, a permanent
    password, which makes the user CONFIRMED. Returns the username."""
    extra = {}
    if attributes is not None:
        extra["UserAttributes"] = attributes
    if temporary_password is not None:
        extra["TemporaryPassword"] = temporary_password
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              **extra)
    if permanent:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username,
                                        Password=password, Permanent=True)
    return username


def password_sign_in(cognito, client_id: str, username: str, password: str = PASSWORD,
                     **auth_params) -> dict:
    """InitiateAuth USER_PASSWORD_AUTH -> the whole response."""
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password,
                                                 **auth_params})


# --- the outbox -----------------------------------------------------------------------------

def last_message(outbox, pool_id: str, username: str, purpose: str) -> dict:
    """The latest message the pool 'sent' to the user for this purpose."""
    found = outbox(poolId=pool_id, username=username, purpose=purpose)
    assert found, f"no {purpose} message for {username}"
    return found[-1]


def wrong_code(code: str) -> str:
    """A six-digit code that is not this one."""
    return "000000" if code != "000000" else "111111"
