"""Federated identities of users (IAM): AdminLinkProviderForUser, AdminDisableProviderForUser.
The rules live in emulator/domain/federation.py."""
from ..api.registry import operation
from ..domain import federation


@operation("AdminLinkProviderForUser")
def admin_link_provider_for_user(ctx, params):
    pool = ctx.pool
    federation.link(ctx, pool, params["DestinationUser"], params["SourceUser"])
    return {}


@operation("AdminDisableProviderForUser")
def admin_disable_provider_for_user(ctx, params):
    pool = ctx.pool
    federation.disable(ctx, pool, params["User"])
    return {}
