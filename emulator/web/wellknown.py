"""Issuer documents: GET /{pool_id}/.well-known/jwks.json and .../openid-configuration.

Any Host serves them. The issuer in the discovery document is always the one the pool's
tokens carry (auth/tokens.issuer: the issuer style, and IssuerConfiguration in the aws style),
so a client that checks one against the other never sees two answers. Asked by an AWS host
name (`cognito-idp.<region>.amazonaws.com`, `issuer-cognito-idp...`; over --tls, with DNS
pointing those names here: docs/TLS.md), the document's URLs stay on the names the client used,
as AWS's do: jwks_uri on that host, the OAuth endpoints on the pool's domain when it has one.
"""
import re

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..api.context import Context
from ..auth import keys, tokens
from ..domain import domains, pools
from .http import web_context


def _pool_or_404(ctx: Context, pool_id: str):
    pool = pools.get(ctx.store, pool_id)
    if pool is None:
        return None, JSONResponse({"message": f"User pool {pool_id} does not exist."}, 404)
    return pool, None


async def jwks(request: Request):
    ctx = web_context(request, "/.well-known/jwks.json")
    pool, missing = _pool_or_404(ctx, request.path_params["pool_id"])
    if missing:
        return missing
    signing = keys.for_pool(ctx, pool)
    return JSONResponse({"keys": [signing.id.jwk, signing.access.jwk]})


# The AWS host names of the user-pool issuer (any region), any port.
_AWS_ISSUER_HOST = re.compile(r"^(?:issuer-)?cognito-idp\.[a-z0-9-]+\.amazonaws\.com(?::\d+)?$")


def discovery(settings, pool_id: str, pool: dict | None = None, *, scheme: str = "",
              host: str = "", domain: dict | None = None) -> dict:
    """The OpenID discovery document (reference §6.7). Endpoints point at this emulator,
    which serves the managed-login routes for every pool on its own base URL; the JWKS
    too, even when tokens carry the AWS-style issuer that no one can reach offline.

    `host` (the request's Host) an AWS issuer host: jwks_uri on `scheme://host`, and the
    OAuth endpoints on `domain` (the pool's domain record) when there is one."""
    base = settings.base_url
    jwks_uri = f"{base}/{pool_id}/.well-known/jwks.json"
    name = host.strip().lower()
    if _AWS_ISSUER_HOST.match(name):
        jwks_uri = f"{scheme}://{name}/{pool_id}/.well-known/jwks.json"
        if domain is not None:
            port = name.rsplit(":", 1)[1] if ":" in name else ""
            base = domains.hosted_ui_url(domain, pool_id.split("_", 1)[0])
            base = base.replace("https://", f"{scheme}://", 1) + (f":{port}" if port else "")
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": tokens.issuer(settings, pool or {"Id": pool_id}),
        "jwks_uri": jwks_uri,
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
    }


async def openid_configuration(request: Request):
    ctx = web_context(request, "/.well-known/openid-configuration")
    pool_id = request.path_params["pool_id"]
    pool, missing = _pool_or_404(ctx, pool_id)
    if missing:
        return missing
    found = domains.for_pool(ctx.store, pool)  # the custom domain wins (UNCONFIRMED)
    return JSONResponse(discovery(ctx.settings, pool_id, pool, scheme=request.url.scheme,
                                  host=request.headers.get("host", ""),
                                  domain=found[-1] if found else None))


routes = [
    Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
]
