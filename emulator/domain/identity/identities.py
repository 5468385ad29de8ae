"""Identities of identity pools: GetId's identity records, their linked logins, the pool's
OpenID tokens and developer-authenticated identities.

Logins reach this module already checked (auth/identity_logins.verify): a map of canonical
provider names to the token's claims. The login id of a provider is its `sub` claim (for
a developer provider, the developer user identifier, passed as {"sub": identifier}), Graph's
`id` for graph.facebook.com and `user_id` for www.amazon.com (the user ids those providers
answer, which Cognito keys their logins by).

Records:
- kind "identity", scope = identity pool id, key = IdentityId ("<region>:<uuid4>"):
  {"IdentityId", "Logins": [provider names, in linking order], "LoginIds": {provider:
  login id}, "CreationDate", "LastModifiedDate"}; a developer provider's identifiers (more
  than one after MergeDeveloperIdentities) are all in "DeveloperUserIdentifiers" and its
  LoginIds entry is the first; "Disabled": true once UnlinkIdentity removed the last login
  ("removing the last linked login will make this identity inaccessible", API reference).
- kind "identity_login", scope = identity pool id, key "<provider>\\t<login id>":
  {"IdentityId"}: who holds a login (a provider name holds no tab).

Decisions where the real service's behaviour is UNCONFIRMED are marked so below.
"""
from __future__ import annotations

import uuid

from ...errors import CognitoError, not_authorized, not_found
from .. import paging
from . import pools as identity_pools
from . import signing

KIND = "identity"   # scope = identity pool id, key = IdentityId
LOGIN_KIND = "identity_login"
# The Logins key of the pool's own OpenID tokens (enhanced flow of developer identities).
OPENID_PROVIDER = "cognito-identity.amazonaws.com"
USER_POOL_PREFIX = "cognito-idp."
ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"   # session tags for STS (UNCONFIRMED for Cognito)
DEVELOPER_TOKEN_DURATION = 900  # "If you don't provide an expiration time, ... 15 minutes"
LOGINS_DONT_MATCH = ("Logins don't match. Please include at least one valid login for this "
                     "identity or identity pool.")
UNAUTHENTICATED_REFUSED = "Unauthenticated access is not supported for this identity pool."


def _pool_id(pool: dict) -> str:
    return pool["IdentityPoolId"]


def region_of(pool: dict) -> str:
    return _pool_id(pool).split(":", 1)[0]


def _login_key(provider: str, login_id: str) -> str:
    return f"{provider}\t{login_id}"


def identity_not_found(identity_id: str) -> CognitoError:
    return not_found(f"Identity '{identity_id}' not found.")


def _conflict(message: str) -> CognitoError:
    return CognitoError("ResourceConflictException", message)


# Providers whose user id is not `sub`: Facebook's Graph /me and Amazon's profile.
SUBJECT_CLAIMS = {"graph.facebook.com": "id", "www.amazon.com": "user_id"}


def login_id(provider: str, claims: dict) -> str:
    return str(claims.get(SUBJECT_CLAIMS.get(provider, "sub"), ""))


def describe(identity: dict) -> dict:
    """The IdentityDescription shape of DescribeIdentity / ListIdentities."""
    return {"IdentityId": identity["IdentityId"], "Logins": list(identity["Logins"]),
            "CreationDate": identity["CreationDate"],
            "LastModifiedDate": identity["LastModifiedDate"]}


# --- finding ------------------------------------------------------------------------------

def find(store, identity_id: str) -> tuple[str, dict] | None:
    """(identity pool id, record) of an IdentityId in any pool, None when none holds it."""
    for pool_id in store.scopes(KIND):
        record = store.get(KIND, pool_id, identity_id)
        if record is not None:
            return pool_id, record
    return None


def get(store, pool: dict, identity_id: str) -> dict | None:
    return store.get(KIND, _pool_id(pool), identity_id)


def require(store, pool: dict, identity_id: str) -> dict:
    identity = get(store, pool, identity_id)
    if identity is None:
        raise identity_not_found(identity_id)
    return identity


def owner(store, pool: dict, provider: str, login: str) -> str | None:
    """The IdentityId holding this login, None when no identity does."""
    ref = store.get(LOGIN_KIND, _pool_id(pool), _login_key(provider, login))
    return ref["IdentityId"] if ref else None


