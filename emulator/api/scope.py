"""Accounts and regions kept apart: which account and region an API call acts in, and the
one check that a signed call sees only what belongs to them (as in AWS, and LocalStack).

- A signed call's account is its access key id when that is 12 digits, else the default
  account (settings.account_id, 000000000000); its region is the credential scope's
  (sigv4.py, read by the dispatcher).
- Every user pool and identity pool belongs to the account and region that created it
  (domain/pools.owner: the pool's Arn; domain/identity/pools.owner: a record beside it; the
  region is also the id's prefix).
- `settle` runs first in the call's transaction. A signed call that names a pool of another
  account or region - by UserPoolId, IdentityPoolId, a ResourceArn, or (naming no pool) a
  ClientId or IdentityId - gets the very ResourceNotFoundException a missing one gets. The
  listings (ListUserPools, ListIdentityPools) filter the same way.
- Unsigned calls (InitiateAuth, SignUp... by ClientId; GetId, GetCredentialsForIdentity...)
  carry no account: as in AWS, the id they name finds the resource from anywhere. The call
  then acts in that resource's account and region (an OpenID token's ARN claim, the SAML
  recipient of a region), else in the default account and --region.
- A pool's replica (domain/replicas.py) is the one exception: a signed call by UserPoolId in
  a Region where the pool's account keeps a replica reads the primary's records there, for
  the operations a secondary serves (`_at_replica`).

Naming one resource per call is how both services' operations are shaped; DeleteIdentities,
which names several identities, skips those of other accounts itself
(domain/identity/identities.delete_many).
"""
from ..domain import clients, pools, replicas
from ..domain.identity import identities
from ..domain.identity import pools as identity_pools
from ..errors import client_not_found, not_found, pool_not_found
from . import model


def settle(ctx, service: str, params: dict) -> None:
    """Refuse a signed call's look-at of another account's or region's pool; give an
    unsigned call the account and region of the pool it names."""
    found = (_identity_owner if service == model.IDENTITY_SERVICE else _user_pool_owner)(
        ctx, params)
    if found is None:
        return
    owner, refusal = found
    if not ctx.signed or model.is_unsigned(ctx.operation, service):  # a header or not
        ctx.account_id, ctx.region = owner
    elif owner != (ctx.account_id, ctx.region) and not _at_replica(ctx, service, params):
        raise refusal


def _at_replica(ctx, service: str, params: dict) -> bool:
    """Whether a signed call made in a secondary Region of the pool its UserPoolId names is
    one that Region's replica serves (domain/replicas.admit: else OperationNotEnabledException).
    Its ctx.pool is then the replica's view of the primary's record: a replica is the
    primary's records read from another Region, never a copy."""
    pool_id = params.get("UserPoolId")
    if service == model.IDENTITY_SERVICE or not isinstance(pool_id, str):
        return False
    view = replicas.admit(ctx, pools.require(ctx.store, pool_id))
    if view is None:
        return False
    ctx.act_on(view)
    return True


def _user_pool_owner(ctx, params: dict):
    """((account, region), the error a missing resource gets) of the user pool a
    cognito-idp call names; None when it names none that exists."""
    store = ctx.store
    pool_id = params.get("UserPoolId")
    if not isinstance(pool_id, str) and isinstance(params.get("ResourceArn"), str):
        pool_id = pools.id_from_arn(params["ResourceArn"])
    if isinstance(pool_id, str):
        pool = pools.get(store, pool_id)
        return (pools.owner(pool), pool_not_found(pool_id)) if pool else None
    client_id = params.get("ClientId")
    if isinstance(client_id, str):
        client = clients.find(store, client_id)
        pool = pools.get(store, client["UserPoolId"]) if client else None
        return (pools.owner(pool), client_not_found(client_id)) if pool else None
    return None


def _identity_owner(ctx, params: dict):
    """The same for the identity pool a cognito-identity call names."""
    pool_id = params.get("IdentityPoolId")
    arn = params.get("ResourceArn")
    if not isinstance(pool_id, str) and isinstance(arn, str) and ":identitypool/" in arn:
        pool_id = arn.split(":identitypool/", 1)[1]
    if isinstance(pool_id, str):
        if identity_pools.get(ctx.store, pool_id) is None:
            return None
        return (identity_pools.owner(ctx, pool_id),
                not_found(f"IdentityPool '{pool_id}' not found."))
    identity_id = params.get("IdentityId")
    if isinstance(identity_id, str):
        found = identities.find(ctx.store, identity_id)
        if found is None:
            return None
        return (identity_pools.owner(ctx, found[0]),
                identities.identity_not_found(identity_id))
    return None
