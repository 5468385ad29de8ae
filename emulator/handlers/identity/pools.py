"""Identity pools (cognito-identity): CreateIdentityPool, DescribeIdentityPool,
UpdateIdentityPool, DeleteIdentityPool, ListIdentityPools."""
from ...api import model
from ...api.registry import operation
from ...domain.identity import pools


@operation("CreateIdentityPool", service=model.IDENTITY_SERVICE)
def create_identity_pool(ctx, params):
    return pools.create(ctx, params)


@operation("DescribeIdentityPool", service=model.IDENTITY_SERVICE)
def describe_identity_pool(ctx, params):
    return pools.require(ctx.store, params["IdentityPoolId"])


@operation("UpdateIdentityPool", service=model.IDENTITY_SERVICE)
def update_identity_pool(ctx, params):
    return pools.update(ctx, params)


@operation("DeleteIdentityPool", service=model.IDENTITY_SERVICE)
def delete_identity_pool(ctx, params):
    pools.delete(ctx.store, params["IdentityPoolId"])
    return {}


@operation("ListIdentityPools", service=model.IDENTITY_SERVICE)
def list_identity_pools(ctx, params):
    items, next_token = pools.page(ctx, token=params.get("NextToken"),
                                   limit=params["MaxResults"])
    out: dict = {"IdentityPools": items}
    if next_token:
        out["NextToken"] = next_token
    return out
