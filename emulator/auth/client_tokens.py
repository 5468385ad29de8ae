"""Machine-to-machine access tokens: the one place that decides whether an app client may have
one and with which scopes. Two front ends call it - the client_credentials grant of
/oauth2/token (web/oauth/token.py, after its own client authentication) and GetClientToken
(handlers/client_tokens.py, after `authenticate`) - so both give the same token
(tokens.client_credentials_token) after the same checks:

1. the client may use the client_credentials flow (AllowedOAuthFlowsUserPoolClient and
   `client_credentials` in AllowedOAuthFlows) and has a secret;
2. the scopes: those asked for, each one a custom scope the client is allowed
   (AllowedOAuthScopes) whose resource server still defines it; none asked for = every such
   scope of the client; nothing at all = refused.

A refusal is a `Refused` carrying the OAuth error code (RFC 6749 5.2); `api_error` turns it
into the API's exception. GetClientToken's documentation names an ALLOW_CLIENT_TOKEN_AUTH
flow that the model's ExplicitAuthFlowsType enum doesn't have (validation refuses it), so
the emulator gates GetClientToken on the OAuth client_credentials flow, as the token endpoint
does (UNCONFIRMED). ClientMetadata (for a V3_0 pre token generation trigger) is not used:
neither front end runs the trigger for M2M tokens yet.
"""
import hmac

from ..domain import client_config, clients, resource_servers
from ..errors import CognitoError
from . import tokens

# OAuth error -> the API's exception (GetClientToken lists InvalidParameter and
# NotAuthorized). Which exception Cognito picks for each refusal is UNCONFIRMED: a flow
# the client may not use reads like InitiateAuth's "Auth flow not enabled for this client".
_API_CODES = {"invalid_client": "NotAuthorizedException",
              "unauthorized_client": "InvalidParameterException",
              "invalid_scope": "InvalidParameterException"}


class Refused(Exception):
    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error
        self.message = message


def api_error(err: Refused) -> CognitoError:
    return CognitoError(_API_CODES[err.error], err.message)


def authenticate(client: dict, secret: str) -> None:
    """GetClientToken's Secret: one of the client's active secrets (AddUserPoolClientSecret
    allows two). A client without a secret can't have M2M tokens at all. Messages
    UNCONFIRMED."""
    if not clients.has_secret(client):
        raise Refused("invalid_client",
                      f"Client {client['ClientId']} is not configured with a client secret.")
    if not any(hmac.compare_digest(s.encode(), secret.encode()) for s in clients.secrets(client)):
        raise Refused("invalid_client", f"Unable to verify secret for client {client['ClientId']}")


def allowed_scopes(store, client: dict) -> list[str]:
    """The custom scopes the client may put in an M2M token: its AllowedOAuthScopes that a
    resource server of the pool still defines (a deleted server's scopes drop out)."""
    custom = [s for s in client.get("AllowedOAuthScopes") or [] if "/" in s]
    if not custom:
        return []
    existing = resource_servers.all_scopes(store, client["UserPoolId"])
    return [s for s in custom if s in existing]


def grant(ctx, pool: dict, client: dict, requested: list[str] | None) -> dict:
    """The client_credentials answer {access_token, expires_in, token_type} for an
    authenticated client; `requested` None or empty = the client's scopes."""
    if not client_config.allows_flow(client, "client_credentials") \
            or not clients.has_secret(client):
        raise Refused("unauthorized_client",
                      f"Client {client['ClientId']} is not enabled for the client_credentials "
                      "flow.")
    allowed = allowed_scopes(ctx.store, client)
    if not requested:
        granted = allowed
    else:
        granted = list(dict.fromkeys(requested))
        refused = [s for s in granted if s not in allowed]
        if refused:
            raise Refused("invalid_scope",
                          f"Scope {refused[0]} is not allowed for client {client['ClientId']}.")
    if not granted:
        raise Refused("invalid_scope",
                      f"Client {client['ClientId']} has no custom scopes to grant.")
    return tokens.client_credentials_token(ctx, pool, client, granted)
