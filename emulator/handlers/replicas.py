"""Multi-Region replication: CreateUserPoolReplica, UpdateUserPoolReplica,
DeleteUserPoolReplica, ListUserPoolReplicas (domain/replicas.py; the replica's Region is
served through api/scope.py)."""
from ..api.registry import operation
from ..domain import replicas


@operation("CreateUserPoolReplica")
def create_user_pool_replica(ctx, params):
    return {"UserPoolReplica": replicas.create(ctx, ctx.pool, params["RegionName"],
                                               params.get("UserPoolTags"))}


@operation("UpdateUserPoolReplica")
def update_user_pool_replica(ctx, params):
    return {"UserPoolReplica": replicas.update(ctx, ctx.pool, params["RegionName"],
                                               params["Status"])}


@operation("DeleteUserPoolReplica")
def delete_user_pool_replica(ctx, params):
    return {"UserPoolReplica": replicas.delete(ctx, ctx.pool, params["RegionName"])}


@operation("ListUserPoolReplicas")
def list_user_pool_replicas(ctx, params):
    page, next_token = replicas.list_page(ctx, ctx.pool, params.get("NextToken"))
    out = {"UserPoolReplicas": page}
    if next_token:
        out["NextToken"] = next_token
    return out
