"""Social logins of identity pools (SupportedLoginProviders: accounts.google.com,
appleid.apple.com, graph.facebook.com, www.amazon.com) from the emulator's built-in mock
providers (domain/mock_idps/), checked as Cognito checks the real providers' tokens.

A provider is trusted when its SupportedLoginProviders value (the app's client id; the
model's pattern, word characters and `.;_/-`, leaves no room for a list) is its mock's
well-known client id (`mock-google-client`, `mock-apple-client`, `mock-facebook-client`,
`mock-amazon-client`). Then:
- Google and Apple: the Logins value is the mock's ID token. Checked: a JWT; `iss` = the
  mock's issuer (`<base URL>/_emulator/idp/<slug>`); signature by the mocks' RSA key; `aud` =
  the mock's client id; `exp` (and `iat`) on the emulator clock. The login id is `sub`.
- Facebook and Amazon: the value is the mock's access token, an opaque string that Cognito
  checks at the provider (Graph's debug_token, Amazon's tokeninfo). Here: the mock's stored
  token record (the same one the mock's Graph /me and /user/profile read), of that mock, not
  expired on the emulator clock, issued to the mock's client id. The claims are what
  Graph /me (`id`, `name`, `email`, ...) or /user/profile (`user_id`, `name`, `email`) says,
  plus `aud` = the client id; the login id is `id` or `user_id`
  (domain/identity/identities.login_id).
A value without the mock's client id names a real app at the real provider, which this
offline emulator can't reach: NotImplementedException saying so (as for api.twitter.com and
www.digits.com, which have no mock). Wordings ours where marked UNCONFIRMED.
"""
from __future__ import annotations

import jwt
from jwt.types import Options

from ..domain.mock_idps import MOCKS, Mock, base, shapes, state
from ..errors import CognitoError, not_authorized
from . import identity_oidc

PROVIDERS = {"accounts.google.com": "Google", "appleid.apple.com": "SignInWithApple",
             "graph.facebook.com": "Facebook", "www.amazon.com": "LoginWithAmazon"}
SKEW = identity_oidc.SKEW
_SIGNATURE_ONLY: Options = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False}
_MALFORMED = (jwt.PyJWTError, ValueError, TypeError)
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
# A Facebook or Amazon access token the provider doesn't know (or no longer): UNCONFIRMED.
BAD_ACCESS_TOKEN = "Invalid login token. The {name} access token is not valid."


def verify(ctx, name: str, configured, token) -> dict:
    """The claims of a social login `name` (a SupportedLoginProviders key) whose configured
    value is `configured`; NotAuthorizedException when the token fails a check,
    NotImplementedException when no mock stands for the configured app."""
    mock = MOCKS.get(PROVIDERS.get(name, ""))
    if mock is None or configured != mock.client_id:
        raise _not_emulated(name, mock)
    if not isinstance(token, str) or not token:
        raise not_authorized(identity_oidc.NOT_OIDC)
    return _id_token(ctx, mock, token) if mock.oidc else _access_token(ctx, name, mock, token)


def _not_emulated(name: str, mock: Mock | None) -> CognitoError:
    if mock is None:
        what = "no mock provider stands for it"
    else:
        what = (f"only its built-in mock is emulated: list the mock's client id "
                f"{mock.client_id} as SupportedLoginProviders[\"{name}\"] and sign in at "
                f"/_emulator/idp/{mock.slug}/")
    return CognitoError(
        "NotImplementedException",
        f"A {name} token cannot be checked by this Cognito emulator: it can't reach the real "
        f"provider offline, and {what}. Or declare an OIDC issuer under iam: oidc_providers "
        f"in the config file.")


def _id_token(ctx, mock: Mock, token: str) -> dict:
    header, claims = identity_oidc.unverified(token)
    if claims.get("iss") != base(ctx.settings, mock):
        raise not_authorized(identity_oidc.WRONG_ISSUER)
    key = state.public_key(ctx.store, str(header.get("kid", "")))
    if key is None:
        raise not_authorized(identity_oidc.BAD_SIGNATURE)
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise not_authorized(identity_oidc.BAD_SIGNATURE) from None
    aud = claims.get("aud")
    if not aud:
        raise not_authorized(identity_oidc.NO_AUD)
    if mock.client_id not in (aud if isinstance(aud, list) else [aud]):
        raise not_authorized(identity_oidc.WRONG_AUDIENCE)
    exp, iat, now = claims.get("exp"), claims.get("iat"), ctx.now()
    if not _number(exp) or not claims.get("sub"):
        raise not_authorized(identity_oidc.NOT_OIDC)
    if now >= exp:
        raise not_authorized(f"Invalid login token. Token expired: {int(now)} >= {exp}")
    if _number(iat) and iat > now + SKEW:
        raise not_authorized(identity_oidc.NOT_YET)
    return claims


def _access_token(ctx, name: str, mock: Mock, token: str) -> dict:
    grant = state.read_access_token(ctx.store, token, ctx.now())
    if grant is None or grant.get("slug") != mock.slug:
        raise not_authorized(BAD_ACCESS_TOKEN.format(name=name))
    if grant.get("clientId") != mock.client_id:
        # Issued to another app (Cognito's answer to an app id that isn't the pool's).
        raise not_authorized(NOT_SUPPORTED)
    return {**shapes.profile(mock, grant["identity"]), "aud": grant["clientId"]}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
