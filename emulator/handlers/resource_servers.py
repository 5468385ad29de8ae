"""OAuth 2.0 resource servers: CreateResourceServer, DescribeResourceServer,
UpdateResourceServer, DeleteResourceServer, ListResourceServers."""
from ..api.registry import operation
from ..domain import resource_servers


@operation("CreateResourceServer")
def create_resource_server(ctx, params):
    pool = ctx.pool
    return {"ResourceServer": resource_servers.create(ctx.store, pool["Id"], params)}


@operation("DescribeResourceServer")
def describe_resource_server(ctx, params):
    pool = ctx.pool
    return {"ResourceServer": resource_servers.require(ctx.store, pool["Id"],
                                                       params["Identifier"])}


@operation("UpdateResourceServer")
def update_resource_server(ctx, params):
    pool = ctx.pool
    return {"ResourceServer": resource_servers.update(ctx.store, pool["Id"], params)}


@operation("DeleteResourceServer")
def delete_resource_server(ctx, params):
    pool = ctx.pool
    resource_servers.delete(ctx.store, pool["Id"], params["Identifier"])
    return {}


@operation("ListResourceServers")
def list_resource_servers(ctx, params):
    # The token is the identifier of the last server of the previous page (identifier order).
    pool = ctx.pool
    items, next_token = resource_servers.page(
        ctx.store, pool["Id"], after=params.get("NextToken"),
        limit=params.get("MaxResults", resource_servers.DEFAULT_PAGE))
    out = {"ResourceServers": items}
    if next_token:
        out["NextToken"] = next_token
    return out
