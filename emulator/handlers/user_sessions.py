"""Session tracking: Set/GetUserPoolSessionConfiguration,
Set/GetUserPoolClientSessionConfiguration, ListUserSessions, AdminListUserSessions,
RevokeUserSession, AdminRevokeUserSession. Configuration and SSO sessions live in
emulator.domain.user_sessions, token sessions in emulator.auth.tokens."""
from ..api.registry import operation
from ..auth import tokens
from ..domain import user_sessions, users


@operation("SetUserPoolSessionConfiguration")
def set_user_pool_session_configuration(ctx, params):
    return user_sessions.set_pool_config(ctx.store, ctx.pool, params)


@operation("GetUserPoolSessionConfiguration")
def get_user_pool_session_configuration(ctx, params):
    return user_sessions.pool_config(ctx.store, ctx.pool["Id"])


@operation("SetUserPoolClientSessionConfiguration")
def set_user_pool_client_session_configuration(ctx, params):
    return user_sessions.set_client_config(ctx.store, ctx.pool, params)


@operation("GetUserPoolClientSessionConfiguration")
def get_user_pool_client_session_configuration(ctx, params):
    return user_sessions.client_config(ctx.store, ctx.pool, params["ClientId"])


@operation("ListUserSessions")
def list_user_sessions(ctx, params):
    pool, user, claims = ctx.caller
    user_sessions.require_tracking(ctx.store, pool["Id"])
    return user_sessions.page(tokens.tracked_sessions(ctx, pool, user, current=claims),
                              params.get("NextToken"))


@operation("AdminListUserSessions")
def admin_list_user_sessions(ctx, params):
    pool = ctx.pool
    user = users.require(ctx.store, pool, params["Username"])
    user_sessions.require_tracking(ctx.store, pool["Id"])
    return user_sessions.page(tokens.tracked_sessions(ctx, pool, user),
                              params.get("NextToken"))


@operation("RevokeUserSession")
def revoke_user_session(ctx, params):
    pool, user, claims = ctx.caller
    user_sessions.require_tracking(ctx.store, pool["Id"])
    tokens.revoke_tracked(ctx, pool, user, params["SessionId"], current=claims,
                          linked=params.get("RevokeAssociatedSessions") == "LINKED")
    return {}


@operation("AdminRevokeUserSession")
def admin_revoke_user_session(ctx, params):
    # The session must be this user's: another user's session is "not found" for it.
    pool = ctx.pool
    user = users.require(ctx.store, pool, params["Username"])
    user_sessions.require_tracking(ctx.store, pool["Id"])
    tokens.revoke_tracked(ctx, pool, user, params["SessionId"],
                          linked=params.get("RevokeAssociatedSessions") == "LINKED")
    return {}
