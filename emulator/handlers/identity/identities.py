"""Identities of the identity-pool service (cognito-identity): GetId, GetOpenIdToken,
DescribeIdentity, ListIdentities, DeleteIdentities, UnlinkIdentity and the developer-
authenticated identity operations. Logins are checked by auth/identity_logins.verify;
records and tokens are domain/identity/identities.py's."""
from ...api import model
from ...api.registry import operation
from ...auth import identity_logins
from ...domain.identity import identities, pools
from ...errors import CognitoError

SERVICE = model.IDENTITY_SERVICE
# aws-cli #7652, amplify-js #9704: GetOpenIdToken on a pool with AllowClassicFlow false.
CLASSIC_FLOW_OFF = "Basic (classic) flow is not enabled, please use enhanced flow."


def _pool_and_identity(ctx, identity_id: str) -> tuple[dict, dict]:
    found = identities.find(ctx.store, identity_id)
    if found is None:
        raise identities.identity_not_found(identity_id)
    pool_id, identity = found
    return pools.require(ctx.store, pool_id), identity


@operation("GetId", service=SERVICE)
def get_id(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    verified = identity_logins.verify(ctx, pool, p.get("Logins") or {})
    return {"IdentityId": identities.get_or_create(ctx, pool, verified)["IdentityId"]}


@operation("GetOpenIdToken", service=SERVICE)
def get_open_id_token(ctx, p):
    pool, identity = _pool_and_identity(ctx, p["IdentityId"])
    # (aws-cli #7652 saw a pool made without the flag let the call through; pools here
    # store the flag's default, false, so such a pool refuses.)
    if not pool.get("AllowClassicFlow"):
        raise CognitoError("InvalidParameterException", CLASSIC_FLOW_OFF)
    verified = identity_logins.verify(ctx, pool, p.get("Logins") or {})
    identity = identities.attach(ctx, pool, identity["IdentityId"], verified)
    # "The OpenID token is valid for 10 minutes." (GetOpenIdToken, API reference)
    token = identities.open_id_token(ctx, pool, identity, verified, 600)
    return {"IdentityId": identity["IdentityId"], "Token": token}


@operation("DescribeIdentity", service=SERVICE)
def describe_identity(ctx, p):
    return identities.describe(_pool_and_identity(ctx, p["IdentityId"])[1])


@operation("ListIdentities", service=SERVICE)
def list_identities(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    return identities.page(ctx, pool, p["MaxResults"], p.get("NextToken"),
                           bool(p.get("HideDisabled")))


@operation("DeleteIdentities", service=SERVICE)
def delete_identities(ctx, p):
    return {"UnprocessedIdentityIds": identities.delete_many(ctx, p["IdentityIdsToDelete"])}


@operation("UnlinkIdentity", service=SERVICE)
def unlink_identity(ctx, p):
    pool, identity = _pool_and_identity(ctx, p["IdentityId"])
    verified = identity_logins.verify(ctx, pool, p["Logins"])
    names = [identity_logins.user_pool_provider(ctx.settings, n) or n
             for n in p["LoginsToRemove"]]
    identities.unlink(ctx, pool, identity, verified, names)
    return {}


@operation("GetOpenIdTokenForDeveloperIdentity", service=SERVICE)
def get_open_id_token_for_developer_identity(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    logins = dict(p["Logins"])
    developer = pool.get("DeveloperProviderName")
    user = logins.pop(developer, None) if developer else None
    verified = identity_logins.verify(ctx, pool, logins)
    if user is not None:
        verified[developer] = {"sub": user}
    identity = identities.for_developer(ctx, pool, p.get("IdentityId"), verified)
    token = identities.open_id_token(
        ctx, pool, identity, verified,
        p.get("TokenDuration") or identities.DEVELOPER_TOKEN_DURATION,
        principal_tags=p.get("PrincipalTags"))
    return {"IdentityId": identity["IdentityId"], "Token": token}


@operation("LookupDeveloperIdentity", service=SERVICE)
def lookup_developer_identity(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    return identities.lookup(ctx, pool, p.get("IdentityId"), p.get("DeveloperUserIdentifier"),
                             p.get("MaxResults"), p.get("NextToken"))


@operation("MergeDeveloperIdentities", service=SERVICE)
def merge_developer_identities(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    identities.developer_provider(pool, p["DeveloperProviderName"])
    merged = identities.merge(ctx, pool, p["SourceUserIdentifier"],
                              p["DestinationUserIdentifier"])
    return {"IdentityId": merged["IdentityId"]}


@operation("UnlinkDeveloperIdentity", service=SERVICE)
def unlink_developer_identity(ctx, p):
    pool = pools.require(ctx.store, p["IdentityPoolId"])
    identities.unlink_developer(ctx, pool, p["IdentityId"], p["DeveloperProviderName"],
                                p["DeveloperUserIdentifier"])
    return {}
