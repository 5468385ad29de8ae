"""OAuth 2.0 resource servers and their custom scopes (`<identifier>/<scope name>`).

Stored record (kind "resource_server", scope = pool id, key = identifier) is the
ResourceServerType that DescribeResourceServer returns:
    {"UserPoolId", "Identifier", "Name", "Scopes": [{"ScopeName", "ScopeDescription"}]}
"""
from ..errors import CognitoError, invalid, not_found
from ..store import AlreadyExists

KIND = "resource_server"
MAX_PER_POOL = 25  # Cognito quota: resource servers per user pool
DEFAULT_PAGE = 50  # ListResourceServers without MaxResults (the model's maximum)


def get(store, pool_id: str, identifier: str) -> dict | None:
    return store.get(KIND, pool_id, identifier)


def require(store, pool_id: str, identifier: str) -> dict:
    server = get(store, pool_id, identifier)
    if server is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Resource server {identifier} does not exist in user pool {pool_id}.")
    return server


def list_for_pool(store, pool_id: str) -> list[dict]:
    """Every resource server of the pool, in identifier order."""
    return [server for _, server in store.list(KIND, pool_id)]


def all_scopes(store, pool_id: str) -> set[str]:
    """Every custom scope the pool defines, as "<identifier>/<scope name>"."""
    return {scope_string(server["Identifier"], scope["ScopeName"])
            for server in list_for_pool(store, pool_id) for scope in server.get("Scopes", [])}


def scope_string(identifier: str, scope_name: str) -> str:
    return f"{identifier}/{scope_name}"


def create(store, pool_id: str, params: dict) -> dict:
    """CreateResourceServer."""
    if store.count(KIND, pool_id) >= MAX_PER_POOL:
        # Wording UNCONFIRMED.
        raise CognitoError("LimitExceededException",
                           f"The user pool {pool_id} already has the maximum number of "
                           f"{MAX_PER_POOL} resource servers.")
    record = _record(pool_id, params)
    try:
        store.insert(KIND, pool_id, record["Identifier"], record)
    except AlreadyExists:
        # Wording UNCONFIRMED.
        raise invalid(f"{record['Identifier']} already exists in user pool {pool_id}.") from None
    return record


def update(store, pool_id: str, params: dict) -> dict:
    """UpdateResourceServer: Name and Scopes are replaced; scopes left out are removed
    (documented: omitted values go back to their defaults)."""
    require(store, pool_id, params["Identifier"])
    record = _record(pool_id, params)
    store.put(KIND, pool_id, record["Identifier"], record)
    return record


def delete(store, pool_id: str, identifier: str) -> None:
    """DeleteResourceServer. App clients keep any scope strings they list; tokens can no
    longer carry scopes of a deleted server (all_scopes no longer has them)."""
    require(store, pool_id, identifier)
    store.delete(KIND, pool_id, identifier)


def page(store, pool_id: str, *, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """ListResourceServers: (page, last identifier if more remain)."""
    rows = store.list(KIND, pool_id, after=after, limit=limit + 1)
    items = [server for _, server in rows[:limit]]
    more = len(rows) > limit
    return items, (items[-1]["Identifier"] if more and items else None)


def _record(pool_id: str, params: dict) -> dict:
    scopes = [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]}
              for s in params.get("Scopes") or []]
    names = [s["ScopeName"] for s in scopes]
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        # Wording UNCONFIRMED.
        raise invalid(f"Duplicate scope names are not allowed: {duplicate}")
    return {"UserPoolId": pool_id, "Identifier": params["Identifier"], "Name": params["Name"],
            "Scopes": scopes}
