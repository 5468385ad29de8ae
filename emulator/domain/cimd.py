"""Client ID Metadata Document (CIMD) policies: an OAuth client names itself to the pool's
/oauth2/authorize with an https URL as its client_id; the URL must match a URL pattern of
one of the pool's CIMD policies, and the JSON document at that URL is the client's
registration (draft-ietf-oauth-client-id-metadata-document; Cognito DG "Client ID metadata
documents"). A policy maps its patterns to exactly one existing app client, whose settings
are the ceiling of what a metadata client may do.

Stored records (scope = pool id, so DeleteUserPool's delete_scope removes them):
    kind "cimd_policy", key CIMDPolicyId: the CIMDPolicyType that DescribeCIMDPolicy
        returns (ClientId left out of the answer once that app client is gone, as documented)
    kind "cimd_url", key "<CIMDPolicyId>\\t<URL>": a URL received under that policy, with
        CachedDate / ExpirationDate and the cached document in _document; after INVALIDATE
        the URL stays listed without dates (UNCONFIRMED) until a fetch caches it again

The document is fetched only by /oauth2/authorize (`prepare`, outside any transaction, in
a worker thread) and by UpdateClientMetadataURLState REFRESH; the hosted pages and
/oauth2/token use the cached copy (`client_for`): it is "the client's registration for that
request" (DG). Fetching reuses identity_providers.fetch_metadata (timeout, size limit).

Emulator-only: a URL whose host is a loopback address (localhost, 127.0.0.0/8, ::1) is
fetched over plain http, so tests can serve documents from a local http.server. Every other
URL is fetched over https only (the model's URL patterns and MetadataURLType are https).
"""
from __future__ import annotations

import json
import os
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

from ..errors import CognitoError, invalid, not_found
from . import clients, hosts, identity_providers

POLICY_KIND = "cimd_policy"
URL_KIND = "cimd_url"
DEFAULT_CACHE = 86400      # CacheDuration when none is given (API reference)
DEFAULT_PAGE = 60          # ListCIMDPolicies / ListClientMetadataURLs: the model's maximum
MAX_PER_POOL = 20          # policies per pool: UNCONFIRMED (the model lists LimitExceeded)
# The draft recommends a small limit on the document's size (5 KB); Cognito's is UNCONFIRMED.
FETCH_LIMIT = 5 * 1024
FETCH_TIMEOUT = 5.0        # seconds, as for a SAML MetadataURL; UNCONFIRMED for Cognito
# Tests shorten the timeout for one emulator process; read like config.py's variables.
TIMEOUT_VARIABLE = "COGNITO_EMULATOR_CIMD_FETCH_TIMEOUT"
# RFC 7591 2: grant_types -> the AllowedOAuthFlows of an app client (with its response_type)
_FLOWS = {"code": ("authorization_code", "code"), "implicit": ("implicit", "token")}


class Refused(Exception):
    """A metadata URL or document the authorize or token endpoint must refuse: `error` is
    the OAuth error code, `description` says why (the web layer answers it)."""

    def __init__(self, error: str, description: str):
        super().__init__(f"{error}: {description}")
        self.error, self.description = error, description


def is_metadata_url(client_id: str | None) -> bool:
    """A client_id that names a metadata document rather than an app client (app client
    ids are [\\w+]+, so a scheme separator can't be one)."""
    return bool(client_id) and "://" in str(client_id)


# --- policies -------------------------------------------------------------------------------

def get(store, pool_id: str, policy_id: str) -> dict | None:
    return store.get(POLICY_KIND, pool_id, policy_id)


def require(store, pool_id: str, policy_id: str) -> dict:
    policy = get(store, pool_id, policy_id)
    if policy is None:
        # Wording UNCONFIRMED.
        raise not_found(f"CIMD policy {policy_id} does not exist in user pool {pool_id}.")
    return policy


def public(store, policy: dict) -> dict:
    """The CIMDPolicyType: ClientId omitted when the app client no longer exists (documented)."""
    out = {k: v for k, v in policy.items() if not k.startswith("_")}
    if clients.get(store, policy["UserPoolId"], policy["ClientId"]) is None:
        out.pop("ClientId")
    return out


def summary(store, policy: dict) -> dict:
    out = public(store, policy)
    out.pop("URLPatterns", None)
    out.pop("UserPoolId", None)
    return out


