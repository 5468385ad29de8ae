"""The pool's SAML service-provider metadata, to import into an IdP.

Real Cognito publishes no SP metadata document: administrators type the entity id
(urn:amazon:cognito:sp:<poolId>) and ACS URL into their IdP and download the certificates
(GetSigningCertificate, ActiveEncryptionCertificate); third-party guides show how to write the
XML by hand. The emulator serves it under /_emulator instead, since it is emulator-only:

    GET /_emulator/saml/{pool_id}/metadata.xml                  entity id, ACS and logout URLs,
                                                                the pool's signing certificate
    GET /_emulator/saml/{pool_id}/{provider_name}/metadata.xml  the same plus that provider's
                                                                encryption certificate
"""
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..api import calls
from ..domain import identity_providers as providers
from ..domain import pools
from .http import web_context

MEDIA_TYPE = "application/samlmetadata+xml"


def _document(ctx, pool_id: str, provider_name: str | None) -> str | None:
    from saml.metadata import sp_metadata
    pool = pools.get(ctx.store, pool_id)
    if pool is None:
        return None
    encryption = None
    if provider_name is not None:
        provider = providers.get(ctx.store, pool_id, provider_name)
        if provider is None or provider.get("ProviderType") != providers.SAML:
            return None
        encryption = provider.get("_encryption_certificate")
    return sp_metadata(entity_id=providers.sp_entity_id(pool_id),
                       acs_url=providers.acs_url(ctx.settings),
                       logout_url=providers.logout_url(ctx.settings),
                       signing_certificate_pem=providers.signing_key(ctx, pool).certificate_pem,
                       encryption_certificate_pem=encryption)


async def metadata(request: Request):
    ctx = web_context(request, "/_emulator/saml/metadata.xml")
    pool_id = request.path_params["pool_id"]
    provider_name = request.path_params.get("provider_name")
    # A worker thread: the pool's signing key may be generated on first use.
    document = await calls.call(True, lambda c: _document(c, pool_id, provider_name), ctx)
    if document is None:
        what = (f"SAML identity provider {provider_name} in user pool {pool_id}"
                if provider_name is not None else f"User pool {pool_id}")
        return JSONResponse({"message": f"{what} does not exist."}, 404)
    # The pool id only: provider names may hold characters a header can't carry.
    return Response(document, media_type=MEDIA_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{pool_id}-sp.xml"'})


routes = [
    Route("/_emulator/saml/{pool_id}/metadata.xml", metadata, methods=["GET"]),
    Route("/_emulator/saml/{pool_id}/{provider_name:path}/metadata.xml", metadata, methods=["GET"]),
]
