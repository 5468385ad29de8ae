"""GetDerivedToken: OAuth 2.0 token exchange (RFC 8693) as the model documents it. An app client
presents a token it holds (the subject token) and gets a new access or ID token of the same
pool, narrowed in scope and bound to one audience, for a downstream service.

The rules, in the order they are checked:
1. The requesting client authenticates with its ClientSecret when it has one - or the call
   carries IAM credentials (a SigV4 signature; the emulator can't verify one, as for every
   Admin operation). A secret that doesn't match is refused even on a signed call.
2. The client allows ALLOW_TOKEN_EXCHANGE_IMPERSONATION (no ActorToken) or
   ALLOW_TOKEN_EXCHANGE_DELEGATION (with an ActorToken) in its ExplicitAuthFlows.
3. Subject and actor tokens are this pool's own ID or access tokens, as their Type says:
   signed by the pool's key for that type, token_use to match, not expired (emulator clock).
   A user's token must still be live: its sign-in not revoked or signed out, the user there
   and enabled. SAML2 and third-party tokens (…ProviderName) are not exchanged here.
4. Audiences or Resources (not both; Resources names a resource server of the pool) becomes
   the issued token's `aud`.
5. Scopes: none asked for = the subject token's scopes; else the requested scopes that the
   subject token has and the client is allowed (the model's "intersection"). Nothing can
   widen: a scope the subject lacks never gets in, and a request left with none is refused.
6. The issued token copies who the subject is (sub, username, groups, device_key,
   origin_jti, event_id, auth_time), gets the requesting client's client_id, its own
   jti/iat, and an exp no later than the subject token's. With an ActorToken it carries
   `act` {"sub": <actor's sub>} (the subject's own `act`, from an earlier delegation, nests
   inside it, RFC 8693 4.1).

Decisions the documentation leaves open, all UNCONFIRMED:
- RequestedTokenType absent = ACCESS_TOKEN; TokenType "Bearer" for an access token, "N_A"
  for an ID token (RFC 8693 2.2.1); Scopes comes back for an access token only.
- Which exception each refusal raises and its message: a bad token or secret is
  NotAuthorizedException; a flow the client lacks, or a combination the model forbids,
  InvalidParameterException (like InitiateAuth's "Auth flow not enabled for this client");
  an unknown resource server ResourceNotFoundException.
- The subject token may come from any client of the pool (the gateway case); an M2M access
  token (client_credentials) is a valid subject and actor, but can't become an ID token.
- An ID token carries no scope claim: as a subject its scopes are just "openid".
- The client's allowed scopes are its AllowedOAuthScopes (custom ones whose resource server
  still defines them) plus aws.cognito.signin.user.admin, which every API sign-in gets.
- Without an audience an access token has no `aud` and an ID token's is the requesting
  client, as in any sign-in; the user-attribute claims of an ID token follow the requesting
  client's ReadAttributes.
- Lifetime: the requesting client's validity for that token type, cut to the subject's exp.
- No pre token generation trigger runs for a derived token.
"""
import uuid

import jwt
from jwt.types import Options

from ..domain import clients, resource_servers, users
from ..errors import invalid, not_authorized, not_found, user_not_found
from . import client_tokens, keys, tokens

IMPERSONATION = "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"
DELEGATION = "ALLOW_TOKEN_EXCHANGE_DELEGATION"
ACCESS, ID = "ACCESS_TOKEN", "ID_TOKEN"
_TOKEN_USE = {ACCESS: "access", ID: "id"}
_SIGNATURE_ONLY: Options = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False,
                            "verify_sub": False, "verify_jti": False}
_MALFORMED = (jwt.PyJWTError, ValueError, TypeError)
# Claims that say who the subject is, copied as they are into a derived access token.
_IDENTITY_CLAIMS = ("device_key", "cognito:groups")


