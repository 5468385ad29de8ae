"""Identity providers: CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
DeleteIdentityProvider, ListIdentityProviders, GetIdentityProviderByIdentifier and
GetSigningCertificate."""
from ..api.registry import operation
from ..domain import identity_providers as providers
from ..domain import paging
from ..errors import not_found


@operation("CreateIdentityProvider")
def create_identity_provider(ctx, params):
    pool = ctx.pool
    return {"IdentityProvider": providers.public(providers.create(ctx, pool, params))}


@operation("DescribeIdentityProvider")
def describe_identity_provider(ctx, params):
    pool = ctx.pool
    record = providers.require(ctx.store, pool["Id"], params["ProviderName"])
    return {"IdentityProvider": providers.public(record)}


@operation("UpdateIdentityProvider")
def update_identity_provider(ctx, params):
    pool = ctx.pool
    return {"IdentityProvider": providers.public(providers.update(ctx, pool, params))}


@operation("DeleteIdentityProvider")
def delete_identity_provider(ctx, params):
    pool = ctx.pool
    providers.delete(ctx.store, pool, params["ProviderName"])
    return {}


@operation("ListIdentityProviders")
def list_identity_providers(ctx, params):
    pool = ctx.pool
    limit = params.get("MaxResults") or providers.DEFAULT_PAGE
    items, last = providers.page(ctx.store, pool["Id"], after=paging.after(params.get("NextToken")),
                                 limit=limit)
    out = {"Providers": items}
    if last:
        out["NextToken"] = paging.token(last)
    return out


@operation("GetIdentityProviderByIdentifier")
def get_identity_provider_by_identifier(ctx, params):
    pool = ctx.pool
    record = providers.by_identifier(ctx.store, pool["Id"], params["IdpIdentifier"])
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Identity provider with identifier {params['IdpIdentifier']} does "
                        f"not exist in user pool {pool['Id']}.")
    return {"IdentityProvider": providers.public(record)}


@operation("GetSigningCertificate")
def get_signing_certificate(ctx, params):
    pool = ctx.pool
    return {"Certificate": providers.signing_certificate(ctx, pool)}
