"""GetCredentialsForIdentity: the identity's pool, its logins checked and linked, the role
(domain/identity/credentials.resolve_role), the pool's OpenID token, then credentials minted
locally or from the STS at --sts-endpoint."""
from ...api import model
from ...api.registry import operation
from ...auth import identity_logins
from ...domain.identity import credentials, identities, pools


@operation("GetCredentialsForIdentity", service=model.IDENTITY_SERVICE)
def get_credentials_for_identity(ctx, p):
    found = identities.find(ctx.store, p["IdentityId"])
    if found is None:
        raise identities.identity_not_found(p["IdentityId"])
    pool_id, _ = found
    pool = pools.require(ctx.store, pool_id)
    verified = identity_logins.verify(ctx, pool, p.get("Logins") or {})
    identity = identities.attach(ctx, pool, p["IdentityId"], verified)
    role_arn = credentials.resolve_role(pool, pools.roles_of(ctx.store, pool_id), verified,
                                        p.get("CustomRoleArn"))
    # Principal tags reach an STS as the OpenID token's https://aws.amazon.com/tags claim.
    tags = credentials.principal_tags(
        {name: pools.principal_tags_of(ctx.store, pool_id, name) for name in verified},
        verified)
    token = identities.open_id_token(ctx, pool, identity, verified, principal_tags=tags)
    issued = credentials.issue(ctx, pool, identity, role_arn, token, providers=list(verified),
                               tags=tags)
    return {"IdentityId": identity["IdentityId"], "Credentials": issued}
