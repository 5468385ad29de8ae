"""Attributes for access control: SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap.

Stored per identity provider of the pool at kind pools.PRINCIPAL_TAGS_KIND, scope = pool id,
key = IdentityProviderName, as {"UseDefaults": bool, "PrincipalTags": {tag: claim}}. With
UseDefaults the stored PrincipalTags are the provider's default map (so whoever issues
credentials reads one map either way), taken from the developer guide's "Default provider
mappings": the client ID (aud) and the user ID (sub, Amazon's user_id), as the tags `client`
and `username` ("default (username and clientID) attribute mappings", the model's wording).
SAML and developer providers get no defaults here (UNCONFIRMED).
"""
from ...errors import invalid
from . import pools

_DEFAULT = {"username": "sub", "client": "aud"}
_DEFAULTS_BY_NAME = {"www.amazon.com": {"username": "user_id", "client": "aud"}}


def defaults_for(pool: dict, provider: str) -> dict:
    """The default principal-tag map of one of the pool's providers."""
    if provider in _DEFAULTS_BY_NAME:
        return dict(_DEFAULTS_BY_NAME[provider])
    if provider in pool.get("SamlProviderARNs", []) or provider == pool.get(
            "DeveloperProviderName"):
        return {}
    return dict(_DEFAULT)


def set_map(store, params: dict) -> dict:
    pool_id, provider = params["IdentityPoolId"], params["IdentityProviderName"]
    pool = _pool_with(store, pool_id, provider)
    use_defaults = bool(params.get("UseDefaults", False))
    tags = defaults_for(pool, provider) if use_defaults else dict(params.get("PrincipalTags")
                                                                  or {})
    record = {"UseDefaults": use_defaults, "PrincipalTags": tags}
    store.put(pools.PRINCIPAL_TAGS_KIND, pool_id, provider, record)
    return {"IdentityPoolId": pool_id, "IdentityProviderName": provider, **record}


def get_map(store, pool_id: str, provider: str) -> dict:
    """A provider never set answers UseDefaults false and no tags (UNCONFIRMED)."""
    _pool_with(store, pool_id, provider)
    record = pools.principal_tags_of(store, pool_id, provider) or {"UseDefaults": False,
                                                                  "PrincipalTags": {}}
    return {"IdentityPoolId": pool_id, "IdentityProviderName": provider, **record}


def _pool_with(store, pool_id: str, provider: str) -> dict:
    pool = pools.require(store, pool_id)
    if provider not in pools.token_provider_names(pool):
        # Wording UNCONFIRMED.
        raise invalid(f"{provider} is not a configured identity provider of identity pool "
                      f"{pool_id}.")
    return pool
