"""Tags on user pools: TagResource, UntagResource, ListTagsForResource. Tags live in the
pool record's UserPoolTags, so DescribeUserPool shows them too."""
from ..api.registry import operation
from ..domain import pool_config, pools
from ..errors import invalid, pool_not_found


def _pool(ctx, arn: str) -> dict:
    pool_id = pools.id_from_arn(arn)
    if pool_id is None:
        raise invalid(f"Invalid resource ARN {arn}: only user pools can be tagged.")
    pool = pools.by_arn(ctx.store, arn)
    if pool is None:
        raise pool_not_found(pool_id)
    return pool


@operation("TagResource")
def tag_resource(ctx, params):
    pool = _pool(ctx, params["ResourceArn"])
    tags = {**pool.get("UserPoolTags", {}), **params["Tags"]}
    pool_config.check_tags(tags)
    pools.save(ctx.store, {**pool, "UserPoolTags": tags})
    return {}


@operation("UntagResource")
def untag_resource(ctx, params):
    pool = _pool(ctx, params["ResourceArn"])
    tags = {k: v for k, v in pool.get("UserPoolTags", {}).items() if k not in params["TagKeys"]}
    pools.save(ctx.store, {**pool, "UserPoolTags": tags})
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx, params):
    pool = _pool(ctx, params["ResourceArn"])
    return {"Tags": dict(pool.get("UserPoolTags", {}))}
