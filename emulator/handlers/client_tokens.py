"""Tokens an app client asks for itself: GetClientToken (machine-to-machine, the
client_credentials grant through the API) and GetDerivedToken (token exchange). The logic
lives in emulator.auth.client_tokens and emulator.auth.derived_tokens."""
from ..api.registry import operation
from ..auth import client_tokens, derived_tokens
from ..domain import clients, pools


@operation("GetClientToken")
def get_client_token(ctx, params):
    client = clients.require_any(ctx.store, params["ClientId"])
    pool = pools.require(ctx.store, client["UserPoolId"])
    try:
        client_tokens.authenticate(client, params["Secret"])
        granted = client_tokens.grant(ctx, pool, client, params.get("Scopes"))
    except client_tokens.Refused as err:
        raise client_tokens.api_error(err) from None
    return {"ClientAuthenticationResult": {"AccessToken": granted["access_token"],
                                           "ExpiresIn": granted["expires_in"],
                                           "TokenType": granted["token_type"]}}


@operation("GetDerivedToken")
def get_derived_token(ctx, params):
    client = clients.require_any(ctx.store, params["ClientId"])
    pool = pools.require(ctx.store, client["UserPoolId"])
    return derived_tokens.exchange(ctx, pool, client, params)
