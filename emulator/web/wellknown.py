"""Issuer documents: GET /{pool_id}/.well-known/jwks.json and .../openid-configuration."""
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..api.context import Context
from ..auth import keys
from ..domain import pools
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


def discovery(settings, pool_id: str) -> dict:
    """The OpenID discovery document (reference §6.7). Endpoints point at this emulator,
    which serves the managed-login routes for every pool on its own base URL; the JWKS
    too, even when tokens carry the AWS-style issuer that no one can reach offline."""
    base = settings.base_url
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": settings.issuer(pool_id),
        "jwks_uri": f"{base}/{pool_id}/.well-known/jwks.json",
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
    _, missing = _pool_or_404(ctx, pool_id)
    if missing:
        return missing
    return JSONResponse(discovery(ctx.settings, pool_id))


routes = [
    Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
]
