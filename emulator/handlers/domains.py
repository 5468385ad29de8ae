"""User-pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
DeleteUserPoolDomain."""
from ..api.registry import operation
from ..domain import domains


@operation("CreateUserPoolDomain")
def create_user_pool_domain(ctx, params):
    pool = ctx.pool
    record = domains.create(ctx, pool, params)
    return domains.create_response(record)


@operation("DescribeUserPoolDomain")
def describe_user_pool_domain(ctx, params):
    return {"DomainDescription": domains.describe(ctx.store, params["Domain"], ctx.region)}


@operation("UpdateUserPoolDomain")
def update_user_pool_domain(ctx, params):
    pool = ctx.pool
    record = domains.update(ctx, pool, params)
    return domains.create_response(record)


@operation("DeleteUserPoolDomain")
def delete_user_pool_domain(ctx, params):
    pool = ctx.pool
    domains.delete(ctx, pool, params["Domain"])
    return {}
