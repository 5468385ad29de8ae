"""User pools: the stored record is the UserPoolType that DescribeUserPool returns.

Fields starting with '_' are the emulator's own and never leave the server.
"""
from ..errors import CognitoError, pool_not_found
from ..store import AlreadyExists
from . import ids, pool_config

KIND = "pool"  # scope "" (pools are service-wide), key = pool id


def get(store, pool_id: str) -> dict | None:
    return store.get(KIND, "", pool_id)


def require(store, pool_id: str) -> dict:
    pool = get(store, pool_id)
    if pool is None:
        raise pool_not_found(pool_id)
    return pool


def save(store, pool: dict) -> None:
    store.put(KIND, "", pool["Id"], pool)


def owner(pool: dict) -> tuple[str, str]:
    """(account, region) the pool belongs to, as its Arn records them at creation
    (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)."""
    parts = pool["Arn"].split(":")
    return parts[4], parts[3]


def public(pool: dict) -> dict:
    return {k: v for k, v in pool.items() if not k.startswith("_")}


def pool_name(pool_id: str) -> str:
    """The part of the id after the first '_': SRP mixes it into every verifier."""
    return pool_id.split("_", 1)[1]


def case_sensitive(pool: dict) -> bool:
    # Pools created through the API without UsernameConfiguration are case sensitive.
    return pool.get("UsernameConfiguration", {}).get("CaseSensitive", True)


def username_attributes(pool: dict) -> list[str]:
    return pool.get("UsernameAttributes") or []


def alias_attributes(pool: dict) -> list[str]:
    return pool.get("AliasAttributes") or []


def schema(pool: dict) -> dict[str, dict]:
    return {a["Name"]: a for a in pool.get("SchemaAttributes", [])}


def password_policy(pool: dict) -> dict:
    return pool.get("Policies", {}).get("PasswordPolicy", {})


# --- lifecycle (CreateUserPool ... DeleteUserPool); settings and checks in pool_config --------

def create_pool(ctx, params: dict, pool_id: str | None = None) -> dict:
    """Create and store a pool from CreateUserPool parameters; returns the stored record.
    `pool_id` fixes the id (seed files); otherwise a fresh `<region>_<9 alnum>` is drawn."""
    pool_config.check_sign_in_attributes(params)
    pool_config.check_tags(params.get("UserPoolTags") or {})
    tier = params.get("UserPoolTier", pool_config.DEFAULT_TIER)
    now = ctx.now()
    record = {"Name": params["PoolName"],
              "LastModifiedDate": now, "CreationDate": now,
              "SchemaAttributes": pool_config.build_schema(params.get("Schema")),
              "UserPoolTags": dict(params.get("UserPoolTags") or {}),
              "UserPoolTier": tier}
    record.update(pool_config.settings(params, tier))
    for key in ("AliasAttributes", "UsernameAttributes"):
        if params.get(key):
            record[key] = list(dict.fromkeys(params[key]))
    if params.get("UsernameConfiguration") is not None:
        record["UsernameConfiguration"] = {
            "CaseSensitive": bool(params["UsernameConfiguration"]["CaseSensitive"])}
    for _ in range(10):
        new_id = pool_id or ids.pool_id(ctx.region)
        region = new_id.split("_", 1)[0]
        record = {**record, "Id": new_id,
                  "Arn": ids.pool_arn(region, ctx.account_id, new_id)}
        try:
            ctx.store.insert(KIND, "", new_id, record)
            return record
        except AlreadyExists:
            if pool_id:
                raise CognitoError("InvalidParameterException",
                                   f"User pool {pool_id} already exists.") from None
    raise CognitoError("InternalErrorException", "Could not allocate a user pool id.", 500)


def update_pool(ctx, pool: dict, params: dict) -> dict:
    """UpdateUserPool: every resettable setting the request leaves out goes back to its
    default (see pool_config.RESETTABLE); identity, schema, sign-in attributes, username
    configuration, domains and the emulator's own '_' fields are kept."""
    tier = params.get("UserPoolTier", pool.get("UserPoolTier", pool_config.DEFAULT_TIER))
    config = pool_config.settings(params, tier)
    record = {k: v for k, v in pool.items() if k not in pool_config.RESETTABLE}
    record.update(config)
    record["UserPoolTier"] = tier
    if params.get("PoolName"):
        record["Name"] = params["PoolName"]
    if params.get("UserPoolTags") is not None:
        pool_config.check_tags(params["UserPoolTags"])
        record["UserPoolTags"] = dict(params["UserPoolTags"])
    record["LastModifiedDate"] = ctx.now()
    save(ctx.store, record)
    return record


def check_no_domain(pool: dict) -> None:
    """DeleteUserPool refuses while the pool has a prefix or custom domain (wording captured
    from the real service, hashicorp/terraform-provider-aws#16479)."""
    if pool.get("Domain") or pool.get("CustomDomain"):
        raise CognitoError("InvalidParameterException",
                           "User pool cannot be deleted. It has a domain configured that should "
                           "be deleted first.")


def list_pools(store, account: str, region: str, *, after: str | None,
               limit: int) -> tuple[list[dict], str | None]:
    """Pools of one account and region in id order; returns (page, last id if more remain).
    The region is the id's prefix; the account is read from each pool's Arn."""
    page: list[dict] = []
    while True:
        rows = store.list(KIND, "", prefix=f"{region}_", after=after, limit=limit + 1)
        for _, pool in rows:
            if owner(pool) != (account, region):
                continue
            if len(page) == limit:
                return page, page[-1]["Id"]
            page.append(pool)
        if len(rows) <= limit:
            return page, None
        after = rows[-1][0]


def describe(pool: dict, user_count: int) -> dict:
    """UserPoolType as DescribeUserPool shows it, with the current user count."""
    out = public(pool)
    out["EstimatedNumberOfUsers"] = user_count
    return out


def summary(pool: dict) -> dict:
    """UserPoolDescriptionType (ListUserPools)."""
    return {"Id": pool["Id"], "Name": pool["Name"], "LambdaConfig": pool.get("LambdaConfig", {}),
            "LastModifiedDate": pool["LastModifiedDate"], "CreationDate": pool["CreationDate"]}


def add_custom_attributes(ctx, pool: dict, attributes: list[dict]) -> dict:
    schema = [dict(a) for a in pool.get("SchemaAttributes", [])]
    pool_config.add_custom(schema, attributes)
    pool = {**pool, "SchemaAttributes": schema, "LastModifiedDate": ctx.now()}
    save(ctx.store, pool)
    return pool


def id_from_arn(arn: str) -> str | None:
    """The pool id a user-pool ARN names (arn:aws:cognito-idp:<region>:<account>:userpool/<id>),
    None when the ARN names something else."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "cognito-idp" \
            or not parts[5].startswith("userpool/"):
        return None
    return parts[5][len("userpool/"):] or None


def by_arn(store, arn: str) -> dict | None:
    """The pool an ARN names, if it exists under exactly that ARN (region and account too)."""
    pool_id = id_from_arn(arn)
    pool = get(store, pool_id) if pool_id else None
    return pool if pool is not None and pool.get("Arn") == arn else None