def create(ctx, pool: dict, params: dict) -> dict:
    """CreateCIMDPolicy."""
    store, pool_id = ctx.store, pool["Id"]
    clients.require(store, pool_id, params["ClientId"])
    if store.count(POLICY_KIND, pool_id) >= MAX_PER_POOL:
        # Wording UNCONFIRMED.
        raise CognitoError("LimitExceededException",
                           f"The user pool {pool_id} already has the maximum number of "
                           f"{MAX_PER_POOL} CIMD policies.")
    now = ctx.now()
    # An id of the model's pattern ^[a-z0-9]+$; Cognito's format is UNCONFIRMED.
    record = {"UserPoolId": pool_id, "CIMDPolicyId": uuid.uuid4().hex,
              "ClientId": params["ClientId"], "PolicyName": params["PolicyName"],
              "CacheDuration": params.get("CacheDuration", DEFAULT_CACHE),
              "URLPatterns": _patterns(params["URLPatterns"]),
              "CreationDate": now, "LastModifiedDate": now}
    store.insert(POLICY_KIND, pool_id, record["CIMDPolicyId"], record)
    return public(store, record)


def update(ctx, pool: dict, params: dict) -> dict:
    """UpdateCIMDPolicy: ClientId and URLPatterns replaced; PolicyName and CacheDuration kept
    when left out (documented for CacheDuration; UNCONFIRMED for PolicyName). Cached URLs
    that no longer match a pattern are forgotten (UNCONFIRMED)."""
    store, pool_id = ctx.store, pool["Id"]
    record = require(store, pool_id, params["CIMDPolicyId"])
    clients.require(store, pool_id, params["ClientId"])
    record.update(ClientId=params["ClientId"], URLPatterns=_patterns(params["URLPatterns"]),
                  PolicyName=params.get("PolicyName", record["PolicyName"]),
                  CacheDuration=params.get("CacheDuration", record["CacheDuration"]),
                  LastModifiedDate=ctx.now())
    store.put(POLICY_KIND, pool_id, record["CIMDPolicyId"], record)
    for key, entry in _url_rows(store, pool_id, record["CIMDPolicyId"]):
        if not matches(record, entry["URL"]):
            store.delete(URL_KIND, pool_id, key)
    return public(store, record)


def delete(store, pool: dict, policy_id: str) -> None:
    """DeleteCIMDPolicy, with the URLs received under it."""
    require(store, pool["Id"], policy_id)
    for key, _ in _url_rows(store, pool["Id"], policy_id):
        store.delete(URL_KIND, pool["Id"], key)
    store.delete(POLICY_KIND, pool["Id"], policy_id)


