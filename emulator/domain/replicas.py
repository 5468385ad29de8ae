"""Multi-Region replication of user pools (Create/Update/Delete/ListUserPoolReplicas).

A replica is a view, not a copy: one record per secondary Region (kind `replica`) beside the
primary pool, which stays the one set of records. A signed call made in the replica's Region
(api/scope.py) reads the primary's records, so the replica is always in step with it. What the
model and the developer guide ("Multi-Region replication for user pools") say, and how:

- "Amazon Cognito creates separate user pools with a shared user pool ID": the replica has
  the primary's id; its ARN names its own Region (UserPoolReplicaType.UserPoolArn).
- Requires the Essentials or Plus feature plan (FeatureUnavailableInTierException on Lite) and
  a multi-Region customer managed KMS key (KeyConfigurationType: "You must use a multi-region
  key to enable multi-region replication"; KMS names those keys `mrk-...`).
- New secondaries start INACTIVE: "not accepting requests for end-users. Administrator
  configuration operations are supported". ACTIVE: both. UpdateUserPoolReplica sets
  ACTIVE or INACTIVE, from the primary's Region or the replica's.
- DeleteUserPoolReplica deletes only INACTIVE secondaries, called from the primary Region.
- ListUserPoolReplicas lists the primary (Role PRIMARY) and the secondaries (SECONDARY).
- The primary is "the authoritative source for administrative configuration and user
  directory write operations"; a secondary supports "only administrator operations that set
  configurations specific to the replica, and only end-user operations that do not create or
  change attributes of a user"; OperationNotEnabledException is "thrown when attempting to
  perform operations that are not supported in secondary replica regions" (`admit`).
- Tags: "You can maintain tags independently on replica user pools": the replica keeps the
  tags given at creation, and DescribeUserPool at the replica shows them.
"""
import re

from ..errors import CognitoError, invalid, not_found
from . import ids, pool_config, pools

KIND = "replica"  # scope = pool id, key = the secondary's Region

# UNCONFIRMED: the documentation names no number of secondaries per pool (the launch posts
# speak of "a secondary user pool"); LimitExceededException past this many.
MAX_SECONDARIES = 5
# UNCONFIRMED: ListUserPoolReplicas takes no MaxResults; a small page so that clients'
# pagination is exercised. The token is the Region listed last.
PAGE_SIZE = 2
# UNCONFIRMED: which Region names are accepted; AWS's form (us-east-1, ap-northeast-3,
# us-gov-west-1), checked by shape, not against a list of Regions.
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
# Operations a secondary serves: reads, in any status (UNCONFIRMED: which reads; the model
# lists none by name)...
_READ_PREFIXES = ("Describe", "List", "Get", "AdminGet", "AdminList")
# ... end-user sign-in through the admin API, only while ACTIVE ...
_END_USER = {"AdminInitiateAuth", "AdminRespondToAuthChallenge"}
# ... and the replica's own settings ("can be made in both primary and secondary regions").
_REPLICA_SETTINGS = {"UpdateUserPoolReplica"}


def get(store, pool_id: str, region: str) -> dict | None:
    return store.get(KIND, pool_id, region)


def arn(pool: dict, region: str) -> str:
    account, _ = pools.owner(pool)
    return ids.pool_arn(region, account, pool["Id"])


def primary_region(pool: dict) -> str:
    """The primary's Region: its id's prefix (`pool` may be a replica's view, whose Arn
    names the replica's Region)."""
    return pool["Id"].split("_", 1)[0]


def _not_enabled(message: str) -> CognitoError:
    return CognitoError("OperationNotEnabledException", message)


# --- the replica's Region (api/scope.py) ------------------------------------------------------

def admit(ctx, pool: dict) -> dict | None:
    """For a signed call made in another Region of the pool's account: the pool as the
    replica there shows it (its ARN and tags), when the operation is one a secondary serves.
    None when that Region holds no replica (the caller then gets the missing-pool error);
    OperationNotEnabledException when it does but the operation isn't served there."""
    account, primary = pools.owner(pool)
    replica = get(ctx.store, pool["Id"], ctx.region) if account == ctx.account_id else None
    if replica is None:
        return None
    op = ctx.operation
    # Wording UNCONFIRMED (all three refusals).
    if op in _END_USER and replica["Status"] != "ACTIVE":
        raise _not_enabled(f"The user pool replica in {ctx.region} is {replica['Status']}: "
                           "it does not accept requests for end-users.")
    if not (op.startswith(_READ_PREFIXES) or op in _END_USER or op in _REPLICA_SETTINGS):
        raise _not_enabled(f"{op} is not supported in a secondary Region of user pool "
                           f"{pool['Id']}; make the request in its primary Region, {primary}.")
    return {**pool, "Arn": replica["UserPoolArn"], "UserPoolTags": dict(replica["Tags"])}


