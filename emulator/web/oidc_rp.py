"""The relying-party side of OIDC and social sign-in, without the store: where a provider's
endpoints are, the code exchange, the ID token's validation and the user-info call.

    endpoints(settings, provider, discover=)  -> Endpoints (the provider type's fixed URLs, the
                                                 built-in mock's, the ones given, or discovery
                                                 at <oidc_issuer>/.well-known/openid-configuration,
                                                 cached DISCOVERY_SECONDS per process)
    authenticate(settings, provider, code=, ...) -> Identity (subject, claims, email_verified)

Network calls go through httpx: TIMEOUT seconds, at most MAX_BYTES, no redirects followed,
TLS checked against the system CAs, SSL_CERT_FILE and --trust-ca (emulator/trust.py). Call
them outside any store transaction (web/oidc_federation.py runs them in a worker thread):
a built-in mock answers on this very server.

The ID token is checked with PyJWT (jwt.decode with the provider's JWKS key): signature, an
alg from ASYMMETRIC allowed by the key's `alg` or the discovery document (never none or HS*),
iss = the provider's issuer, aud = client_id, nonce = the one sent, and exp / iat against the
emulator clock with SKEW seconds of leeway (the clock, not wall time, so pinned-clock tests
and the mocks agree). Any failure is Invalid(message), sent back to the app as
error=invalid_request (Cognito's wording for each case is UNCONFIRMED).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import jwt

from .. import trust
from ..domain import mock_idps
from ..domain.hosts import is_loopback

TIMEOUT = 5.0
MAX_BYTES = 1024 * 1024
SKEW = 60                  # seconds of clock skew allowed on exp / iat (Cognito's UNCONFIRMED)
DISCOVERY_SECONDS = 300
JWKS_SECONDS = 300
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
              "ES512", "EdDSA")
OIDC_SHAPED = ("OIDC", "Google", "SignInWithApple")     # an id_token comes with the tokens
APPLE_AUDIENCE = "https://appleid.apple.com"
# Fixed JWKS of the social OIDC providers (their discovery documents name them).
_JWKS = {"Google": "https://www.googleapis.com/oauth2/v3/certs",
         "SignInWithApple": "https://appleid.apple.com/auth/keys"}


class Invalid(Exception):
    """The provider's answer can't be trusted or used; message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Endpoints:
    issuer: str | None
    authorize_url: str
    token_url: str
    attributes_url: str | None
    jwks_uri: str | None
    pkce: bool = False               # S256 advertised by the discovery document
    token_auth: str = "post"         # client_secret_post, or "basic"
    token_method: str = "POST"       # Facebook's is GET
    algorithms: tuple[str, ...] = ("RS256",)


@dataclass
class Identity:
    subject: str
    claims: dict                      # the provider's claims (ID token and user info merged)
    email_verified: bool | None       # the provider's email_verified, None when not said
    issuer: str | None
    attributes: dict[str, list[str]] = field(default_factory=dict)


# --- HTTP ------------------------------------------------------------------------------------

def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise Invalid(f"refusing to call {url}: https is required")


def _request(method: str, url: str, **kwargs) -> dict:
    """One call, its JSON object answer. Invalid on any failure."""
    _check_url(url)
    try:
        with httpx.Client(timeout=TIMEOUT, verify=trust.context(), follow_redirects=False,
                          trust_env=False) as client:
            with client.stream(method, url, **kwargs) as response:
                body = b""
                deadline = time.monotonic() + TIMEOUT
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES or time.monotonic() > deadline:
                        raise Invalid(f"the answer of {url} is too large or too slow")
    except httpx.HTTPError as err:
        raise Invalid(f"calling {url} failed: {type(err).__name__}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise Invalid(f"{url} answered HTTP {response.status_code} without JSON") from None
    if not isinstance(answer, dict):
        raise Invalid(f"{url} did not answer a JSON object")
    if response.status_code != 200:
        error = answer.get("error")
        if isinstance(error, dict):       # Graph API errors
            error = error.get("message")
        raise Invalid(f"{url} answered HTTP {response.status_code}: {error}")
    return answer


# --- endpoints -------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_discovered: dict[str, tuple[float, dict]] = {}
_jwks: dict[str, tuple[float, dict]] = {}


def _cached(cache: dict, key: str, seconds: float, fetch) -> dict:
    now = time.monotonic()
    with _cache_lock:
        found = cache.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]
    value = fetch()
    with _cache_lock:
        cache[key] = (now, value)
    return value


