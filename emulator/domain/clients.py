"""App clients: the stored record is the UserPoolClientType DescribeUserPoolClient returns,
plus '_secrets' (every active secret, for rotation) which never leaves the server as such."""
import base64
import hashlib
import hmac

from ..errors import CognitoError, client_not_found
from ..store import AlreadyExists
from . import client_config, ids

KIND = "client"        # scope = pool id, key = client id
# scope "", key = client id -> {"poolId"}: unsigned calls name only the client
INDEX = "client_pool"

DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]


def get(store, pool_id: str, client_id: str) -> dict | None:
    return store.get(KIND, pool_id, client_id)


def require(store, pool_id: str, client_id: str) -> dict:
    client = get(store, pool_id, client_id)
    if client is None:
        raise client_not_found(client_id)
    return client


def find(store, client_id: str) -> dict | None:
    """The client with this id in whichever pool holds it (for calls that give only ClientId)."""
    ref = store.get(INDEX, "", client_id)
    return get(store, ref["poolId"], client_id) if ref else None


def require_any(store, client_id: str) -> dict:
    client = find(store, client_id)
    if client is None:
        raise client_not_found(client_id)
    return client


def save(store, client: dict) -> None:
    store.put(KIND, client["UserPoolId"], client["ClientId"], client)
    store.put(INDEX, "", client["ClientId"], {"poolId": client["UserPoolId"]})


def delete(store, client: dict) -> None:
    store.delete(KIND, client["UserPoolId"], client["ClientId"])
    store.delete(INDEX, "", client["ClientId"])


def public(client: dict) -> dict:
    # ClientType: REGULAR for every client not made by dynamic client registration, which
    # the emulator has none of (UserPoolClientType.ClientType); records of older versions
    # lack it, so it is filled in here rather than stored.
    out = {k: v for k, v in client.items() if not k.startswith("_")}
    out.setdefault("ClientType", "REGULAR")
    return out


def secrets(client: dict) -> list[str]:
    """Every secret that currently authenticates this client."""
    values = [s["value"] for s in client.get("_secrets", [])]
    if not values and client.get("ClientSecret"):
        values = [client["ClientSecret"]]
    return values


def has_secret(client: dict) -> bool:
    return bool(secrets(client))


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(client: dict, given: str | None, usernames) -> None:
    """SECRET_HASH must be HMAC(secret, username + client id) for one of the accepted
    usernames (the typed name, the canonical name, the sub...) and any active secret."""
    if not has_secret(client):
        return
    cid = client["ClientId"]
    if not given:
        raise CognitoError("NotAuthorizedException",
                           f"Client {cid} is configured for secret but secret was not received")
    for secret in secrets(client):
        for name in usernames:
            if name and hmac.compare_digest(secret_hash(secret, name, cid), given):
                return
    raise CognitoError("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")


def prevents_existence_errors(client: dict) -> bool:
    """PreventUserExistenceErrors=ENABLED: unknown users look like wrong passwords."""
    return client.get("PreventUserExistenceErrors") == "ENABLED"


def flows(client: dict) -> list[str]:
    return client.get("ExplicitAuthFlows") or DEFAULT_FLOWS


# --- lifecycle (CreateUserPoolClient ... DeleteUserPoolClient); settings in client_config -----

MAX_SECRETS = 2  # active secrets per client (AddUserPoolClientSecret documentation)


def _new_secret(client_id: str, existing: list[dict], now: float, value: str | None) -> dict:
    # ClientSecretId is documented as <client-id>--<epoch-create-time>; milliseconds, bumped
    # when two secrets share a millisecond so that ids stay unique.
    taken = {s["id"] for s in existing}
    stamp = int(now * 1000)
    while f"{client_id}--{stamp}" in taken:
        stamp += 1
    return {"id": f"{client_id}--{stamp}", "value": value or ids.client_secret(),
            "created": now, "generated": value is None}


def _sync_secret(client: dict) -> None:
    """ClientSecret (Describe) shows the oldest active secret."""
    active = client.get("_secrets") or []
    if active:
        client["ClientSecret"] = active[0]["value"]
    else:
        client.pop("ClientSecret", None)