def exchange(ctx, pool: dict, client: dict, params: dict) -> dict:
    """GetDerivedTokenResponse for a request whose ClientId named `client` (of `pool`)."""
    _authenticate(ctx, client, params.get("ClientSecret"))
    actor_token = params.get("ActorToken")
    _check_flow(client, delegation=actor_token is not None)
    _check_types(params)
    subject = _verify(ctx, pool, params["SubjectToken"], params["SubjectTokenType"], "subject")
    user = _holder(ctx, pool, subject)
    actor = None
    if actor_token is not None:
        actor = _verify(ctx, pool, actor_token, params["ActorTokenType"], "actor")
        _holder(ctx, pool, actor)
    audience = _audience(ctx.store, pool, params)
    wanted = params.get("RequestedTokenType") or ACCESS
    if wanted == ID and user is None:
        raise invalid("An ID token can only be derived from a user's token.")
    scopes = _scopes(ctx.store, client, subject, params.get("Scopes"))

    iat = int(ctx.now())
    life = tokens.lifetime(client, "AccessToken" if wanted == ACCESS else "IdToken")
    exp = min(int(subject["exp"]), iat + life)
    if wanted == ACCESS:
        claims = _access_claims(subject, user, client, scopes, audience)
    else:
        claims = _id_claims(subject, user, client, audience)
    claims.update({"exp": exp, "iat": iat, "jti": str(uuid.uuid4())})
    act = _act(subject, actor)
    if act is not None:
        claims["act"] = act
    signing = keys.for_pool(ctx, pool)
    issued = tokens.sign(signing.access if wanted == ACCESS else signing.id, claims)
    answer = {"IssuedToken": issued, "IssuedTokenType": wanted,
              "TokenType": "Bearer" if wanted == ACCESS else "N_A", "ExpiresIn": exp - iat}
    if wanted == ACCESS:
        answer["Scopes"] = scopes
    return answer


# --- the request ----------------------------------------------------------------------------

def _authenticate(ctx, client: dict, secret: str | None) -> None:
    cid = client["ClientId"]
    if secret is None:
        if clients.has_secret(client) and not ctx.signed:
            raise not_authorized(
                f"Client {cid} is configured for secret but secret was not received")
        return
    try:
        client_tokens.authenticate(client, secret)
    except client_tokens.Refused as err:
        raise not_authorized(err.message) from None


def _check_flow(client: dict, *, delegation: bool) -> None:
    flow = DELEGATION if delegation else IMPERSONATION
    if flow not in (client.get("ExplicitAuthFlows") or []):
        raise invalid(f"{flow} is not enabled for client {client['ClientId']}.")


def _check_types(params: dict) -> None:
    if params.get("SubjectTokenType") == "SAML2" or "SubjectTokenProviderName" in params:
        raise invalid("This emulator exchanges only its own user pool ID and access tokens "
                      "(no SAML2 or third-party subject tokens).")
    if "ActorToken" in params:
        if "ActorTokenType" not in params:
            raise invalid("ActorTokenType is required when ActorToken is present.")
        if params["ActorTokenType"] == "SAML2" or "ActorTokenProviderName" in params:
            raise invalid("This emulator exchanges only its own user pool ID and access "
                          "tokens (no SAML2 or third-party actor tokens).")
    elif "ActorTokenType" in params or "ActorTokenProviderName" in params:
        raise invalid("ActorTokenType and ActorTokenProviderName need an ActorToken.")
    if params.get("Audiences") and params.get("Resources"):
        raise invalid("Audiences and Resources can't both be requested.")


def _audience(store, pool: dict, params: dict) -> str | None:
    if params.get("Resources"):
        identifier = params["Resources"][0]
        if resource_servers.get(store, pool["Id"], identifier) is None:
            raise not_found(f"Resource server {identifier} does not exist in user pool "
                            f"{pool['Id']}.")
        return identifier
    audiences = params.get("Audiences")
    return audiences[0] if audiences else None


# --- the presented tokens ---------------------------------------------------------------------

