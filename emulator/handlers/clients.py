"""App clients and their secrets: Create/Describe/Update/Delete/ListUserPoolClients,
AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret."""
from ..api.registry import operation
from ..domain import clients, lifecycle, risk_config

DEFAULT_PAGE = 60  # ListUserPoolClients without MaxResults (the model's maximum)


@operation("CreateUserPoolClient")
def create_user_pool_client(ctx, params):
    pool = ctx.pool
    client = clients.create_client(ctx, pool, params)
    return {"UserPoolClient": clients.public(client)}


@operation("DescribeUserPoolClient")
def describe_user_pool_client(ctx, params):
    ctx.check_pool()
    client = clients.require(ctx.store, params["UserPoolId"], params["ClientId"])
    return {"UserPoolClient": clients.public(client)}


@operation("UpdateUserPoolClient")
def update_user_pool_client(ctx, params):
    pool = ctx.pool
    client = clients.require(ctx.store, pool["Id"], params["ClientId"])
    client = clients.update_client(ctx, pool, client, params)
    return {"UserPoolClient": clients.public(client)}


@operation("DeleteUserPoolClient")
def delete_user_pool_client(ctx, params):
    ctx.check_pool()
    client = clients.require(ctx.store, params["UserPoolId"], params["ClientId"])
    lifecycle.delete_client(ctx.store, client)
    risk_config.delete_client(ctx.store, client["UserPoolId"], client["ClientId"])
    return {}


@operation("ListUserPoolClients")
def list_user_pool_clients(ctx, params):
    pool = ctx.pool
    if params.get("ClientType", "REGULAR") != "REGULAR":
        return {"UserPoolClients": []}  # the emulator has no dynamically registered clients
    # The token is the id of the last client of the previous page (clients in id order).
    page, next_token = clients.list_clients(ctx.store, pool["Id"], after=params.get("NextToken"),
                                            limit=params.get("MaxResults", DEFAULT_PAGE))
    out = {"UserPoolClients": [clients.summary(c) for c in page]}
    if next_token:
        out["NextToken"] = next_token
    return out


@operation("AddUserPoolClientSecret")
def add_user_pool_client_secret(ctx, params):
    ctx.check_pool()
    client = clients.require(ctx.store, params["UserPoolId"], params["ClientId"])
    _, descriptor = clients.add_secret(ctx, client, params.get("ClientSecret"))
    return {"ClientSecretDescriptor": descriptor}


@operation("ListUserPoolClientSecrets")
def list_user_pool_client_secrets(ctx, params):
    # At most two secrets exist, so there is never a next page (model documentation).
    ctx.check_pool()
    client = clients.require(ctx.store, params["UserPoolId"], params["ClientId"])
    return {"ClientSecrets": clients.secret_descriptors(client)}


@operation("DeleteUserPoolClientSecret")
def delete_user_pool_client_secret(ctx, params):
    ctx.check_pool()
    client = clients.require(ctx.store, params["UserPoolId"], params["ClientId"])
    clients.delete_secret(ctx, client, params["ClientSecretId"])
    return {}