# --- writing ------------------------------------------------------------------------------

def _create(ctx, pool: dict) -> dict:
    now = ctx.now()
    identity = {"IdentityId": f"{region_of(pool)}:{uuid.uuid4()}", "Logins": [],
                "LoginIds": {}, "CreationDate": now, "LastModifiedDate": now}
    ctx.store.insert(KIND, _pool_id(pool), identity["IdentityId"], identity)
    return identity


def _save(ctx, pool: dict, identity: dict) -> None:
    identity["LastModifiedDate"] = ctx.now()
    ctx.store.put(KIND, _pool_id(pool), identity["IdentityId"], identity)


def _link(ctx, pool: dict, identity: dict, verified: dict[str, dict]) -> dict:
    """Link every login of `verified` to `identity` (none may belong to another one)."""
    changed = False
    developer = pool.get("DeveloperProviderName")
    for provider, claims in verified.items():
        if provider == OPENID_PROVIDER:
            continue
        login = login_id(provider, claims)
        known = identity["LoginIds"].get(provider)
        if provider == developer:
            ids = identity.setdefault("DeveloperUserIdentifiers", [])
            if login in ids:
                continue
            if ids:  # one developer user per identity, unless merged (UNCONFIRMED)
                raise _conflict("This identity is already linked to a different "
                                "developer user identifier.")
            ids.append(login)
        elif known == login:
            continue
        elif known is not None:
            # The identity already holds another user of this provider: refused
            # (code and wording UNCONFIRMED).
            raise _conflict(f"This identity is already linked to a different {provider} "
                            f"login.")
        identity["LoginIds"].setdefault(provider, login)
        if provider not in identity["Logins"]:
            identity["Logins"].append(provider)
        ctx.store.put(LOGIN_KIND, _pool_id(pool), _login_key(provider, login),
                      {"IdentityId": identity["IdentityId"]})
        changed = True
    if changed or identity.pop("Disabled", None):
        _save(ctx, pool, identity)
    return identity


def _owners(ctx, pool: dict, verified: dict[str, dict]) -> set[str]:
    found = {owner(ctx.store, pool, p, login_id(p, c)) for p, c in verified.items()
             if p != OPENID_PROVIDER}
    found.discard(None)
    return found  # type: ignore[return-value]


def _openid_subject(ctx, pool: dict, verified: dict[str, dict]) -> dict | None:
    """The identity a presented OpenID token of this pool names (verify checked it)."""
    claims = verified.get(OPENID_PROVIDER)
    if claims is None:
        return None
    identity = get(ctx.store, pool, str(claims.get("sub", "")))
    if identity is None:
        raise not_authorized("Invalid login token. The identity of this token does not "
                             "exist.")  # UNCONFIRMED wording
    return identity


def _unauthenticated(pool: dict) -> None:
    if not pool.get("AllowUnauthenticatedIdentities"):
        raise not_authorized(UNAUTHENTICATED_REFUSED)


def get_or_create(ctx, pool: dict, verified: dict[str, dict]) -> dict:
    """GetId's core: the identity record that holds these (verified) logins, linking the
    ones it lacks, or a new one when none does. verified == {} is a new guest identity,
    refused with NotAuthorizedException when the pool disallows unauthenticated
    identities. Logins of two different identities: ResourceConflictException
    (UNCONFIRMED)."""
    proven = _openid_subject(ctx, pool, verified)
    if proven is not None:
        return attach(ctx, pool, proven["IdentityId"], verified)
    if not verified:
        _unauthenticated(pool)
        return _create(ctx, pool)
    holders = _owners(ctx, pool, verified)
    if len(holders) > 1:
        raise _conflict("The logins belong to different identities.")  # UNCONFIRMED
    identity = require(ctx.store, pool, holders.pop()) if holders else _create(ctx, pool)
    return _link(ctx, pool, identity, verified)