def _verify(ctx, pool: dict, token: str, kind: str, role: str) -> dict:
    """Claims of one of the pool's own tokens of type `kind`; role names it in errors."""
    bad = not_authorized(f"Invalid {role} token.")
    signing = keys.for_pool(ctx, pool, create=False)
    if signing is None:
        raise bad
    key = signing.access if kind == ACCESS else signing.id
    try:
        if jwt.get_unverified_header(token).get("kid") != key.kid:
            raise bad  # another pool's token, or the other type
        claims = jwt.decode(token, key.public, algorithms=["RS256"], options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise bad from None
    if claims.get("token_use") != _TOKEN_USE[kind] or not isinstance(claims.get("sub"), str):
        raise bad
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise bad
    if ctx.now() >= exp:
        raise not_authorized(f"The {role} token has expired.")
    return claims


def _holder(ctx, pool: dict, claims: dict) -> dict | None:
    """The user a token belongs to, still live; None for an M2M token (no user in it)."""
    username = claims.get("username") if claims["token_use"] == "access" \
        else claims.get("cognito:username")
    if username is None:
        if claims["token_use"] == "access" and clients.get(ctx.store, pool["Id"], claims["sub"]):
            return None  # client_credentials (or derived from one): sub is an app client
        raise not_authorized("Invalid token.")
    if not tokens.session_alive(ctx.store, pool["Id"], claims):
        raise not_authorized("Token has been revoked.")
    user = users.get(ctx.store, pool, str(username))
    if user is None or user["Attributes"].get("sub") != claims["sub"]:
        raise user_not_found()
    if not user.get("Enabled", True):
        raise not_authorized("User is disabled.")
    return user


# --- what the issued token says ------------------------------------------------------------------

def _client_scopes(store, client: dict) -> set[str]:
    listed = client.get("AllowedOAuthScopes") or []
    custom = set(client_tokens.allowed_scopes(store, client))
    return {s for s in listed if "/" not in s or s in custom} | {tokens.ADMIN_SCOPE}


def _scopes(store, client: dict, subject: dict, requested: list[str] | None) -> list[str]:
    held = str(subject.get("scope", "")).split() if subject["token_use"] == "access" \
        else ["openid"]
    if not requested:
        return held
    allowed = _client_scopes(store, client)
    granted = [s for s in dict.fromkeys(requested) if s in held and s in allowed]
    if not granted:
        raise invalid("None of the requested scopes is held by the subject token and allowed "
                      f"for client {client['ClientId']}.")
    return granted


def _access_claims(subject: dict, user: dict | None, client: dict, scopes: list[str],
                   audience: str | None) -> dict:
    claims = {"sub": subject["sub"]}
    for name in _IDENTITY_CLAIMS:
        if name in subject:
            claims[name] = subject[name]
    claims.update({"iss": subject["iss"], "client_id": client["ClientId"]})
    if audience is not None:
        claims["aud"] = audience
    for name in ("origin_jti", "event_id", "version"):
        if name in subject:
            claims[name] = subject[name]
    claims.update({"token_use": "access", "scope": " ".join(scopes),
                   "auth_time": subject.get("auth_time", subject.get("iat"))})
    if user is not None:
        claims["username"] = user["Username"]
    return claims


def _id_claims(subject: dict, user: dict, client: dict, audience: str | None) -> dict:
    claims = {"sub": subject["sub"]}
    for name in ("cognito:groups", "cognito:roles", "cognito:preferred_role"):
        if name in subject:
            claims[name] = subject[name]
    claims.update(tokens.id_attributes(client, user["Attributes"]))
    claims.update({"iss": subject["iss"], "cognito:username": user["Username"]})
    if "origin_jti" in subject:
        claims["origin_jti"] = subject["origin_jti"]
    claims["aud"] = audience if audience is not None else client["ClientId"]
    if "event_id" in subject:
        claims["event_id"] = subject["event_id"]
    claims.update({"token_use": "id", "auth_time": subject.get("auth_time", subject.get("iat"))})
    return claims


def _act(subject: dict, actor: dict | None) -> dict | None:
    if actor is None:
        return subject.get("act")  # an earlier delegation stays on record
    act: dict = {"sub": actor["sub"]}
    if "act" in subject:
        act["act"] = subject["act"]
    return act

