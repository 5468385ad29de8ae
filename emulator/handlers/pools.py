"""User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
ListUserPools, AddCustomAttributes, GetCSVHeader."""
from ..api.registry import operation
from ..domain import lifecycle, pool_config, pools, user_import, users
from ..errors import invalid


@operation("CreateUserPool")
def create_user_pool(ctx, params):
    pool = pools.create_pool(ctx, params)
    return {"UserPool": pools.describe(pool, users.count(ctx.store, pool["Id"]))}


@operation("DescribeUserPool")
def describe_user_pool(ctx, params):
    pool = ctx.pool
    return {"UserPool": pools.describe(pool, users.count(ctx.store, pool["Id"]))}


@operation("UpdateUserPool")
def update_user_pool(ctx, params):
    pool = ctx.pool
    pools.update_pool(ctx, pool, params)
    return {}


@operation("DeleteUserPool")
def delete_user_pool(ctx, params):
    pool = ctx.pool
    if pool.get("DeletionProtection") == "ACTIVE":
        # Wording captured from the real service (localstack/localstack#11947).
        raise invalid("The user pool cannot be deleted because deletion protection is "
                      "activated. Deletion protection must be inactivated first.")
    lifecycle.delete_pool(ctx.store, pool)
    # Files uploaded for import jobs that never ran live outside the store.
    user_import.forget_pool(ctx.settings, pool["Id"])
    return {}


@operation("ListUserPools")
def list_user_pools(ctx, params):
    # The token is the id of the last pool of the previous page; pools are listed in id
    # order, only those of the caller's account and region (api/scope.py).
    page, next_token = pools.list_pools(ctx.store, ctx.account_id, ctx.region,
                                        after=params.get("NextToken"),
                                        limit=params["MaxResults"])
    out = {"UserPools": [pools.summary(p) for p in page]}
    if next_token:
        out["NextToken"] = next_token
    return out


@operation("AddCustomAttributes")
def add_custom_attributes(ctx, params):
    pool = ctx.pool
    pools.add_custom_attributes(ctx, pool, params["CustomAttributes"])
    return {}


@operation("GetCSVHeader")
def get_csv_header(ctx, params):
    pool = ctx.pool
    return {"UserPoolId": pool["Id"],
            "CSVHeader": pool_config.csv_header(pool.get("SchemaAttributes", []))}
