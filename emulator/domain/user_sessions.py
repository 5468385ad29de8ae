"""Session tracking: the pool's and the app clients' session configuration, the SSO
(hosted-UI) session records, and the session list that ListUserSessions,
AdminListUserSessions, RevokeUserSession and AdminRevokeUserSession read.

A user's sessions are of two types (SessionType):
    TOKEN  one per authentication: the `token_session` records of auth/tokens.py (record
           format kept there; the tracking fields below are added by `tracking_fields`).
    SSO    one per hosted-UI (managed login) sign-in: kind "sso_session" here. The browser's
           cookie (web/sessions.py) carries its id; revoking the record ends the cookie.

Records (scope = pool id):
    session_config  key "" -> {UserSessionTracking, TokenSession: {MaxPerUser}}
                    key <client id> -> {SSOSession: {MaxValidityMinutes}}
                    Absent: the documented defaults (DISABLED, 20; 60 minutes).
    sso_session     key "<sub>/<session id>" -> {sessionId, username, clientId, createdAt,
                    lastActiveAt, expiresAt, deviceType, lastIp}

Both session kinds share the tracking fields sessionId ("tkn"/"sso" + 25 of [a-z0-9]),
lastActiveAt, deviceType and lastIp, so one function (`item`) writes a SessionType of either.
Sessions are recorded whether or not tracking is enabled, so enabling it lists what is
already open (UNCONFIRMED: Cognito may start tracking only from the moment it is enabled).
"""
import secrets
import string

from ..errors import CognitoError, invalid, not_found
from ..store.base import expiry_index
from . import clients

CONFIG_KIND = "session_config"
SSO_KIND = "sso_session"
POOL_KEY = ""
DEFAULT_MAX_PER_USER = 20          # model: MaxSessionsPerUserType, default 20
DEFAULT_SSO_MINUTES = 60           # model: SSOSessionMaxValidityMinutesType, default 60
PAGE_SIZE = 125                    # model: SessionsListType max 125 ("a single page")
_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_session_id(prefix: str) -> str:
    """SessionIdType: `tkn` or `sso` and 25 lowercase letters and digits."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(25))


def _device_type(ctx) -> str:
    # The model: "derived from the parsed user agent (operating system and browser or
    # app) ... can be unknown". Here the User-Agent as sent, cut to the model's 1024
    # characters (UNCONFIRMED: no user-agent parsing).
    agent = (ctx.headers or {}).get("user-agent") or ""
    return agent[:1024] or "unknown"


def tracking_fields(ctx, prefix: str) -> dict:
    """What a new session of either type records about its sign-in."""
    now = ctx.now()
    return {"sessionId": new_session_id(prefix), "createdAt": now, "lastActiveAt": now,
            "deviceType": _device_type(ctx), "lastIp": (ctx.source_ip or "")[:128]}


def touch(ctx, record: dict) -> dict:
    """A refresh or a reuse: the session's last activity, device and IP are now's."""
    record.update({"lastActiveAt": ctx.now(), "deviceType": _device_type(ctx),
                   "lastIp": (ctx.source_ip or "")[:128]})
    return record


# --- configuration ---------------------------------------------------------------------------

def pool_config(store, pool_id: str) -> dict:
    """GetUserPoolSessionConfiguration's answer (defaults when never set)."""
    record = store.get(CONFIG_KIND, pool_id, POOL_KEY) or {}
    return {"UserPoolId": pool_id,
            "UserSessionTracking": record.get("UserSessionTracking", "DISABLED"),
            "TokenSession": {"MaxPerUser": (record.get("TokenSession") or {}).get(
                "MaxPerUser", DEFAULT_MAX_PER_USER)}}


def tracking_enabled(store, pool_id: str) -> bool:
    return pool_config(store, pool_id)["UserSessionTracking"] == "ENABLED"


def _check_tier(pool: dict) -> None:
    if pool.get("UserPoolTier", "ESSENTIALS") == "LITE":
        # Documented: Essentials or Plus only. Wording UNCONFIRMED (as pool_config's).
        raise CognitoError("FeatureUnavailableInTierException",
                           "The following features need to be disabled for the LITE pricing "
                           "tier configured: Session tracking")


def set_pool_config(store, pool: dict, params: dict) -> dict:
    """SetUserPoolSessionConfiguration: a full replacement. Lowering MaxPerUser evicts
    nothing now; the next sign-in brings the user back within it (documented)."""
    _check_tier(pool)
    store.put(CONFIG_KIND, pool["Id"], POOL_KEY,
              {"UserSessionTracking": params["UserSessionTracking"],
               "TokenSession": {"MaxPerUser": params["TokenSession"]["MaxPerUser"]}})
    return pool_config(store, pool["Id"])


def client_config(store, pool: dict, client_id: str) -> dict:
    """GetUserPoolClientSessionConfiguration's answer (60 minutes when never set). While
    tracking is DISABLED a stored value is "retained but dormant" (documented): Get still
    shows it (UNCONFIRMED), but `sso_reuse_seconds` uses the default."""
    clients.require(store, pool["Id"], client_id)
    record = store.get(CONFIG_KIND, pool["Id"], client_id) or {}
    minutes = (record.get("SSOSession") or {}).get("MaxValidityMinutes", DEFAULT_SSO_MINUTES)
    return {"UserPoolId": pool["Id"], "ClientId": client_id,
            "SSOSession": {"MaxValidityMinutes": minutes}}


