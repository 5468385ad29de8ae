"""Identity providers of a user pool (CreateIdentityProvider ... GetSigningCertificate).

Stored record (kind client_config.IDENTITY_PROVIDER_KIND, scope = pool id, key = ProviderName)
is the IdentityProviderType DescribeIdentityProvider returns, plus private fields:
    _metadata               IdpMetadata.to_dict() of a SAML provider
    _encryption_key         PEM private key of the provider's own encryption key pair (SAML)
    _encryption_certificate PEM certificate of that key pair (ActiveEncryptionCertificate)
    _private_details        ProviderDetails kept but never shown (Sign in with Apple private_key)
The pool's SAML signing key pair (one per pool, COGNITO_REFERENCE 8.2) is kind SIGNING_KIND,
scope = pool id, key "current". Everything sits in the pool's scope, so DeleteUserPool's
delete_scope removes providers and signing key together.

SAML providers are fully configured (metadata parsed and kept); the other types (OIDC and the
social ones) are stored and described with their documented ProviderDetails keys checked;
sign-in through them is web/oidc_federation.py's (a provider with a built-in mock's client_id
uses the mock: web/mock_idps/).
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .. import trust
from ..errors import CognitoError, invalid, not_found
from ..store import AlreadyExists
from . import client_config, pools
from .hosts import is_loopback

KIND = client_config.IDENTITY_PROVIDER_KIND
SIGNING_KIND = "saml_signing_key"  # scope = pool id, key "current"
MAX_PER_POOL = 300  # Cognito quota "identity providers per user pool"
DEFAULT_PAGE = 60   # ListIdentityProviders without MaxResults (the model's maximum)
MAX_IDENTIFIERS = 50

# Fetching MetadataURL: the emulator refuses to hang or swallow a huge document.
FETCH_TIMEOUT = 5.0
FETCH_LIMIT = 1024 * 1024

SAML = "SAML"
SOCIAL_TYPES = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
_FLAGS = ("IDPSignout", "IDPInit", "EncryptedResponses")
_SAML_SETTABLE = ("MetadataFile", "MetadataURL", "RequestSigningAlgorithm", *_FLAGS)
# Keys DescribeIdentityProvider adds for SAML; sent back in an update they are ignored.
_SAML_READ_ONLY = ("ActiveEncryptionCertificate", "SSORedirectBindingURI",
                   "SLORedirectBindingURI")

# Per type: keys a request must carry, keys it may carry, keys kept out of describe output.
# From the API reference (CreateIdentityProvider ProviderDetails).
_SOCIAL_REQUIRED = ("client_id", "client_secret", "authorize_scopes")
_REQUIRED = {
    "Google": _SOCIAL_REQUIRED,
    "LoginWithAmazon": _SOCIAL_REQUIRED,
    "Facebook": _SOCIAL_REQUIRED,
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "OIDC": ("client_id", "client_secret", "attributes_request_method", "oidc_issuer",
             "authorize_scopes"),
}
_OPTIONAL = {
    "Facebook": ("api_version",),
    "OIDC": ("authorize_url", "token_url", "attributes_url", "jwks_uri"),
}
_HIDDEN = {"SignInWithApple": ("private_key",)}  # the describe example leaves it out
# Keys Cognito fills in itself (describe examples in the API reference). Facebook's depend on
# api_version; its default version here is UNCONFIRMED.
_FACEBOOK_DEFAULT_VERSION = "v17.0"
_FACEBOOK_COMPUTED = ("attributes_url", "attributes_url_add_attributes", "authorize_url",
                      "token_request_method", "token_url")
_COMPUTED = {
    "Google": {"attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
               "attributes_url_add_attributes": "true",
               "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
               "oidc_issuer": "https://accounts.google.com",
               "token_request_method": "POST",
               "token_url": "https://www.googleapis.com/oauth2/v4/token"},
    "LoginWithAmazon": {"attributes_url": "https://api.amazon.com/user/profile",
                        "attributes_url_add_attributes": "false",
                        "authorize_url": "https://www.amazon.com/ap/oa",
                        "token_request_method": "POST",
                        "token_url": "https://api.amazon.com/auth/o2/token"},
    "SignInWithApple": {"attributes_url_add_attributes": "false",
                        "authorize_url": "https://appleid.apple.com/auth/authorize",
                        "oidc_issuer": "https://appleid.apple.com",
                        "token_request_method": "POST",
                        "token_url": "https://appleid.apple.com/auth/token"},
    "OIDC": {"attributes_url_add_attributes": "false"},
}
# The provider's user id claim becomes the username (ProviderName_<id>); Cognito adds this
# mapping itself for OIDC and social providers (UNCONFIRMED for each type's claim name).
_USERNAME_CLAIM = {"Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id",
                   "SignInWithApple": "sub", "OIDC": "sub"}


# --- constants of the pool as a SAML service provider -----------------------------------------

def sp_entity_id(pool_id: str) -> str:
    return f"urn:amazon:cognito:sp:{pool_id}"


def acs_url(settings) -> str:
    return f"{settings.base_url}/saml2/idpresponse"


def logout_url(settings) -> str:
    return f"{settings.base_url}/saml2/logout"


# --- reading -----------------------------------------------------------------------------------

def get(store, pool_id: str, name: str) -> dict | None:
    return store.get(KIND, pool_id, name)


def require(store, pool_id: str, name: str) -> dict:
    record = get(store, pool_id, name)
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Identity provider {name} does not exist in user pool {pool_id}.")
    return record


def by_identifier(store, pool_id: str, identifier: str) -> dict | None:
    """The pool's provider that declares `identifier` among its IdpIdentifiers."""
    for _, record in store.list(KIND, pool_id):
        if identifier in (record.get("IdpIdentifiers") or []):
            return record
    return None


