"""Token operations: RevokeToken, GlobalSignOut, AdminUserGlobalSignOut,
GetTokensFromRefreshToken. The logic lives in emulator.auth.tokens."""
from ..api.registry import operation
from ..auth import tokens, user_admin
from ..domain import clients, pools, users
from ..errors import CognitoError


@operation("RevokeToken")
def revoke_token(ctx, params):
    client = clients.find(ctx.store, params["ClientId"])
    if client is None:
        # RevokeToken lists no ResourceNotFoundException; an unknown client is a failed
        # client authentication (OAuth invalid_client). Text UNCONFIRMED.
        raise CognitoError("UnauthorizedException",
                           f"User pool client {params['ClientId']} does not exist.")
    tokens.check_client_secret(client, params.get("ClientSecret"), "UnauthorizedException")
    tokens.revoke(ctx, client, params["Token"])
    return {}


@operation("GlobalSignOut")
def global_sign_out(ctx, params):
    pool, user, _ = ctx.caller
    tokens.global_sign_out(ctx, pool, user)
    return {}


@operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx, params):
    pool = ctx.pool
    user_admin.sign_out_everywhere(ctx, pool, users.require(ctx.store, pool, params["Username"]))
    return {}


@operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(ctx, params):
    client = clients.require_any(ctx.store, params["ClientId"])
    tokens.check_client_secret(client, params.get("ClientSecret"), "NotAuthorizedException")
    pool = pools.require(ctx.store, client["UserPoolId"])
    result = tokens.refresh(ctx, pool, client, params["RefreshToken"],
                            rotate=tokens.rotation_enabled(client),
                            device_key=params.get("DeviceKey"),
                            client_metadata=params.get("ClientMetadata"))
    return {"AuthenticationResult": result}