def attach(ctx, pool: dict, identity_id: str, verified: dict[str, dict]) -> dict:
    """The identity record that now holds these logins: identity_id's (logins linked to it)
    or, when a login already belongs to another identity, that one (as the real service
    returns a different IdentityId; the guest identity is left as it was). Unauthenticated
    use (verified == {}) refused when the pool disallows it, or when the identity has
    logins ("Logins don't match"). ResourceNotFoundException for an unknown identity id."""
    identity = require(ctx.store, pool, identity_id)
    if identity.get("Disabled"):
        raise not_authorized(LOGINS_DONT_MATCH if not verified else
                             f"Identity '{identity_id}' is disabled.")  # UNCONFIRMED
    proven = _openid_subject(ctx, pool, verified)
    if proven is not None and proven["IdentityId"] != identity_id:
        raise not_authorized("Invalid login token. The token was issued for another "
                             "identity.")  # UNCONFIRMED wording
    logins = {p: c for p, c in verified.items() if p != OPENID_PROVIDER}
    if not logins:
        if proven is None:
            if identity["Logins"]:
                raise not_authorized(LOGINS_DONT_MATCH)
            _unauthenticated(pool)
        return identity
    others = _owners(ctx, pool, logins) - {identity_id}
    if len(others) > 1:
        raise _conflict("The logins belong to different identities.")  # UNCONFIRMED
    if others:
        identity = require(ctx.store, pool, others.pop())
    return _link(ctx, pool, identity, logins)


def unlink(ctx, pool: dict, identity: dict, verified: dict[str, dict],
           providers: list[str]) -> dict:
    """UnlinkIdentity: remove these providers' logins from the identity. `verified` (the
    call's Logins) must prove the caller holds the identity: each a login linked to it,
    else NotAuthorizedException "Logins don't match". A provider the identity doesn't hold
    is ignored (UNCONFIRMED). Removing the last login disables the identity."""
    logins = {p: c for p, c in verified.items() if p != OPENID_PROVIDER}
    proven = _openid_subject(ctx, pool, verified)
    held = all(identity["LoginIds"].get(p) == login_id(p, c) for p, c in logins.items())
    if not held or (proven is not None and proven["IdentityId"] != identity["IdentityId"]) \
            or (not logins and proven is None):
        raise not_authorized(LOGINS_DONT_MATCH)
    for provider in providers:
        if provider not in identity["Logins"]:
            continue
        identity["Logins"].remove(provider)
        ids = [identity["LoginIds"].pop(provider)]
        if provider == pool.get("DeveloperProviderName"):
            ids = identity.pop("DeveloperUserIdentifiers", ids)
        for login in ids:
            ctx.store.delete(LOGIN_KIND, _pool_id(pool), _login_key(provider, login))
    if not identity["Logins"]:
        identity["Disabled"] = True
    _save(ctx, pool, identity)
    return identity


def delete(ctx, pool_id: str, identity: dict) -> None:
    """The identity and the index entries of its logins."""
    developer_ids = identity.get("DeveloperUserIdentifiers", [])
    for provider, login in identity["LoginIds"].items():
        for one in developer_ids if login in developer_ids else [login]:
            ctx.store.delete(LOGIN_KIND, pool_id, _login_key(provider, one))
    ctx.store.delete(KIND, pool_id, identity["IdentityId"])


def delete_many(ctx, identity_ids: list[str]) -> list[dict]:
    """DeleteIdentities: the UnprocessedIdentityIds. An id no identity holds is reported
    with ErrorCode AccessDenied (the model's enum knows only AccessDenied and
    InternalServerError; which one Cognito uses for an unknown id is UNCONFIRMED). An
    identity of another account's or region's pool counts as unknown (api/scope.py)."""
    unprocessed = []
    for identity_id in identity_ids:
        found = find(ctx.store, identity_id)
        if found is None or not identity_pools.visible(ctx, found[0]):
            unprocessed.append({"IdentityId": identity_id, "ErrorCode": "AccessDenied"})
            continue
        delete(ctx, *found)
    return unprocessed


def page(ctx, pool: dict, max_results: int, next_token: str | None,
         hide_disabled: bool) -> dict:
    """ListIdentities: IdentityDescriptions in IdentityId order."""
    after = paging.after(next_token)
    out: list[dict] = []
    last = None
    more = False
    cursor = after
    while len(out) < max_results:
        batch = ctx.store.list(KIND, _pool_id(pool), after=cursor, limit=max_results + 1)
        if not batch:
            break
        for key, identity in batch:
            cursor = key
            if hide_disabled and identity.get("Disabled"):
                continue
            if len(out) == max_results:
                more = True
                break
            out.append(describe(identity))
            last = key
        if more or len(batch) <= max_results:
            break
    result: dict = {"IdentityPoolId": _pool_id(pool), "Identities": out}
    if more and last is not None:
        result["NextToken"] = paging.token(last)
    return result