def create_client(ctx, pool: dict, params: dict, client_id: str | None = None,
                  client_secret: str | None = None) -> dict:
    """Create and store an app client from CreateUserPoolClient parameters; returns the
    record. `client_id` / `client_secret` fix the id and secret (seed files); a given
    `client_secret` (or params ClientSecret) implies a confidential client."""
    secret_value = client_secret or params.get("ClientSecret")
    wants_secret = bool(params.get("GenerateSecret")) or secret_value is not None
    now = ctx.now()
    config = client_config.settings(pool, params, has_secret=wants_secret, updating=False,
                                    store=ctx.store)
    for _ in range(10):
        new_id = client_id or ids.client_id()
        record = {"UserPoolId": pool["Id"], "ClientName": params["ClientName"],
                  "ClientId": new_id, "LastModifiedDate": now, "CreationDate": now, **config}
        record["_secrets"] = [_new_secret(new_id, [], now, secret_value)] if wants_secret else []
        _sync_secret(record)
        try:
            # The index entry is the service-wide uniqueness check for client ids.
            ctx.store.insert(INDEX, "", new_id, {"poolId": pool["Id"]})
        except AlreadyExists:
            if client_id:
                raise CognitoError("InvalidParameterException",
                                   f"User pool client {client_id} already exists.") from None
            continue
        save(ctx.store, record)
        return record
    raise CognitoError("InternalErrorException", "Could not allocate a client id.", 500)


def update_client(ctx, pool: dict, client: dict, params: dict) -> dict:
    """UpdateUserPoolClient: settings left out go back to their defaults; the name is kept
    when not given; secrets are never touched."""
    config = client_config.settings(pool, params, has_secret=has_secret(client), updating=True,
                                    store=ctx.store)
    record = {k: v for k, v in client.items() if k not in client_config.SETTINGS}
    record.update(config)
    if params.get("ClientName"):
        record["ClientName"] = params["ClientName"]
    record["LastModifiedDate"] = ctx.now()
    save(ctx.store, record)
    return record


def list_clients(store, pool_id: str, *, after: str | None,
                 limit: int) -> tuple[list[dict], str | None]:
    """Clients of a pool in id order; returns (page, last id if more remain)."""
    rows = store.list(KIND, pool_id, after=after, limit=limit + 1)
    page = [client for _, client in rows[:limit]]
    more = len(rows) > limit
    return page, (page[-1]["ClientId"] if more and page else None)


def summary(client: dict) -> dict:
    """UserPoolClientDescription (ListUserPoolClients)."""
    return {"ClientId": client["ClientId"], "UserPoolId": client["UserPoolId"],
            "ClientName": client["ClientName"]}


def secret_descriptors(client: dict) -> list[dict]:
    """ListUserPoolClientSecrets: ids and dates, never values."""
    return [{"ClientSecretId": s["id"], "ClientSecretCreateDate": s["created"]}
            for s in client.get("_secrets") or []]


def add_secret(ctx, client: dict, value: str | None = None) -> tuple[dict, dict]:
    """Add an active secret (rotation). Returns (client, descriptor); the descriptor carries
    ClientSecretValue only when the emulator generated the value, as documented."""
    if not has_secret(client):
        # UNCONFIRMED wording: the operation is documented for confidential clients only.
        raise CognitoError("InvalidParameterException",
                           f"User pool client {client['ClientId']} does not have a client "
                           f"secret; secrets can only be added to a confidential app client.")
    active = list(client.get("_secrets") or [])
    if len(active) >= MAX_SECRETS:
        raise CognitoError("LimitExceededException",
                           f"User pool client {client['ClientId']} already has the maximum of "
                           f"{MAX_SECRETS} active client secrets.")
    secret = _new_secret(client["ClientId"], active, ctx.now(), value)
    client = {**client, "_secrets": active + [secret]}
    _sync_secret(client)
    save(ctx.store, client)
    descriptor = {"ClientSecretId": secret["id"]}
    if secret["generated"]:
        descriptor["ClientSecretValue"] = secret["value"]
    descriptor["ClientSecretCreateDate"] = secret["created"]
    return client, descriptor


def delete_secret(ctx, client: dict, secret_id: str) -> dict:
    active = list(client.get("_secrets") or [])
    remaining = [s for s in active if s["id"] != secret_id]
    if len(remaining) == len(active):
        # UNCONFIRMED wording.
        raise CognitoError("ResourceNotFoundException",
                           f"Client secret {secret_id} does not exist.")
    if not remaining:
        raise CognitoError("InvalidParameterException",
                           "You cannot delete the last remaining secret for an app client.")
    client = {**client, "_secrets": remaining}
    _sync_secret(client)
    save(ctx.store, client)
    return client
