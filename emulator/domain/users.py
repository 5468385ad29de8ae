"""Users of a pool: the stored record, how a sign-in name finds it, and its password.

Record (kind "user", scope = pool id, key = username key):
    Username              canonical username as created (USER_ID_FOR_SRP; a UUID in pools
                          whose UsernameAttributes make email/phone the sign-in name)
    Attributes            {name: value}, values are strings, 'sub' included
    UserStatus, Enabled, UserCreateDate, UserLastModifiedDate
    _password             {"salt": hex, "verifier": hex, "setAt": epoch, "temporary": bool} | None
                          - never the password itself (SRP verifier, DESIGN principle 5)
    other '_' fields      state of flows (codes, lockout, MFA...) owned by the modules that use them

Index records (kind "user_alias", key "<attribute>:<value>") let a sign-in name, an alias
or the sub find the record; they are kept in step with the attributes by save().
The record also carries store index entries (put(index=...)), one per ListUsers-searchable
attribute (user_filter.index_of), written in the same transaction as the record.
"""
import srp

from ..errors import CognitoError
from . import pitr_history, pools, user_filter

KIND = "user"
ALIAS = "user_alias"
ALIASABLE = ("email", "phone_number", "preferred_username")
INDEXES = "indexes"  # scope "", key = a record kind -> {"version": INDEX_VERSION}
INDEX_VERSION = 1    # bump when index_of changes: the next start re-indexes every user


def key(pool: dict, username: str) -> str:
    return username if pools.case_sensitive(pool) else username.lower()


def _alias_key(pool: dict, attribute: str, value: str) -> str:
    value = value if pools.case_sensitive(pool) and attribute != "email" else value.lower()
    return f"{attribute}:{value}"


def get(store, pool: dict, username: str) -> dict | None:
    """By canonical username only."""
    return store.get(KIND, pool["Id"], key(pool, username))


def by_sub(store, pool: dict, sub: str) -> dict | None:
    ref = store.get(ALIAS, pool["Id"], f"sub:{sub}")
    return store.get(KIND, pool["Id"], ref["key"]) if ref else None


def find(store, pool: dict, name: str) -> dict | None:
    """The user a sign-in name means: the username, or an email/phone (UsernameAttributes),
    or a verified alias (AliasAttributes), or the sub - as Cognito resolves USERNAME."""
    user = get(store, pool, name)
    if user is not None:
        return user
    for attribute in pools.username_attributes(pool) + pools.alias_attributes(pool):
        ref = store.get(ALIAS, pool["Id"], _alias_key(pool, attribute, name))
        if ref:
            return store.get(KIND, pool["Id"], ref["key"])
    return by_sub(store, pool, name)


def require(store, pool: dict, name: str) -> dict:
    user = find(store, pool, name)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user


def alias_owner(store, pool: dict, attribute: str, value: str) -> dict | None:
    """The user whose index entry holds this email/phone/preferred_username, if any."""
    ref = store.get(ALIAS, pool["Id"], _alias_key(pool, attribute, value))
    return store.get(KIND, pool["Id"], ref["key"]) if ref else None


_MECHANISM = {"verified_email": "email", "verified_phone_number": "phone_number"}