# --- OpenID tokens ------------------------------------------------------------------------

def _amr(pool: dict, verified: dict[str, dict]) -> list[str]:
    """["unauthenticated"] or ["authenticated", <provider>, <provider>:...:<user>] per
    login: user pools `<provider>:CognitoSignIn:<sub>` and developer providers
    `<name>:<IdentityPoolId>:<identifier>` as Cognito writes them; other providers
    `<provider>:<aud>:<sub>` (UNCONFIRMED)."""
    if set(verified) == {OPENID_PROVIDER}:
        return list(verified[OPENID_PROVIDER].get("amr") or ["authenticated"])
    logins = {p: c for p, c in verified.items() if p != OPENID_PROVIDER}
    if not logins:
        return ["unauthenticated"]
    amr = ["authenticated"]
    for provider, claims in logins.items():
        user = login_id(provider, claims)
        if provider.startswith(USER_POOL_PREFIX):
            detail = f"{provider}:CognitoSignIn:{user}"
        elif provider == pool.get("DeveloperProviderName"):
            detail = f"{provider}:{_pool_id(pool)}:{user}"
        else:
            detail = f"{provider}:{claims.get('aud', '')}:{user}"
        amr += [provider, detail]
    return amr


def open_id_token(ctx, pool: dict, identity: dict, verified: dict[str, dict],
                  duration: int = 600, principal_tags: dict | None = None) -> str:
    """The identity pool's OpenID token (JWT, RS512, the region's identity-pool key: see
    signing.py for iss): sub = IdentityId, aud = IdentityPoolId, amr (see _amr), the
    identity pool ARN claim, exp = iat + duration seconds. principal_tags (developer
    identities) go into the https://aws.amazon.com/tags claim as STS session tags
    (UNCONFIRMED that Cognito does so)."""
    now = int(ctx.now())
    region = region_of(pool)
    claims: dict = {
        "sub": identity["IdentityId"], "aud": _pool_id(pool), "amr": _amr(pool, verified),
        "iss": signing.issuer(ctx.settings),
        ARN_CLAIM: f"arn:aws:cognito-identity:{region}:{ctx.account_id}:identitypool/"
                   f"{_pool_id(pool)}",
        "exp": now + duration, "iat": now}
    if principal_tags:
        claims[TAGS_CLAIM] = {"principal_tags": {k: [v] for k, v in principal_tags.items()}}
    return signing.sign(ctx, region, claims)


# --- developer-authenticated identities ---------------------------------------------------

def developer_provider(pool: dict, name: str | None = None) -> str:
    """The pool's DeveloperProviderName; refused when it has none or `name` differs."""
    developer = pool.get("DeveloperProviderName")
    if not developer or (name is not None and name != developer):
        # Wording UNCONFIRMED.
        raise not_found(f"Developer provider {name or '(none)'} is not configured for "
                        f"identity pool {_pool_id(pool)}.")
    return developer


def for_developer(ctx, pool: dict, identity_id: str | None,
                  verified: dict[str, dict]) -> dict:
    """GetOpenIdTokenForDeveloperIdentity's identity: `verified` holds the developer
    provider's {"sub": identifier} beside any public logins. With identity_id the logins
    are linked to that identity; a developer identifier of another identity is
    DeveloperUserAlreadyRegisteredException."""
    if identity_id is None:
        return get_or_create(ctx, pool, verified)
    identity = require(ctx.store, pool, identity_id)
    developer = pool.get("DeveloperProviderName")
    if developer in verified:
        holder = owner(ctx.store, pool, developer, login_id(developer, verified[developer]))
        if holder is not None and holder != identity_id:
            raise CognitoError("DeveloperUserAlreadyRegisteredException",
                               "The developer user identifier is already registered with "
                               "a different identity.")  # wording UNCONFIRMED
    others = _owners(ctx, pool, verified) - {identity_id}
    if others:
        raise _conflict("A login is already linked to a different identity.")  # UNCONFIRMED
    return _link(ctx, pool, identity, verified)