def public(record: dict) -> dict:
    """The IdentityProviderType (without '_' fields)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def description(record: dict) -> dict:
    """ProviderDescription (ListIdentityProviders)."""
    return {"ProviderName": record["ProviderName"], "ProviderType": record["ProviderType"],
            "LastModifiedDate": record["LastModifiedDate"],
            "CreationDate": record["CreationDate"]}


def metadata(record: dict):
    """The SAML provider's IdP metadata (saml.metadata.IdpMetadata)."""
    from saml.metadata import IdpMetadata
    return IdpMetadata.from_dict(record["_metadata"])


def is_idp_initiated(record: dict) -> bool:
    return (record.get("ProviderType") == SAML
            and (record.get("ProviderDetails") or {}).get("IDPInit") == "true")


def page(store, pool_id: str, *, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """ListIdentityProviders: (descriptions, last name if more remain)."""
    rows = store.list(KIND, pool_id, after=after, limit=limit + 1)
    items = [record for _, record in rows[:limit]]
    more = len(rows) > limit
    return [description(r) for r in items], (items[-1]["ProviderName"] if more and items else None)


# --- the pool's SAML signing key ------------------------------------------------------------

def signing_key(ctx, pool: dict):
    """The pool's SAML signing KeyPair (AuthnRequest / LogoutRequest signatures; its
    certificate is what GetSigningCertificate returns). Made on first use and kept; Cognito's
    yearly rotation is not emulated (one certificate, valid 10 years)."""
    from saml.certificates import KeyPair, new_key_pair
    pool_id = pool["Id"]
    found = ctx.store.get(SIGNING_KIND, pool_id, "current")
    if found is None:
        pair = new_key_pair(pool_id, ctx.now())
        found = {"privateKey": pair.private_key_pem, "certificate": pair.certificate_pem,
                 "created": ctx.now()}
        try:
            ctx.store.insert(SIGNING_KIND, pool_id, "current", found)
        except AlreadyExists:  # another request made it first: everyone uses that one
            found = ctx.store.get(SIGNING_KIND, pool_id, "current")
    return KeyPair(private_key_pem=found["privateKey"], certificate_pem=found["certificate"])


def signing_certificate(ctx, pool: dict) -> str:
    """GetSigningCertificate: the certificate's base64 body."""
    from saml.certificates import certificate_body
    return certificate_body(signing_key(ctx, pool).certificate_pem)


# --- create / update / delete ------------------------------------------------------------------

def create(ctx, pool: dict, params: dict) -> dict:
    """CreateIdentityProvider. A MetadataURL is downloaded with the store suspended, so the
    handler must run in a worker thread (api.dispatcher._may_call_lambda says so)."""
    store, pool_id = ctx.store, pool["Id"]
    name, kind = params["ProviderName"], params["ProviderType"]
    _check_name(name, kind)
    if get(store, pool_id, name) is not None:
        raise _duplicate(name, pool_id)
    if store.count(KIND, pool_id) >= MAX_PER_POOL:
        # Wording UNCONFIRMED.
        raise CognitoError("LimitExceededException",
                           f"The user pool {pool_id} already has the maximum number of "
                           f"{MAX_PER_POOL} identity providers.")
    identifiers = _identifiers(store, pool_id, name, params.get("IdpIdentifiers"))
    mapping = _attribute_mapping(pool, kind, params.get("AttributeMapping") or {})
    now = ctx.now()
    record = {"UserPoolId": pool_id, "ProviderName": name, "ProviderType": kind}
    if kind == SAML:
        details = _saml_details({}, params["ProviderDetails"])
        # The provider's own encryption key pair (ActiveEncryptionCertificate), made whether
        # or not EncryptedResponses is on, so the IdP can be given it ahead of time.
        from saml.certificates import new_key_pair
        pair = new_key_pair(pool_id, now)
        record["_encryption_key"] = pair.private_key_pem
        record["_encryption_certificate"] = pair.certificate_pem
        _apply_metadata(ctx, record, details, refetch=True)
        if details.get("MetadataURL"):  # others ran during the download: check again
            identifiers = _identifiers(store, pool_id, name, params.get("IdpIdentifiers"))
    else:
        details, hidden = _other_details(kind, {}, params["ProviderDetails"])
        if hidden:
            record["_private_details"] = hidden
    record = _finish(record, details, mapping, identifiers, created=now, modified=now)
    if "AcrMapping" in params:
        _check_acr(kind)
        record["AcrMapping"] = dict(params["AcrMapping"])
    try:
        store.insert(KIND, pool_id, name, record)
    except AlreadyExists:  # created meanwhile (while the metadata was downloading)
        raise _duplicate(name, pool_id) from None
    return record


def update(ctx, pool: dict, params: dict) -> dict:
    """UpdateIdentityProvider. Members left out keep their values. ProviderDetails given are
    merged over the stored ones (a SAML update with only {"IDPSignout": "true"} keeps the
    metadata); giving MetadataFile drops MetadataURL and the other way round; a MetadataURL
    given is downloaded again. Merge semantics UNCONFIRMED."""
    store, pool_id = ctx.store, pool["Id"]
    name = params["ProviderName"]
    record = require(store, pool_id, name)
    kind = record["ProviderType"]
    identifiers = record.get("IdpIdentifiers", [])
    if params.get("IdpIdentifiers") is not None:
        identifiers = _identifiers(store, pool_id, name, params["IdpIdentifiers"])
    mapping = record.get("AttributeMapping", {})
    if params.get("AttributeMapping") is not None:
        mapping = _attribute_mapping(pool, kind, params["AttributeMapping"])
    details = dict(record.get("ProviderDetails") or {})
    if params.get("ProviderDetails") is not None:
        if kind == SAML:
            given = params["ProviderDetails"]
            details = _saml_details(details, given)
            source_given = "MetadataFile" in given or "MetadataURL" in given
            _apply_metadata(ctx, record, details, refetch=source_given)
            if "MetadataURL" in given:
                # The download let other requests in: the provider may be gone by now, or
                # an identifier taken.
                require(store, pool_id, name)
                identifiers = _identifiers(store, pool_id, name, identifiers)
        else:
            before = {**details, **(record.get("_private_details") or {})}
            details, hidden = _other_details(kind, before, params["ProviderDetails"])
            record.pop("_private_details", None)
            if hidden:
                record["_private_details"] = hidden
    if kind == SAML and details.get("IDPInit") == "true":
        _check_idp_init_clients(store, pool_id, name)
    if params.get("AcrMapping") is not None:
        _check_acr(kind)
        record["AcrMapping"] = dict(params["AcrMapping"])
    record = _finish(record, details, mapping, identifiers,
                     created=record["CreationDate"], modified=ctx.now())
    store.put(KIND, pool_id, name, record)
    return record


def delete(store, pool: dict, name: str) -> None:
    """DeleteIdentityProvider. App clients that list the provider lose it from their
    SupportedIdentityProviders rather than blocking the deletion (UNCONFIRMED: the docs say
    only that users can no longer sign in through it; keeping a dangling name would make
    every later UpdateUserPoolClient that sends the client's settings back fail)."""
    from . import clients
    pool_id = pool["Id"]
    require(store, pool_id, name)
    for _, client in store.list(clients.KIND, pool_id):
        listed = client.get("SupportedIdentityProviders") or []
        if name in listed:
            client["SupportedIdentityProviders"] = [p for p in listed if p != name]
            clients.save(store, client)
    from . import federation
    federation.forget_provider(store, pool, name)
    store.delete(KIND, pool_id, name)


# --- checks ------------------------------------------------------------------------------------

def _duplicate(name: str, pool_id: str) -> CognitoError:
    # Wording captured from CloudTrail (aws-cloudformation/cloudformation-coverage-roadmap#1287).
    return CognitoError("DuplicateProviderException",
                        f"{name} already exists in user pool {pool_id}")


def _check_name(name: str, kind: str) -> None:
    """"Cognito" is the user pool's own sign-in; the social types go by their own name
    (a Google provider is named "Google"). Wordings UNCONFIRMED except the social one."""
    if name.lower() == "cognito":
        raise invalid(f"The provider name {name} is reserved.")
    if kind in SOCIAL_TYPES and name != kind:
        # from https://github.com/hashicorp/terraform-provider-aws/issues/4822 (a provider
        # named "example" of type Google: "Provider example cannot be of type Google.").
        raise invalid(f"Provider {name} cannot be of type {kind}.")
    if kind not in SOCIAL_TYPES and name in SOCIAL_TYPES:
        raise invalid(f"The provider name {name} is reserved for provider type {name}.")


def _identifiers(store, pool_id: str, name: str, given: list[str] | None) -> list[str]:
    """IdpIdentifiers: unique in the list and in the pool (COGNITO_REFERENCE 8.2). A clash
    with another provider is DuplicateProviderException, a repeat in the same list
    InvalidParameterException (both UNCONFIRMED, wording too)."""
    identifiers = list(given or [])
    if len(identifiers) > MAX_IDENTIFIERS:
        raise invalid(f"A provider can have at most {MAX_IDENTIFIERS} identifiers.")
    seen = set()
    for identifier in identifiers:
        if identifier in seen:
            raise invalid(f"Duplicate identifier {identifier} in IdpIdentifiers.")
        seen.add(identifier)
    if not identifiers:
        return identifiers
    for _, other in store.list(KIND, pool_id):
        if other["ProviderName"] == name:
            continue
        clash = seen.intersection(other.get("IdpIdentifiers") or [])
        if clash:
            raise CognitoError("DuplicateProviderException",
                               f"Identifier {sorted(clash)[0]} is already used by provider "
                               f"{other['ProviderName']} in user pool {pool_id}.")
    return identifiers


def _attribute_mapping(pool: dict, kind: str, given: dict) -> dict:
    """AttributeMapping {user pool attribute: provider attribute}. Keys must be attributes of
    the pool (or "username" for OIDC and social providers). Wording from
    https://github.com/aws/aws-cli/issues/9729 (a custom attribute the pool lacks:
    "AttributeMapping contains invalid mapping: [custom:zen_groups]"); listing several keys
    in one bracket is our reading of that form."""
    schema = pools.schema(pool)
    bad = [key for key in given
           if key not in schema and not (key == "username" and kind != SAML)]
    if bad:
        raise invalid(f"AttributeMapping contains invalid mapping: [{', '.join(bad)}]")
    mapping = {}
    if kind in _USERNAME_CLAIM:
        mapping["username"] = _USERNAME_CLAIM[kind]
    mapping.update(given)
    return mapping


def _check_acr(kind: str) -> None:
    if kind != "OIDC":
        # The model: "Only OIDC IdPs support ACR mapping". Wording UNCONFIRMED.
        raise invalid("AcrMapping is only supported for OIDC identity providers.")


def _finish(record: dict, details: dict, mapping: dict, identifiers: list[str], *,
            created: float, modified: float) -> dict:
    """The record with its public members in the model's IdentityProviderType order."""
    out = {"UserPoolId": record["UserPoolId"], "ProviderName": record["ProviderName"],
           "ProviderType": record["ProviderType"], "ProviderDetails": dict(sorted(details.items())),
           "AttributeMapping": mapping, "IdpIdentifiers": identifiers}
    if "AcrMapping" in record:
        out["AcrMapping"] = record["AcrMapping"]
    out["LastModifiedDate"] = modified
    out["CreationDate"] = created
    out.update({k: v for k, v in record.items() if k.startswith("_")})
    return out


def _other_details(kind: str, before: dict, given: dict) -> tuple[dict, dict]:
    """ProviderDetails of an OIDC or social provider, `given` merged over `before` (stored
    ones, hidden included): (shown, hidden). Required keys must be present and non-empty;
    unknown keys are refused; Cognito's own keys are filled in."""
    required, optional = _REQUIRED[kind], _OPTIONAL.get(kind, ())
    computed = _COMPUTED.get(kind, {})
    read_only = set(computed) | (set(_FACEBOOK_COMPUTED) if kind == "Facebook" else set())
    values = {k: v for k, v in before.items() if k not in read_only}
    for key, value in given.items():
        if key in read_only:
            continue  # read-only keys sent back from a describe are ignored
        if key not in required and key not in optional:
            # Wording UNCONFIRMED.
            raise invalid(f"{key} is not a valid ProviderDetails key for provider type {kind}.")
        values[key] = value
    missing = [key for key in required if not values.get(key)]
    if missing and required == _SOCIAL_REQUIRED:
        # Google, Facebook, LoginWithAmazon: from https://github.com/aws-amplify/amplify-cli/
        # issues/8266 (InvalidParameterException from a deployment of a social provider).
        raise invalid("client_id, client_secret and authorize_scopes are all required idp "
                      "details")
    if missing:
        # Wording UNCONFIRMED (SignInWithApple, OIDC).
        raise invalid(f"ProviderDetails for provider type {kind} must include "
                      f"{', '.join(missing)}.")
    if kind == "OIDC":
        if values["attributes_request_method"] not in ("GET", "POST"):
            raise invalid("attributes_request_method must be GET or POST.")
        for key in ("oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri"):
            if key in values and not _secure_url(values[key]):
                # OIDC requires https endpoints; wording UNCONFIRMED.
                raise invalid(f"{key} must be an https URL.")
    if kind == "Facebook":
        values.setdefault("api_version", _FACEBOOK_DEFAULT_VERSION)
        version = values["api_version"]
        computed = {"attributes_url": f"https://graph.facebook.com/{version}/me?fields=",
                    "attributes_url_add_attributes": "true",
                    "authorize_url": f"https://www.facebook.com/{version}/dialog/oauth",
                    "token_request_method": "GET",
                    "token_url": f"https://graph.facebook.com/{version}/oauth/access_token"}
    hidden_keys = _HIDDEN.get(kind, ())
    shown = {k: v for k, v in values.items() if k not in hidden_keys}
    shown.update(computed)
    hidden = {k: v for k, v in values.items() if k in hidden_keys}
    return shown, hidden


def _secure_url(url: str) -> bool:
    """https, or (emulator-only, for local test issuers) http on a loopback host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def _saml_details(before: dict, given: dict) -> dict:
    """ProviderDetails of a SAML provider merged over `before` (the stored ones): exactly one
    of MetadataFile / MetadataURL in the result, flags "true"/"false", RequestSigningAlgorithm
    "rsa-sha256". Read-only describe keys are dropped (set again from the metadata)."""
    for key in given:
        if key not in _SAML_SETTABLE and key not in _SAML_READ_ONLY:
            # Wording UNCONFIRMED.
            raise invalid(f"{key} is not a valid ProviderDetails key for provider type SAML.")
    if "MetadataFile" in given and "MetadataURL" in given:
        # Wording UNCONFIRMED.
        raise invalid("Specify either MetadataFile or MetadataURL, not both.")
    details = {k: v for k, v in before.items() if k not in _SAML_READ_ONLY}
    if "MetadataFile" in given:
        details.pop("MetadataURL", None)
    if "MetadataURL" in given:
        details.pop("MetadataFile", None)
    details.update({k: v for k, v in given.items() if k in _SAML_SETTABLE})
    if not details.get("MetadataFile") and not details.get("MetadataURL"):
        # from https://github.com/hashicorp/terraform-provider-aws/issues/4815
        raise invalid("At least one of the MetadataURL or MetadataFile should be provided.")
    for flag in _FLAGS:
        if flag in details:
            value = details[flag].lower()
            if value not in ("true", "false"):
                raise invalid(f"{flag} must be true or false.")  # wording UNCONFIRMED
            details[flag] = value
    algorithm = details.get("RequestSigningAlgorithm")
    if algorithm is not None:
        if algorithm.lower() != "rsa-sha256":
            # Cognito offers rsa-sha256 only (API reference). Wording UNCONFIRMED.
            raise invalid(f"Unsupported RequestSigningAlgorithm {algorithm}: only rsa-sha256 "
                          f"is supported.")
        details["RequestSigningAlgorithm"] = "rsa-sha256"
    if "MetadataURL" in details:
        _check_metadata_url(details["MetadataURL"])
    return details


def _apply_metadata(ctx, record: dict, details: dict, *, refetch: bool) -> None:
    """Parse the provider's metadata into record["_metadata"] and the describe-only keys of
    `details`. Without `refetch` an update keeps the metadata it had."""
    from saml.errors import SamlError
    from saml.metadata import IdpMetadata, parse_idp_metadata
    if refetch or "_metadata" not in record:
        if details.get("MetadataURL"):
            url = details["MetadataURL"]
            with ctx.store.suspended():  # other requests go on while we download
                document = fetch_metadata(url)
        else:
            document = details["MetadataFile"]
        try:
            parsed = parse_idp_metadata(document, now=ctx.now())
        except SamlError as err:
            if "SingleSignOnService" in err.message:  # no usable binding at all
                raise invalid(_NO_SSO_REDIRECT) from None
            # Wording UNCONFIRMED; the library's message says what is wrong.
            raise invalid(f"Invalid SAML metadata: {err.message}") from None
        if not parsed.sso_redirect_url:
            # Cognito sends its AuthnRequest with the HTTP-Redirect binding.
            raise invalid(_NO_SSO_REDIRECT)
        record["_metadata"] = parsed.to_dict()
    else:
        parsed = IdpMetadata.from_dict(record["_metadata"])
    details["SSORedirectBindingURI"] = parsed.sso_redirect_url
    if parsed.slo_redirect_url:
        details["SLORedirectBindingURI"] = parsed.slo_redirect_url
    certificate = record.get("_encryption_certificate")
    if certificate:
        from saml.certificates import certificate_body
        details["ActiveEncryptionCertificate"] = certificate_body(certificate)


# Metadata without an HTTP-Redirect SingleSignOnService: from
# https://github.com/ssoready/dummyidp/issues/10 (Cognito's console on metadata with only
# HTTP-POST).
_NO_SSO_REDIRECT = "No SingleSignOn Http redirect binding location found in metadata."


def _check_metadata_url(url: str) -> None:
    # COGNITO_REFERENCE 8.2: an https (or http) URL. Cognito also insists on ports 443/80;
    # the emulator allows any port (test IdPs listen on random local ports).
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise _retrieval_error(url)


def _retrieval_error(url: str) -> CognitoError:
    # Wording from the reference (8.2).
    return invalid(f"Error retrieving metadata from {url}")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_metadata(url: str, *, timeout: float = FETCH_TIMEOUT,
                   limit: int = FETCH_LIMIT) -> bytes:
    """GET a MetadataURL: http/https only, at most `limit` bytes, `timeout` seconds in all.
    Any failure is InvalidParameterException "Error retrieving metadata from <url>"."""
    _check_metadata_url(url)
    # HTTPS: the CAs of emulator/trust.py (the system's, SSL_CERT_FILE, --trust-ca).
    opener = urllib.request.build_opener(_HttpOnlyRedirects(),
                                         urllib.request.HTTPSHandler(context=trust.context()))
    deadline = time.monotonic() + timeout  # wall-clock budget, not the emulator clock
    request = urllib.request.Request(url, headers={"Accept": "application/samlmetadata+xml, "
                                                             "application/xml, text/xml, */*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length") or ""
            if response.status != 200 or (declared.isdigit() and int(declared) > limit):
                raise _retrieval_error(url)
            body = b""
            while True:
                if time.monotonic() > deadline:
                    raise _retrieval_error(url)
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                body += chunk
                if len(body) > limit:
                    raise _retrieval_error(url)
            return body
    except CognitoError:
        raise
    except (OSError, ValueError, urllib.error.URLError):
        # URLError/HTTPError, socket timeouts, refused connections, bad URLs.
        raise _retrieval_error(url) from None


def _check_idp_init_clients(store, pool_id: str, name: str) -> None:
    """Turning IDPInit on for a provider that an app client lists next to COGNITO or a
    non-SAML provider: refused, like creating such a client (COGNITO_REFERENCE 8.4).
    Refusing rather than silently breaking the client is our choice (UNCONFIRMED)."""
    from . import clients
    for _, client in store.list(clients.KIND, pool_id):
        listed = client.get("SupportedIdentityProviders") or []
        if name not in listed:
            continue
        others = [p for p in listed if p != name]
        for other in others:
            record = get(store, pool_id, other) if other != client_config.COGNITO_PROVIDER else None
            if record is None or record.get("ProviderType") != SAML:
                raise invalid(f"IDPInit can not be enabled for {name}: app client "
                              f"{client['ClientId']} also supports {other}, and a client with "
                              f"an IdP-initiated SAML provider may only support SAML "
                              f"providers.")