def recovery_order(pool: dict) -> list[str] | None:
    """Contact attributes a reset code may go to, best first; None when only an
    administrator may reset. Without AccountRecoverySetting Cognito's legacy rule
    applies: phone first, then email."""
    mechanisms = (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if not mechanisms:
        return ["phone_number", "email"]
    ordered = sorted(mechanisms, key=lambda m: m.get("Priority", 0))
    if any(m["Name"] == "admin_only" for m in ordered):
        return None
    return [_MECHANISM[m["Name"]] for m in ordered if m["Name"] in _MECHANISM]


def recovery_attribute(pool: dict, user: dict) -> str | None:
    """Where a password-reset code goes: the first verified contact in recovery_order().
    None when nothing qualifies or the pool is admin_only."""
    order = recovery_order(pool) or []
    if "SMS_MFA" in (user.get("UserMFASettingList") or []) and \
            (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms"):
        # Documented: with AccountRecoverySetting, a phone used for SMS MFA can't also
        # recover the account.
        order = [a for a in order if a != "phone_number"]
    attrs = user["Attributes"]
    return next((a for a in order if attrs.get(a) and attrs.get(f"{a}_verified") == "true"), None)


def _aliases(pool: dict, user: dict) -> dict[str, str]:
    """Index keys this user should own. Username attributes always count; alias
    attributes only once verified (an unverified email can't be used to sign in)."""
    attrs = user["Attributes"]
    out = {f"sub:{attrs['sub']}": "sub"}
    if user.get("UserStatus") == "EXTERNAL_PROVIDER":
        # A federated profile signs in at its IdP only: its email or phone may equal a
        # native user's (Cognito lets them coexist until linked).
        return out
    for attribute in pools.username_attributes(pool):
        if attrs.get(attribute):
            out[_alias_key(pool, attribute, attrs[attribute])] = attribute
    for attribute in pools.alias_attributes(pool):
        value = attrs.get(attribute)
        verified = attribute == "preferred_username" or \
            attrs.get(f"{attribute}_verified") == "true"
        if value and verified:
            out[_alias_key(pool, attribute, value)] = attribute
    return out


def alias_format_problem(pool: dict, username: str) -> str | None:
    """Why a username can't be used in a pool with email / phone aliases (it would look like
    one), as Cognito words it; None when it can."""
    from . import attributes
    aliases = pools.alias_attributes(pool)
    if "email" in aliases and attributes.looks_like_email(username):
        return ("Username cannot be of email format, since user pool is configured for email "
                "alias.")
    if "phone_number" in aliases and attributes.looks_like_phone(username):
        return ("Username cannot be of phone number format, since user pool is configured for "
                "phone number alias.")
    return None


def _alias_taken(attribute: str) -> CognitoError:
    if attribute == "sub":
        return CognitoError("InternalErrorException", "sub collision", 500)
    label = {"phone_number": "phone number"}.get(attribute, attribute)
    return CognitoError("AliasExistsException",
                        f"An account with the given {label} already exists.")


def create(store, pool: dict, user: dict) -> None:
    """Insert a new user; UsernameExistsException / AliasExistsException when taken.
    Race-free: two concurrent creates of one name give one user and one error."""
    from ..store import AlreadyExists
    k = key(pool, user["Username"])
    with store.transaction():
        pitr_history.record(store, pool["Id"], KIND, k, user)
        try:
            store.insert(KIND, pool["Id"], k, user, index=user_filter.index_of(user))
        except AlreadyExists:
            raise CognitoError("UsernameExistsException", "User account already exists") from None
        for alias, attribute in _aliases(pool, user).items():
            try:
                store.insert(ALIAS, pool["Id"], alias, {"key": k, "attribute": attribute})
            except AlreadyExists:
                if attribute in pools.username_attributes(pool):
                    raise CognitoError("UsernameExistsException",
                                       f"An account with the given {attribute} already exists.") \
                        from None
                raise _alias_taken(attribute) from None


def save(store, pool: dict, user: dict, *, previous: dict | None = None) -> None:
    """Write an existing user back and move its index entries with its attributes."""
    from ..store import AlreadyExists
    k = key(pool, user["Username"])
    old = _aliases(pool, previous) if previous is not None else {}
    new = _aliases(pool, user)
    with store.transaction():
        pitr_history.record(store, pool["Id"], KIND, k, user)
        for alias in old.keys() - new.keys():
            store.delete(ALIAS, pool["Id"], alias)
        for alias in new.keys() - old.keys():
            ref = store.get(ALIAS, pool["Id"], alias)
            if ref and ref["key"] != k:
                raise _alias_taken(new[alias])
            try:
                store.insert(ALIAS, pool["Id"], alias, {"key": k, "attribute": new[alias]})
            except AlreadyExists:
                pass
        store.put(KIND, pool["Id"], k, user, index=user_filter.index_of(user))


def delete(store, pool: dict, user: dict) -> None:
    """The user record and its aliases only: lifecycle.delete_user takes what hangs off it."""
    with store.transaction():
        pitr_history.record(store, pool["Id"], KIND, key(pool, user["Username"]), None)
        for alias in _aliases(pool, user):
            store.delete(ALIAS, pool["Id"], alias)
        store.delete(KIND, pool["Id"], key(pool, user["Username"]))


def list_users(store, pool: dict, *, after: str | None = None, limit: int | None = None):
    return store.list(KIND, pool["Id"], after=after, limit=limit)


def list_filtered(store, pool: dict, flt: "user_filter.Filter", *,
                  after: tuple[str, str] | None = None, limit: int | None = None):
    """Users a ListUsers filter matches, as (index value, key, user) in (value, key) order:
    one index range scan, continuing after the (value, key) of the previous page."""
    wanted = flt.index_value
    return store.list_by_index(KIND, pool["Id"], flt.attribute, after=after, limit=limit,
                               value=None if flt.prefix else wanted,
                               prefix=wanted if flt.prefix else None)


def ensure_indexes(store, *, batch: int = 1000) -> int:
    """Give users written before the filter indexes existed (an older data directory) their
    index entries, once per INDEX_VERSION, in transactions of `batch` users; how many."""
    mark = store.get(INDEXES, "", KIND)
    if mark and mark.get("version") == INDEX_VERSION:
        return 0
    done = 0
    for pool_id in store.scopes(KIND):
        after = None
        while True:
            with store.transaction():
                rows = store.list(KIND, pool_id, after=after, limit=batch)
                for k, user in rows:
                    store.put(KIND, pool_id, k, user, index=user_filter.index_of(user))
            done += len(rows)
            if len(rows) < batch:
                break
            after = rows[-1][0]
    store.put(INDEXES, "", KIND, {"version": INDEX_VERSION})
    return done


def count(store, pool_id: str) -> int:
    return store.count(KIND, pool_id)


# --- passwords: salt + SRP verifier only -------------------------------------------------

def set_password(pool: dict, user: dict, password: str, *, temporary: bool, now: float) -> None:
    salt, verifier = srp.make_verifier(pools.pool_name(pool["Id"]), user["Username"], password)
    user["_password"] = {"salt": format(salt, "x"), "verifier": format(verifier, "x"),
                         "setAt": now, "temporary": temporary}


def password_matches(pool: dict, user: dict, password: str) -> bool:
    stored = user.get("_password")
    if not stored:
        return False
    return srp.check_password(pools.pool_name(pool["Id"]), user["Username"], password,
                              int(stored["salt"], 16), int(stored["verifier"], 16))


def verifier(user: dict) -> tuple[int, int] | None:
    """(salt, verifier) for SRP, None when the user has no password."""
    stored = user.get("_password")
    if not stored:
        return None
    return int(stored["salt"], 16), int(stored["verifier"], 16)


# --- views --------------------------------------------------------------------------------

def attribute_list(attrs: dict, only=None) -> list[dict]:
    return [{"Name": n, "Value": v} for n, v in attrs.items() if only is None or n in only]


def public(user: dict, *, attributes_key: str = "Attributes") -> dict:
    """UserType (ListUsers) view; AdminGetUser renames Attributes to UserAttributes."""
    out = {"Username": user["Username"],
           attributes_key: attribute_list(user["Attributes"]),
           "UserCreateDate": user["UserCreateDate"],
           "UserLastModifiedDate": user["UserLastModifiedDate"],
           "Enabled": user["Enabled"],
           "UserStatus": user["UserStatus"]}
    return out
