"""The Logins map of the identity-pool service (cognito-identity): each provider's token
checked as Cognito identity pools check it.

Lives in auth/ rather than domain/identity/: checking a user pool's ID token needs that
pool's signing keys (auth/keys.py) and its sign-in sessions (auth/tokens.py, for
ServerSideTokenCheck), and domain/ must not import auth/.

Provider names (the Logins keys) and what this emulator does with each:
- user pools: `cognito-idp.<region>.amazonaws.com/<userPoolId>`, listed in the identity
  pool's CognitoIdentityProviders. Amplify v6 derives the key from the ID token's `iss`
  without its scheme, so under the `local` issuer style it sends `<host:port>/<userPoolId>`:
  the same provider. Checked: signature by the user pool's ID-token key, issuer, `aud` = a
  ClientId listed for that user pool, expiry (emulator clock), and with
  ServerSideTokenCheck the sign-in session (RevokeToken, GlobalSignOut,
  AdminUserGlobalSignOut end it) and the user (deleted, disabled).
- `cognito-identity.amazonaws.com`: an OpenID token of this identity pool (the enhanced
  flow of developer-authenticated identities).
- OIDC providers by ARN (`arn:aws:iam::<account>:oidc-provider/<issuer host/path>`, Logins
  key = the issuer host/path): an issuer that is a user pool of this emulator is checked like
  a user-pool token (any app client of that pool as audience); any other must be an IAM OIDC
  provider of the config file's `iam:` section (domain/identity/iam_providers.py) and is
  checked against its JWKS and client ids (auth/identity_oidc.py).
- SAML providers by ARN (Logins key = the ARN, value = the base64 SAMLResponse): an IAM SAML
  provider of the `iam:` section, checked against its metadata (auth/identity_saml.py).
- A listed OIDC or SAML ARN that the `iam:` section does not declare: ResourceNotFoundException
  naming the missing registration.
- Social providers (SupportedLoginProviders: accounts.google.com, appleid.apple.com,
  graph.facebook.com, www.amazon.com): tokens of the built-in mock providers, when the pool
  lists the mock's client id (auth/identity_social.py: Google's and Apple's ID tokens by the
  mocks' key, issuer, audience and expiry; Facebook's and Amazon's access tokens by the mock's
  token record). Any other app id, and api.twitter.com / www.digits.com:
  NotImplementedException naming what is missing (the real providers are out of reach
  offline), never accepted unchecked. The login id is the provider's subject: `sub`, Graph's
  `id`, Amazon's `user_id`.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import jwt
from jwt.types import Options

from ..domain import pools as user_pools
from ..domain import users
from ..domain.identity import iam_providers, identities, signing
from ..errors import CognitoError, not_authorized
from . import identity_oidc, identity_saml, identity_social, keys, tokens

_USER_POOL = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)",
                        re.ASCII)
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
_OIDC_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:oidc-provider/(.+)")
_MALFORMED = (jwt.PyJWTError, ValueError, TypeError)
_SIGNATURE_ONLY: Options = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False}

# Messages seen from the real service (GitHub issues of amazon-cognito-identity-js #40,
# #91, #7, #153, #68; aws-sdk-js-v3 #3113), the rest UNCONFIRMED where marked.
NOT_OIDC, BAD_SIGNATURE = identity_oidc.NOT_OIDC, identity_oidc.BAD_SIGNATURE
WRONG_ISSUER, NO_AUD = identity_oidc.WRONG_ISSUER, identity_oidc.NO_AUD
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
REVOKED = "Invalid login token. Token has been revoked."             # UNCONFIRMED
USER_DISABLED = "Invalid login token. User is disabled."             # UNCONFIRMED
USER_GONE = "Invalid login token. User does not exist."              # UNCONFIRMED


def _expired(now: float, exp) -> CognitoError:
    # Cognito: "Invalid login token. Token expired: <now> >= <exp>" (epoch seconds).
    return not_authorized(f"Invalid login token. Token expired: {int(now)} >= {exp}")


def _not_registered(kind: str, arn: str, section: str) -> CognitoError:
    # The IAM provider an identity pool lists does not exist. Code and wording ours
    # (UNCONFIRMED): the emulator has no IAM, its providers come from the config file.
    return CognitoError("ResourceNotFoundException",
                        f"The {kind} provider {arn} is not registered with this Cognito "
                        f"emulator: declare it under iam: {section} in the config file "
                        f"(--config).")


def user_pool_provider(settings, name: str) -> str | None:
    """The canonical name `cognito-idp.<region>.amazonaws.com/<userPoolId>` of a Logins key
    or ProviderName naming a user pool (Amplify's `<host:port>/<userPoolId>` form, the
    `local` issuer without its scheme, and the `issuer-cognito-idp.` form included); None
    when it names none."""
    if _USER_POOL.fullmatch(name):
        return name
    if name.startswith("issuer-") and _USER_POOL.fullmatch(name[len("issuer-"):]):
        # The issuer of a pool whose IssuerConfiguration is UPDATED (aws style), which
        # Amplify turns into its Logins key: the same provider (UNCONFIRMED for AWS).
        return name[len("issuer-"):]
    host = urlsplit(settings.base_url).netloc
    prefix, _, pool_id = name.rpartition("/")
    if prefix == host and _POOL_ID.fullmatch(pool_id):
        return f"cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"
    return None


def _strip_scheme(url: str) -> str:
    return re.sub(r"^\w+://", "", url)


def verify(ctx, pool: dict, logins: dict[str, str]) -> dict[str, dict]:
    """Logins map (provider name -> token) checked as the real service does ->
    {canonical provider name: claims}.

    Canonical user-pool name: cognito-idp.<region>.amazonaws.com/<userPoolId> (Amplify v6's
    `<host:port>/<userPoolId>` form, the `local` issuer without its scheme, accepted as the
    same). Claims: the ID token's claims (cognito:groups, cognito:roles,
    cognito:preferred_role included); for OIDC the token's claims; for
    `cognito-identity.amazonaws.com` the pool's own OpenID token's claims. An empty map
    gives {} (an unauthenticated call); for SAML the assertion's attributes and `sub` = its
    NameID; for a social login the provider's (see identity_social).

    Raises NotAuthorizedException / InvalidParameterException / ResourceNotFoundException
    with the real service's messages (NotImplementedException: a social app no mock stands
    for)."""
    verified: dict[str, dict] = {}
    for name, token in logins.items():
        provider, claims = _one(ctx, pool, name, token)
        verified[provider] = claims
    return verified


def _one(ctx, pool: dict, name: str, token: str) -> tuple[str, dict]:
    settings = ctx.settings
    provider = user_pool_provider(settings, name)
    if provider is not None:
        entries = [e for e in pool.get("CognitoIdentityProviders") or []
                   if user_pool_provider(settings, e.get("ProviderName", "")) == provider]
        if entries:
            return provider, _user_pool_token(ctx, provider, token, entries)
    if name == identities.OPENID_PROVIDER:
        return name, _own_token(ctx, pool, token)
    for arn in pool.get("OpenIdConnectProviderARNs") or []:
        match = _OIDC_ARN.fullmatch(arn)
        if match and iam_providers.host_path(match.group(1)) == name:
            issuer_pool = user_pool_provider(settings, name)
            if issuer_pool is not None:
                return name, _user_pool_token(ctx, issuer_pool, token, None)
            registered = iam_providers.oidc_provider(settings, arn)
            if registered is None:
                raise _not_registered("OpenID Connect", arn, "oidc_providers")
            return name, identity_oidc.verify(ctx, registered, token)
    if name in (pool.get("SamlProviderARNs") or []):
        registered = iam_providers.saml_provider(settings, name)
        if registered is None:
            raise _not_registered("SAML", name, "saml_providers")
        return name, identity_saml.verify(ctx, name, registered, token)
    supported = pool.get("SupportedLoginProviders") or {}
    if name in supported:
        return name, identity_social.verify(ctx, name, supported[name], token)
    if provider is not None:
        raise not_authorized(NOT_SUPPORTED)
    if name == pool.get("DeveloperProviderName"):
        # Developer logins are given to GetOpenIdTokenForDeveloperIdentity only; wording
        # UNCONFIRMED.
        raise not_authorized("Invalid login token. Developer provider logins are accepted by "
                             "GetOpenIdTokenForDeveloperIdentity only.")
    raise not_authorized(NOT_SUPPORTED)


def _user_pool_token(ctx, provider: str, token: str, entries: list[dict] | None) -> dict:
    """An ID token of the user pool `provider` names. entries: the identity pool's
    CognitoIdentityProviders for that user pool (None: an OIDC provider, any client)."""
    header, claims = identity_oidc.unverified(token)
    iss = claims.get("iss")
    if not isinstance(iss, str) or user_pool_provider(ctx.settings,
                                                      _strip_scheme(iss)) != provider:
        raise not_authorized(WRONG_ISSUER)
    pool_id = provider.rsplit("/", 1)[1]
    user_pool = user_pools.get(ctx.store, pool_id)
    signing_keys = keys.for_pool(ctx, user_pool, create=False) if user_pool else None
    # Either key of the pool's JWKS (an access token verifies too: it then lacks aud).
    key = signing_keys.by_kid(str(header.get("kid"))) if signing_keys else None
    if key is None or user_pool is None:
        raise not_authorized(BAD_SIGNATURE)
    try:
        claims = jwt.decode(token, key.public, algorithms=["RS256"],
                            options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise not_authorized(BAD_SIGNATURE) from None
    aud = claims.get("aud")
    if not aud:
        raise not_authorized(NO_AUD)  # an access token
    entry: dict = {}  # an OIDC provider: no client list, no ServerSideTokenCheck
    if entries is not None:
        found = next((e for e in entries if e.get("ClientId") == aud), None)
        if found is None:
            raise not_authorized(NOT_SUPPORTED)
        entry = found
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise not_authorized(NOT_OIDC)
    now = ctx.now()
    if now >= exp:
        raise _expired(now, exp)
    if entry.get("ServerSideTokenCheck"):
        _still_valid(ctx, user_pool, claims)
    return claims


def _still_valid(ctx, user_pool: dict, claims: dict) -> None:
    """ServerSideTokenCheck: the sign-in the token came from is still on (not revoked nor
    signed out globally), and its user still exists and is enabled."""
    sub = str(claims.get("sub", ""))
    user = users.get(ctx.store, user_pool, str(claims.get("cognito:username", "")))
    if user is None or user["Attributes"].get("sub") != sub:
        raise not_authorized(USER_GONE)
    if not user.get("Enabled", True):
        raise not_authorized(USER_DISABLED)
    if not tokens.session_alive(ctx.store, user_pool["Id"], claims):
        raise not_authorized(REVOKED)


def _own_token(ctx, pool: dict, token: str) -> dict:
    """An OpenID token of this identity pool (GetOpenIdTokenForDeveloperIdentity's)."""
    try:
        header = jwt.get_unverified_header(token)
    except _MALFORMED:
        raise not_authorized(NOT_OIDC) from None
    public = signing.public_key(ctx, str(header.get("kid", "")))
    if public is None:
        raise not_authorized(BAD_SIGNATURE)
    try:
        claims = jwt.decode(token, public, algorithms=[signing.ALGORITHM],
                            options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise not_authorized(BAD_SIGNATURE) from None
    if claims.get("iss") not in (signing.AWS_ISSUER, signing.issuer(ctx.settings)):
        raise not_authorized(WRONG_ISSUER)
    if claims.get("aud") != pool["IdentityPoolId"]:
        raise not_authorized(NOT_SUPPORTED)
    exp = claims.get("exp")
    now = ctx.now()
    if not isinstance(exp, int | float) or now >= exp:
        raise _expired(now, exp)
    return claims