def set_client_config(store, pool: dict, params: dict) -> dict:
    """SetUserPoolClientSessionConfiguration: a full replacement; session tracking must be
    enabled for the pool (documented). The refusal's code is UNCONFIRMED:
    OperationNotEnabledException ("not available ... for the current user pool
    configuration")."""
    _check_tier(pool)
    clients.require(store, pool["Id"], params["ClientId"])
    if not tracking_enabled(store, pool["Id"]):
        raise _not_enabled(pool["Id"])
    store.put(CONFIG_KIND, pool["Id"], params["ClientId"],
              {"SSOSession": {"MaxValidityMinutes": params["SSOSession"]["MaxValidityMinutes"]}})
    return client_config(store, pool, params["ClientId"])


def sso_reuse_seconds(store, pool_id: str, client_id: str) -> int:
    """How long after the last fresh authentication this client silently reuses an SSO
    session (0: never). The pool has no SSO setting of its own: the client's value, or the
    default 60 minutes, which is also what every client gets while tracking is disabled."""
    if not tracking_enabled(store, pool_id):
        return DEFAULT_SSO_MINUTES * 60
    record = store.get(CONFIG_KIND, pool_id, client_id) or {}
    return 60 * (record.get("SSOSession") or {}).get("MaxValidityMinutes", DEFAULT_SSO_MINUTES)


def sso_lifetime_seconds(store, pool_id: str) -> int:
    """How long an SSO session record (and its cookie) lives: long enough for the client
    that reuses it longest (UNCONFIRMED: the documentation gives the SSO session no
    lifetime of its own beyond the clients' reuse windows; at least the default hour)."""
    longest = DEFAULT_SSO_MINUTES * 60
    if tracking_enabled(store, pool_id):
        for key, record in store.list(CONFIG_KIND, pool_id):
            if key != POOL_KEY:
                longest = max(longest, 60 * record["SSOSession"]["MaxValidityMinutes"])
    return longest


def _not_enabled(pool_id: str) -> CognitoError:
    # Wording UNCONFIRMED.
    return CognitoError("OperationNotEnabledException",
                        f"Session tracking is not enabled for user pool {pool_id}.")


def require_tracking(store, pool_id: str) -> None:
    """List and revoke need tracking ENABLED (UNCONFIRMED: the model lists
    OperationNotEnabledException on all four, the documentation doesn't say when)."""
    if not tracking_enabled(store, pool_id):
        raise _not_enabled(pool_id)


# --- SSO sessions ----------------------------------------------------------------------------

def _sso_key(sub: str, session_id: str) -> str:
    return f"{sub}/{session_id}"


def start_sso(ctx, pool: dict, client: dict, user: dict) -> str:
    """A hosted-UI sign-in: a new SSO session; returns its id for the cookie."""
    fields = tracking_fields(ctx, "sso")
    sub = user["Attributes"]["sub"]
    until = ctx.now() + sso_lifetime_seconds(ctx.store, pool["Id"])  # then the sweep's
    ctx.store.put(SSO_KIND, pool["Id"], _sso_key(sub, fields["sessionId"]), {
        **fields, "username": user["Username"], "clientId": client["ClientId"],
        "expiresAt": until}, index=expiry_index(until))
    return fields["sessionId"]


def sso_alive(store, pool_id: str, sub: str, session_id: str, now: float) -> bool:
    record = store.get(SSO_KIND, pool_id, _sso_key(sub, session_id))
    return record is not None and now < record["expiresAt"]


def sso_sessions(store, pool_id: str, sub: str) -> list[tuple[str, dict]]:
    return store.list(SSO_KIND, pool_id, prefix=sub + "/")


def end_sso(store, pool_id: str, key: str) -> None:
    store.delete(SSO_KIND, pool_id, key)


# --- the session list -----------------------------------------------------------------------

def item(record: dict, session_type: str, *, current: bool = False) -> dict:
    """SessionType of a token or SSO session record. LastLocation is left out: no geo-IP
    here (UNCONFIRMED whether Cognito then sends {"Country": "unknown"}). OriginSessionId:
    see token sessions' `originSessionId` (none for API sign-ins)."""
    out = {"SessionId": record["sessionId"], "SessionType": session_type,
           "ClientId": record["clientId"], "CreateDate": record["createdAt"],
           "LastActiveDate": record["lastActiveAt"], "DeviceType": record["deviceType"],
           "LastIPAddress": record["lastIp"]}
    if session_type == "TOKEN" and record.get("originSessionId"):
        out["OriginSessionId"] = record["originSessionId"]
    out["IsCurrentSession"] = current
    return out


def page(items: list[dict], next_token: str | None) -> dict:
    """One page of the user's sessions, oldest first (order UNCONFIRMED), PAGE_SIZE at a
    time. NextToken is the last SessionId of the previous page; one that names no listed
    session is refused (InvalidParameterException, wording UNCONFIRMED)."""
    items = sorted(items, key=lambda s: (s["CreateDate"], s["SessionId"]))
    start = 0
    if next_token is not None:
        ids = [s["SessionId"] for s in items]
        if next_token not in ids:
            raise invalid("The pagination token is not valid.")
        start = ids.index(next_token) + 1
    chunk = items[start:start + PAGE_SIZE]
    out: dict = {"Sessions": chunk}
    if start + PAGE_SIZE < len(items):
        out["NextToken"] = chunk[-1]["SessionId"]
    return out


def session_not_found(session_id: str) -> CognitoError:
    # Also for a session of another user: the caller learns nothing of it. Code and
    # wording UNCONFIRMED.
    return not_found(f"Session {session_id} does not exist.")