def in_primary(ctx, pool: dict) -> None:
    """Create and Delete are made in the primary Region."""
    if ctx.region != primary_region(pool):
        raise _not_enabled(f"{ctx.operation} must be called from the primary Region of user "
                           f"pool {pool['Id']}, {primary_region(pool)}.")  # wording UNCONFIRMED


# --- the operations ---------------------------------------------------------------------------

def describe(replica: dict, status: str | None = None) -> dict:
    """UserPoolReplicaType."""
    return {"RegionName": replica["RegionName"], "Status": status or replica["Status"],
            "Role": "SECONDARY", "UserPoolArn": replica["UserPoolArn"]}


def _primary(pool: dict) -> dict:
    return {"RegionName": primary_region(pool), "Status": "ACTIVE", "Role": "PRIMARY",
            "UserPoolArn": arn(pool, primary_region(pool))}


def _secondary(ctx, pool: dict, region: str) -> dict:
    if region == primary_region(pool):
        raise invalid(f"{region} is the primary Region of user pool {pool['Id']}, "
                      "not a replica's.")  # wording UNCONFIRMED
    replica = get(ctx.store, pool["Id"], region)
    if replica is None:
        # Wording UNCONFIRMED.
        raise not_found(f"User pool {pool['Id']} has no replica in {region}.")
    return replica


def create(ctx, pool: dict, region: str, tags: dict | None) -> dict:
    """CreateUserPoolReplica. The replica is ready at once, INACTIVE; the answer says
    CREATING, as the real service's does while it copies (UNCONFIRMED: that the answer
    says CREATING rather than the status the replica has by the next call)."""
    in_primary(ctx, pool)
    if not _REGION.match(region):
        raise invalid(f"Invalid RegionName {region}.")  # UNCONFIRMED: checked, and wording
    if region == primary_region(pool):
        raise invalid(f"User pool {pool['Id']} is already in {region}: a replica must be in "
                      "another Region.")  # wording UNCONFIRMED
    if pool.get("UserPoolTier", pool_config.DEFAULT_TIER) == "LITE":
        raise CognitoError("FeatureUnavailableInTierException",
                           "Multi-Region replication requires the Essentials or Plus "
                           "feature plan.")  # wording UNCONFIRMED
    key = pool.get("KeyConfiguration") or {}
    if key.get("KeyType") != "CUSTOMER_MANAGED_KEY" or \
            not str(key.get("KmsKeyArn", "")).rsplit("/", 1)[-1].startswith("mrk-"):
        # UNCONFIRMED: the error code (the model's docs say only "must"), and wording.
        raise invalid("Multi-Region replication requires a multi-Region customer managed "
                      "KMS key in the user pool's KeyConfiguration.")
    if get(ctx.store, pool["Id"], region) is not None:
        # UNCONFIRMED: the error code (no ResourceExists error is listed), and wording.
        raise invalid(f"User pool {pool['Id']} already has a replica in {region}.")
    if ctx.store.count(KIND, pool["Id"]) >= MAX_SECONDARIES:
        raise CognitoError("LimitExceededException",
                           f"A user pool can have at most {MAX_SECONDARIES} replicas.")
    pool_config.check_tags(tags or {})
    replica = {"RegionName": region, "Status": "INACTIVE", "UserPoolArn": arn(pool, region),
               "Tags": dict(tags or {}), "CreationDate": ctx.now()}
    ctx.store.put(KIND, pool["Id"], region, replica)
    return describe(replica, "CREATING")


def update(ctx, pool: dict, region: str, status: str) -> dict:
    """UpdateUserPoolReplica: ACTIVE or INACTIVE, from either Region."""
    replica = {**_secondary(ctx, pool, region), "Status": status}
    ctx.store.put(KIND, pool["Id"], region, replica)
    return describe(replica)


def delete(ctx, pool: dict, region: str) -> dict:
    """DeleteUserPoolReplica: an INACTIVE secondary, from the primary Region. Gone at once;
    the answer says DELETING (UNCONFIRMED, as for Create)."""
    in_primary(ctx, pool)
    replica = _secondary(ctx, pool, region)
    if replica["Status"] != "INACTIVE":
        # UNCONFIRMED: the error code (InvalidParameterException, of those listed), wording.
        raise invalid(f"The replica in {region} is {replica['Status']}: only an INACTIVE "
                      "replica can be deleted.")
    ctx.store.delete(KIND, pool["Id"], region)
    return describe(replica, "DELETING")


def list_page(ctx, pool: dict, token: str | None) -> tuple[list[dict], str | None]:
    """ListUserPoolReplicas: the primary first, then the secondaries in Region order;
    (page, the token of the next page or None). A token is the Region listed last
    (UNCONFIRMED: one the pool has never had is accepted as a place in that order)."""
    page = [] if token else [_primary(pool)]
    rows = ctx.store.list(KIND, pool["Id"], after=token, limit=PAGE_SIZE + 1 - len(page))
    page += [describe(replica) for _, replica in rows]
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        return page, page[-1]["RegionName"]
    return page, None