def discovery(issuer: str) -> dict:
    def fetch() -> dict:
        document = _request("GET", issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise Invalid(f"the discovery document's issuer {document.get('issuer')!r} is "
                          f"not {issuer}")
        return document
    return _cached(_discovered, issuer, DISCOVERY_SECONDS, fetch)


def discovered(issuer: str) -> dict | None:
    """The cached discovery document, without fetching."""
    with _cache_lock:
        found = _discovered.get(issuer)
    return found[1] if found and time.monotonic() - found[0] < DISCOVERY_SECONDS else None


def needs_discovery(settings, provider: dict) -> str | None:
    """The issuer whose discovery document endpoints() needs, if any."""
    if provider.get("ProviderType") != "OIDC" or mock_idps.for_provider(provider):
        return None
    return (provider.get("ProviderDetails") or {}).get("oidc_issuer")


def endpoints(settings, provider: dict, *, discover: bool = True) -> Endpoints:
    """Where the provider's endpoints are. `discover` False: only a cached discovery
    document is used (Invalid when there is none)."""
    kind = provider.get("ProviderType") or ""
    details = provider.get("ProviderDetails") or {}
    mock = mock_idps.for_provider(provider)
    if mock is not None:
        root = mock_idps.base(settings, mock)
        return Endpoints(issuer=root if mock.oidc else None,
                         authorize_url=root + mock.authorize_path,
                         token_url=root + mock.token_path,
                         attributes_url=(root + mock.attributes_path
                                         if mock.attributes_path else None),
                         jwks_uri=root + "/jwks" if mock.oidc else None,
                         pkce=kind == "OIDC",  # the generic mock advertises S256
                         token_method="GET" if kind == "Facebook" else "POST")
    if kind != "OIDC":
        return Endpoints(issuer=details.get("oidc_issuer"),
                         authorize_url=details["authorize_url"], token_url=details["token_url"],
                         attributes_url=details.get("attributes_url"),
                         jwks_uri=_JWKS.get(kind),
                         token_method=details.get("token_request_method", "POST"))
    issuer = details["oidc_issuer"]
    given = {k: details.get(k) for k in ("authorize_url", "token_url", "attributes_url",
                                         "jwks_uri")}
    document: dict = {}
    if not all(given.values()):
        found = discovery(issuer) if discover else discovered(issuer)
        if found is None:
            raise Invalid(f"the discovery document of {issuer} is not available")
        document = found
    url = {k: given[k] or document.get(name) for k, name in (
        ("authorize_url", "authorization_endpoint"), ("token_url", "token_endpoint"),
        ("attributes_url", "userinfo_endpoint"), ("jwks_uri", "jwks_uri"))}
    if not (url["authorize_url"] and url["token_url"] and url["jwks_uri"]):
        raise Invalid(f"{issuer} names no authorization, token or JWKS endpoint")
    algorithms = tuple(a for a in document.get("id_token_signing_alg_values_supported")
                       or ["RS256"] if a in ASYMMETRIC)
    methods = document.get("token_endpoint_auth_methods_supported") or []
    return Endpoints(issuer=issuer, authorize_url=url["authorize_url"],
                     token_url=url["token_url"], attributes_url=url["attributes_url"],
                     jwks_uri=url["jwks_uri"],
                     pkce="S256" in (document.get("code_challenge_methods_supported") or []),
                     # client_secret_basic when advertised (the OAuth default), else post;
                     # which one Cognito uses is UNCONFIRMED.
                     token_auth="basic" if "client_secret_basic" in methods else "post",
                     algorithms=algorithms or ("RS256",))


# --- the pieces of a sign-in -----------------------------------------------------------------

def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def apple_client_secret(provider: dict, private_key: str, now: float) -> str:
    """Sign in with Apple's client_secret: an ES256 JWT of the team's key (Apple's docs: iss
    team id, sub client id, aud https://appleid.apple.com, at most 6 months)."""
    details = provider.get("ProviderDetails") or {}
    try:
        return jwt.encode({"iss": details.get("team_id"), "iat": int(now),
                           "exp": int(now) + 300, "aud": APPLE_AUDIENCE,
                           "sub": details.get("client_id")}, private_key, algorithm="ES256",
                          headers={"kid": details.get("key_id")})
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Invalid("the provider's private_key is not an EC P-256 private key") from None


def exchange(provider: dict, ep: Endpoints, *, code: str, redirect_uri: str,
             verifier: str | None, secret: str) -> dict:
    """The authorization code at the token endpoint."""
    details = provider.get("ProviderDetails") or {}
    client_id = details.get("client_id") or ""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    auth = None
    if ep.token_auth == "basic":
        auth = httpx.BasicAuth(client_id, secret)
    else:
        form.update(client_id=client_id, client_secret=secret)
    if ep.token_method == "GET":
        return _request("GET", ep.token_url, params=form, auth=auth)
    return _request("POST", ep.token_url, data=form, auth=auth,
                    headers={"Accept": "application/json"})


def _keys(jwks_uri: str, *, fresh: bool) -> jwt.PyJWKSet:
    if fresh:
        with _cache_lock:
            _jwks.pop(jwks_uri, None)
    document = _cached(_jwks, jwks_uri, JWKS_SECONDS, lambda: _request("GET", jwks_uri))
    try:
        return jwt.PyJWKSet.from_dict(document)
    except jwt.PyJWTError:
        raise Invalid("the provider's JWKS holds no usable key") from None


def _signing_key(jwks_uri: str, kid: str | None) -> jwt.PyJWK:
    for fresh in (False, True):  # an unknown kid: the provider may have rotated its keys
        keys = _keys(jwks_uri, fresh=fresh).keys
        found = [k for k in keys if k.key_id == kid] if kid else keys
        if len(found) == 1 or (found and kid):
            return found[0]
    raise Invalid("the id_token is signed by a key the provider's JWKS does not hold")


def validate_id_token(token: str, ep: Endpoints, *, client_id: str, nonce: str | None,
                      now: float) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Invalid("the id_token is not a JWT") from None
    alg = header.get("alg")
    if alg not in ASYMMETRIC or alg not in ep.algorithms:
        raise Invalid(f"id_token alg {alg} is not allowed")
    if not ep.jwks_uri or not ep.issuer:
        raise Invalid("the provider has no JWKS or issuer to check the id_token against")
    key = _signing_key(ep.jwks_uri, header.get("kid"))
    declared = getattr(key, "_jwk_data", {}).get("alg")  # PyJWK keeps the JWK it was made of
    if declared and declared != alg:
        raise Invalid(f"id_token alg {alg} is not the key's ({declared})")
    try:
        claims = jwt.decode(token, key=key.key, algorithms=[alg], audience=client_id,
                            issuer=ep.issuer,
                            options={"verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False,
                                     "require": ["iss", "aud", "sub", "exp", "iat"]})
    except jwt.InvalidAudienceError:
        raise Invalid("Invalid id_token audience") from None
    except jwt.InvalidIssuerError:
        raise Invalid("Bad id_token issuer") from None
    except jwt.InvalidSignatureError:
        raise Invalid("the id_token signature does not verify") from None
    except jwt.PyJWTError as err:
        raise Invalid(f"invalid id_token: {err}") from None
    # exp / iat against the emulator clock (see the module docstring).
    if not isinstance(claims["exp"], int | float) or now > claims["exp"] + SKEW:
        raise Invalid("the id_token has expired")
    if not isinstance(claims["iat"], int | float) or claims["iat"] > now + SKEW:
        raise Invalid("the id_token is issued in the future")
    if nonce is not None and claims.get("nonce") != nonce:
        raise Invalid("the id_token nonce does not match this sign-in (replayed?)")
    return claims


def _user_info(provider: dict, ep: Endpoints, access_token: str) -> dict:
    kind = provider.get("ProviderType")
    details = provider.get("ProviderDetails") or {}
    url = ep.attributes_url or ""
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    if kind == "Facebook":
        # Graph's /me?fields=: the id plus every mapped Facebook attribute (Cognito's
        # attributes_url_add_attributes "true").
        wanted = ["id", *[v for k, v in (provider.get("AttributeMapping") or {}).items()
                          if k != "username" and v != "id"]]
        base, _, _ = url.partition("?")
        return _request("GET", base, params={"fields": ",".join(dict.fromkeys(wanted)),
                                              "access_token": access_token})
    if kind == "OIDC" and details.get("attributes_request_method") == "POST":
        return _request("POST", url, headers=headers, data={})
    return _request("GET", url, headers=headers)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _verified(value) -> bool | None:
    if value is None:
        return None
    return value is True or str(value).strip().lower() == "true"


def _apple_user(posted: str | None) -> dict:
    """Apple's `user` form field: the name, sent once, unsigned - so only name claims are
    taken from it, never the email."""
    try:
        given = json.loads(posted) if posted else {}
    except ValueError:
        return {}
    name = given.get("name") if isinstance(given, dict) else None
    if not isinstance(name, dict):
        return {}
    first, last = name.get("firstName"), name.get("lastName")
    out = {k: v for k, v in (("firstName", first), ("lastName", last)) if isinstance(v, str)}
    full = " ".join(v for v in (first, last) if isinstance(v, str) and v)
    if full:
        out["name"] = full
    return out


def authenticate(settings, provider: dict, *, code: str, redirect_uri: str, nonce: str | None,
                 verifier: str | None, now: float, apple_user: str | None = None) -> Identity:
    """The provider's answer to a sign-in, checked: the code exchanged, the ID token
    validated (OIDC-shaped providers), the user-info endpoint called (OIDC when it has one,
    Facebook, Login with Amazon). Invalid on any failure."""
    kind = provider.get("ProviderType") or ""
    details = provider.get("ProviderDetails") or {}
    hidden = provider.get("_private_details") or {}
    client_id = details.get("client_id") or ""
    ep = endpoints(settings, provider)
    secret = apple_client_secret(provider, hidden.get("private_key") or "", now) \
        if kind == "SignInWithApple" else details.get("client_secret") or ""
    tokens = exchange(provider, ep, code=code, redirect_uri=redirect_uri, verifier=verifier,
                      secret=secret)
    access_token = tokens.get("access_token")
    claims: dict = {}
    if kind in OIDC_SHAPED:
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise Invalid("the token endpoint returned no id_token")
        claims = validate_id_token(id_token, ep, client_id=client_id, nonce=nonce, now=now)
    if kind in ("OIDC", "Facebook", "LoginWithAmazon") and ep.attributes_url:
        if not isinstance(access_token, str):
            raise Invalid("the token endpoint returned no access_token")
        info = _user_info(provider, ep, access_token)
        if "sub" in claims and info.get("sub") not in (None, claims["sub"]):
            raise Invalid("the userinfo sub is not the id_token's")  # OIDC Core 5.3.2
        claims = {**info, **claims}   # the signed claims win
    if kind == "SignInWithApple":
        claims = {**_apple_user(apple_user), **claims}
    subject_claim = (provider.get("AttributeMapping") or {}).get("username") or "sub"
    subject = claims.get(subject_claim)
    if subject in (None, "") or isinstance(subject, dict | list | bool):
        raise Invalid(f"the provider sent no {subject_claim}")
    attributes = {name: [_text(value)] for name, value in claims.items() if value is not None}
    # The identities entry's issuer: the OIDC issuer; null for the social providers, as in
    # public captures of Google identities (UNCONFIRMED for the others).
    return Identity(subject=_text(subject), claims=claims,
                    email_verified=_verified(claims.get("email_verified")),
                    issuer=ep.issuer if kind == "OIDC" else None, attributes=attributes)
