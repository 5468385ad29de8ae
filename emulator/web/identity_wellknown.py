"""Issuer documents of the identity pools' OpenID tokens: GET
/cognito-identity/.well-known/jwks_uri (Cognito's is
https://cognito-identity.amazonaws.com/.well-known/jwks_uri) and
/cognito-identity/.well-known/openid-configuration. Keys and issuer:
domain/identity/signing.py."""
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..domain.identity import signing
from .http import web_context


async def jwks(request: Request):
    ctx = web_context(request, signing.JWKS_PATH)
    with ctx.store.transaction():
        return JSONResponse(signing.jwks(ctx))


async def openid_configuration(request: Request):
    return JSONResponse(signing.discovery(request.app.state.emu.settings))


routes = [
    Route(signing.JWKS_PATH, jwks, methods=["GET"]),
    Route(signing.DISCOVERY_PATH, openid_configuration, methods=["GET"]),
]