def lookup(ctx, pool: dict, identity_id: str | None, identifier: str | None,
           max_results: int | None, next_token: str | None) -> dict:
    """LookupDeveloperIdentity: the identity and its developer user identifiers."""
    developer = developer_provider(pool)
    if identity_id is None and identifier is None:
        raise CognitoError("InvalidParameterException",
                           "Either IdentityId or DeveloperUserIdentifier must be "
                           "provided.")  # wording UNCONFIRMED
    if identifier is not None:
        holder = owner(ctx.store, pool, developer, identifier)
        if holder is None:
            raise not_found(f"Developer user identifier {identifier} not found.")  # UNCONF.
        if identity_id is not None and identity_id != holder:
            raise _conflict("The developer user identifier does not belong to this "
                            "identity.")  # UNCONFIRMED
        identity_id = holder
    assert identity_id is not None
    identity = require(ctx.store, pool, identity_id)
    ids = sorted(identity.get("DeveloperUserIdentifiers", []))
    start = paging.after(next_token)
    if start is not None:
        ids = [i for i in ids if i > start]
    limit = max_results or 60
    result: dict = {"IdentityId": identity_id, "DeveloperUserIdentifierList": ids[:limit]}
    if len(ids) > limit:
        result["NextToken"] = paging.token(ids[limit - 1])
    return result


def merge(ctx, pool: dict, source: str, destination: str) -> dict:
    """MergeDeveloperIdentities: the source user's identity's logins move to the
    destination user's identity; the source identity is deleted (UNCONFIRMED: Cognito may
    keep it disabled). Both users of one public provider: ResourceConflictException."""
    developer = developer_provider(pool)
    holders = []
    for identifier in (source, destination):
        holder = owner(ctx.store, pool, developer, identifier)
        if holder is None:
            raise not_found(f"Developer user identifier {identifier} not found.")  # UNCONF.
        holders.append(require(ctx.store, pool, holder))
    src, dst = holders
    if src["IdentityId"] == dst["IdentityId"]:
        return dst
    for provider, login in src["LoginIds"].items():
        if provider != developer and dst["LoginIds"].get(provider, login) != login:
            raise _conflict(f"The identities are linked to different {provider} "
                            f"logins.")  # wording UNCONFIRMED
    merged_ids = dst.setdefault("DeveloperUserIdentifiers", [])
    delete(ctx, _pool_id(pool), src)
    for provider, login in src["LoginIds"].items():
        if provider == developer:
            continue
        dst["LoginIds"].setdefault(provider, login)
        if provider not in dst["Logins"]:
            dst["Logins"].append(provider)
        ctx.store.put(LOGIN_KIND, _pool_id(pool), _login_key(provider, login),
                      {"IdentityId": dst["IdentityId"]})
    for identifier in src.get("DeveloperUserIdentifiers", []):
        if identifier not in merged_ids:
            merged_ids.append(identifier)
        ctx.store.put(LOGIN_KIND, _pool_id(pool), _login_key(developer, identifier),
                      {"IdentityId": dst["IdentityId"]})
    _save(ctx, pool, dst)
    return dst


def unlink_developer(ctx, pool: dict, identity_id: str, developer_name: str,
                     identifier: str) -> None:
    """UnlinkDeveloperIdentity: the identifier leaves the identity; the identity stays."""
    developer = developer_provider(pool, developer_name)
    identity = require(ctx.store, pool, identity_id)
    ids = identity.get("DeveloperUserIdentifiers", [])
    if identifier not in ids:
        raise not_found(f"Developer user identifier {identifier} is not linked to identity "
                        f"{identity_id}.")  # wording UNCONFIRMED
    ids.remove(identifier)
    ctx.store.delete(LOGIN_KIND, _pool_id(pool), _login_key(developer, identifier))
    if ids:
        identity["LoginIds"][developer] = ids[0]
    else:
        identity.pop("DeveloperUserIdentifiers", None)
        identity["LoginIds"].pop(developer, None)
        if developer in identity["Logins"]:
            identity["Logins"].remove(developer)
    _save(ctx, pool, identity)
