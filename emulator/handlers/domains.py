"""User-pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
DeleteUserPoolDomain."""
from ..api.model import load_model
from ..api.registry import operation
from ..domain import domains, pools

# The model gives DomainType the prefix pattern ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$, yet the
# real service takes fully qualified custom domains ("auth.example.com") in the same member and
# applies the pattern itself, to prefix domains only, with its own message
# (domains._check_prefix). So the generic validator must not apply it. This runs when the
# handlers load, before any request is validated. (Better home: an override table in
# emulator/api/validation.py.)
load_model()["shapes"]["DomainType"].pop("pattern", None)


@operation("CreateUserPoolDomain")
def create_user_pool_domain(ctx, params):
    pool = pools.require(ctx.store, params["UserPoolId"])
    record = domains.create(ctx, pool, params)
    return domains.create_response(record)


@operation("DescribeUserPoolDomain")
def describe_user_pool_domain(ctx, params):
    return {"DomainDescription": domains.describe(ctx.store, params["Domain"], ctx.region)}


@operation("UpdateUserPoolDomain")
def update_user_pool_domain(ctx, params):
    pool = pools.require(ctx.store, params["UserPoolId"])
    record = domains.update(ctx, pool, params)
    return domains.create_response(record)


@operation("DeleteUserPoolDomain")
def delete_user_pool_domain(ctx, params):
    pool = pools.require(ctx.store, params["UserPoolId"])
    domains.delete(ctx, pool, params["Domain"])
    return {}
