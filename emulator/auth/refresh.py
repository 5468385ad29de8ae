"""REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens for a refresh token
(auth/tokens.py does the work; here the client's rules: no rotation, SECRET_HASH)."""
from __future__ import annotations

from ..domain import clients, pools
from ..errors import invalid
from . import tokens
from .shared import SignIn, accepted_names, required


def refresh_auth(signin: SignIn, auth: dict) -> dict:
    refresh_token = required(auth, "REFRESH_TOKEN")
    client = signin.client
    if tokens.rotation_enabled(client):
        # Cognito refuses this flow once rotation is on; wording UNCONFIRMED.
        raise invalid("Refresh token rotation is enabled for this client: "
                      "use GetTokensFromRefreshToken.")
    if clients.has_secret(client):
        given_hash = auth.get("SECRET_HASH")
        if not given_hash:
            clients.check_secret_hash(client, None, [])  # raises "...secret was not received"
        owner = tokens.refresh_owner(signin.ctx, signin.pool, refresh_token)
        if owner is not None:  # an unknown token is refused by tokens.refresh below
            # Which username Cognito hashes here is UNCONFIRMED: accept any name of the
            # token's user (canonical username, sub, the alias values it signs in with).
            names = accepted_names(auth.get("USERNAME"), owner)
            for attribute in pools.username_attributes(signin.pool) + \
                    pools.alias_attributes(signin.pool):
                names.append(owner["Attributes"].get(attribute))
            clients.check_secret_hash(client, given_hash, [n for n in names if n])
    result = tokens.refresh(signin.ctx, signin.pool, client, refresh_token,
                            device_key=auth.get("DEVICE_KEY"))
    return {"ChallengeParameters": {}, "AuthenticationResult": result}