def page(store, pool_id: str, *, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """ListCIMDPolicies: (summaries, last policy id if more remain)."""
    rows = store.list(POLICY_KIND, pool_id, after=after, limit=limit + 1)
    items = [summary(store, policy) for _, policy in rows[:limit]]
    more = len(rows) > limit
    return items, (rows[limit - 1][0] if more else None)


def _patterns(given: list[str]) -> list[str]:
    """URLPatterns past the model's checks (https, 12-256 characters, no query or fragment):
    a host that is more than a wildcard, and no pattern twice (both UNCONFIRMED)."""
    if len(set(given)) != len(given):
        raise invalid("URLPatterns must not contain duplicates.")
    for pattern in given:
        host = pattern[len("https://"):].split("/", 1)[0].rsplit(":", 1)[0]
        if not host.replace("*", "").strip(".-"):
            raise invalid(f"The URL pattern {pattern} must name a host before a wildcard.")
    return list(given)


# --- matching -------------------------------------------------------------------------------

def _pattern_regex(pattern: str) -> re.Pattern:
    """`*` in the host or port stands for one or more characters of a DNS label (it can't
    reach across a dot, a colon or into the path); in the path for any run of characters.
    The rest matches literally, the host without regard to case. UNCONFIRMED: the model only
    says "Patterns can contain the * wildcard character"."""
    rest = pattern[len("https://"):]
    authority, slash, path = rest.partition("/")
    host_re = "".join("[A-Za-z0-9-]+" if c == "*" else re.escape(c) for c in authority)
    path_re = "".join(".*" if c == "*" else re.escape(c) for c in slash + path)
    return re.compile(f"https://(?i:{host_re}){path_re}", re.DOTALL)


def matches(policy: dict, url: str) -> bool:
    return any(_pattern_regex(p).fullmatch(url) for p in policy["URLPatterns"])


def policy_for(store, pool_id: str, url: str) -> dict:
    """The pool's first policy (in policy id order; UNCONFIRMED when several match) with a
    pattern the URL matches; Refused when none."""
    for _, policy in store.list(POLICY_KIND, pool_id):
        if matches(policy, url):
            return policy
    raise Refused("invalid_client", f"the client_id {url} does not match a URL pattern of any "
                                    f"CIMD policy of this user pool")


# --- cached URLs ------------------------------------------------------------------------------

def _url_key(policy_id: str, url: str) -> str:
    return f"{policy_id}\t{url}"


def _url_rows(store, pool_id: str, policy_id: str, *, after: str | None = None,
              limit: int | None = None) -> list[tuple[str, dict]]:
    return store.list(URL_KIND, pool_id, prefix=_url_key(policy_id, ""),
                      after=_url_key(policy_id, after) if after else None, limit=limit)


def url_page(store, pool: dict, policy_id: str, *, after: str | None,
             limit: int) -> tuple[list[dict], str | None]:
    """ListClientMetadataURLs: (ClientMetadataURLType list, last URL if more remain). The
    token is the last URL of the page (URL order)."""
    require(store, pool["Id"], policy_id)
    rows = _url_rows(store, pool["Id"], policy_id, after=after, limit=limit + 1)
    items = [{k: v for k, v in entry.items() if not k.startswith("_")}
             for _, entry in rows[:limit]]
    more = len(rows) > limit
    return items, (items[-1]["URL"] if more and items else None)


def update_url_state(ctx, pool: dict, params: dict) -> None:
    """UpdateClientMetadataURLState: REFRESH fetches the document again (kept as it was when
    that fails: UNCONFIRMED), INVALIDATE drops the cached document. Either needs a cached
    document (CachedCIMDURLDoesNotExistException)."""
    store, pool_id = ctx.store, pool["Id"]
    policy = require(store, pool_id, params["CIMDPolicyId"])
    key = _url_key(policy["CIMDPolicyId"], params["URL"])
    entry = store.get(URL_KIND, pool_id, key)
    if entry is None or "_document" not in entry:
        # Wording UNCONFIRMED.
        raise CognitoError("CachedCIMDURLDoesNotExistException",
                           f"No client metadata document is cached for {params['URL']}.")
    if params["Action"] == "INVALIDATE":
        store.put(URL_KIND, pool_id, key, {"URL": entry["URL"]})
        return
    try:
        document = fetch_document(entry["URL"])
    except Refused as err:
        # Wording UNCONFIRMED.
        raise invalid(f"Error retrieving client metadata from {entry['URL']}: "
                      f"{err.description}") from None
    _cache(store, pool_id, policy, entry["URL"], document, ctx.now())


def _cache(store, pool_id: str, policy: dict, url: str, document: dict, now: float) -> None:
    store.put(URL_KIND, pool_id, _url_key(policy["CIMDPolicyId"], url),
              {"URL": url, "CachedDate": now, "ExpirationDate": now + policy["CacheDuration"],
               "_document": document})


# --- the authorize and token endpoints --------------------------------------------------------

def prepare(emu, pool: dict, url: str) -> None:
    """/oauth2/authorize with a metadata URL as client_id: the URL is checked and matched to
    a policy, and its document fetched unless a copy is cached and not expired. Runs outside
    any transaction (the fetch may take up to the timeout); errors are Refused, and a failed
    fetch caches nothing (the draft: no caching of errors or invalid documents)."""
    check_url(url)
    store, now = emu.store, emu.clock.now()
    with store.transaction():
        policy = policy_for(store, pool["Id"], url)
        entry = store.get(URL_KIND, pool["Id"], _url_key(policy["CIMDPolicyId"], url))
    if entry is not None and "_document" in entry and entry["ExpirationDate"] > now:
        return
    document = fetch_document(url)
    with store.transaction():
        # The policy may have changed meanwhile: match again before caching.
        policy = policy_for(store, pool["Id"], url)
        _cache(store, pool["Id"], policy, url, document, now)


def client_for(store, pool: dict, url: str) -> dict:
    """The app client view a metadata client acts as (hosted pages, /oauth2/token), from the
    cached document: the policy's app client, public (no secret), narrowed by the document:
        CallbackURLs        the document's redirect_uris (exact match, the draft)
        LogoutURLs          its post_logout_redirect_uris, if any
        AllowedOAuthFlows   the app client's flows the document's grant_types and
                            response_types allow too (RFC 7591 defaults: code); never
                            client_credentials (DG)
        AllowedOAuthScopes  the app client's scopes, narrowed to the document's `scope`
                            when it has one (UNCONFIRMED)
    Tokens name the app client (aud, client_id): UNCONFIRMED. Refused when the URL matches no
    policy, no document is cached, or the policy's app client is gone."""
    check_url(url)
    policy = policy_for(store, pool["Id"], url)
    entry = store.get(URL_KIND, pool["Id"], _url_key(policy["CIMDPolicyId"], url))
    if entry is None or "_document" not in entry:
        raise Refused("invalid_client", f"no client metadata document is cached for {url}")
    app = clients.get(store, pool["Id"], policy["ClientId"])
    if app is None:
        raise Refused("invalid_client", f"the app client of CIMD policy "
                                        f"{policy['CIMDPolicyId']} no longer exists")
    document = entry["_document"]
    view = {k: v for k, v in app.items() if k not in ("ClientSecret", "_secrets")}
    grant_types = document.get("grant_types") or ["authorization_code"]
    response_types = document.get("response_types") or ["code"]
    view["AllowedOAuthFlows"] = [
        flow for flow in app.get("AllowedOAuthFlows") or []
        if flow in _FLOWS and _FLOWS[flow][0] in grant_types and _FLOWS[flow][1] in response_types]
    if isinstance(document.get("scope"), str):
        wanted = document["scope"].split()
        view["AllowedOAuthScopes"] = [s for s in app.get("AllowedOAuthScopes") or []
                                      if s in wanted]
    view["CallbackURLs"] = list(document["redirect_uris"])
    view["LogoutURLs"] = list(document.get("post_logout_redirect_uris") or [])
    view.pop("DefaultRedirectURI", None)
    view["_cimd"] = {"url": url, "policyId": policy["CIMDPolicyId"],
                     "grantTypes": list(grant_types)}
    return view


def is_metadata_client(client: dict) -> bool:
    return "_cimd" in client


def allows_refresh(client: dict) -> bool:
    """A metadata client may use the refresh_token grant only when its document lists it."""
    return "refresh_token" in client["_cimd"]["grantTypes"]


# --- the URL and the document ------------------------------------------------------------------

def check_url(url: str) -> None:
    """A client identifier URL (the draft): https, a host, a path, no dot segments, no
    fragment, no user name or password; a query and a port may be there."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that isn't one
    except ValueError:
        raise Refused("invalid_client", f"the client_id {url} is not a valid URL") from None
    segments = parts.path.split("/")
    problem = None
    if parts.scheme != "https" or not host:
        problem = "must be an https URL"
    elif not parts.path:
        problem = "must have a path"
    elif "." in segments or ".." in segments:
        problem = "must not contain . or .. path segments"
    elif parts.fragment or "#" in url:
        problem = "must not have a fragment"
    elif parts.username is not None or parts.password is not None:
        problem = "must not have a user name or password"
    if problem:
        raise Refused("invalid_client", f"the client_id {url} {problem}")


def _fetch_url(url: str) -> str:
    parts = urlsplit(url)
    if hosts.is_loopback(parts.hostname or ""):
        # Emulator-only: documents served by a local test server over plain http.
        return urlunsplit(("http", *parts[1:]))
    return url


def fetch_timeout() -> float:
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        return float(raw) if raw else FETCH_TIMEOUT
    except ValueError:
        return FETCH_TIMEOUT


def fetch_document(url: str) -> dict:
    """GET the document (identity_providers.fetch_metadata: at most FETCH_LIMIT bytes, the
    timeout for the whole download, a 200 answer) and check it. Left to that helper and
    UNCONFIRMED against the draft: it follows http(s) redirects, and the Content-Type and
    Cache-Control headers are not read (the policy's CacheDuration alone sets the expiry)."""
    try:
        body = identity_providers.fetch_metadata(_fetch_url(url), timeout=fetch_timeout(),
                                                 limit=FETCH_LIMIT)
    except CognitoError:
        raise Refused("invalid_client", f"the client metadata document at {url} could not be "
                                        f"retrieved (unreachable, not 200, over "
                                        f"{FETCH_LIMIT} bytes or over {fetch_timeout():g} s)"
                      ) from None
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("invalid_client_metadata", f"the document at {url} is not JSON") from None
    check_document(url, document)
    return document


def check_document(url: str, document) -> None:
    """The draft's rules for the document, and Cognito's for public clients (DG)."""
    def refuse(why: str):
        return Refused("invalid_client_metadata", f"the document at {url} {why}")
    if not isinstance(document, dict):
        raise refuse("is not a JSON object")
    if document.get("client_id") != url:
        raise refuse("has a client_id other than its URL")
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise refuse("has no redirect_uris")
    if "client_secret" in document or "client_secret_expires_at" in document:
        raise refuse("must not contain a client secret")
    method = document.get("token_endpoint_auth_method", "none")  # absent: UNCONFIRMED
    if method != "none":
        raise refuse("must use token_endpoint_auth_method none (a public client)")
    for name in ("grant_types", "response_types", "post_logout_redirect_uris"):
        value = document.get(name)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(v, str) for v in value)):
            raise refuse(f"has an invalid {name}")
    if "scope" in document and not isinstance(document["scope"], str):
        raise refuse("has an invalid scope")
