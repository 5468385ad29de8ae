"""Tags on identity pools (cognito-identity's own TagResource, UntagResource,
ListTagsForResource, for arn:aws:cognito-identity:<region>:<account>:identitypool/<id>).
They live in the pool record's IdentityPoolTags, so DescribeIdentityPool shows them too."""
from ...api import model
from ...api.registry import operation
from ...domain.identity import pools


@operation("TagResource", service=model.IDENTITY_SERVICE)
def tag_resource(ctx, params):
    pool = pools.by_arn(ctx, params["ResourceArn"])
    tags = {**pool.get("IdentityPoolTags", {}), **params["Tags"]}
    pools.check_tags(tags)
    pools.save(ctx.store, {**pool, "IdentityPoolTags": tags})
    return {}


@operation("UntagResource", service=model.IDENTITY_SERVICE)
def untag_resource(ctx, params):
    pool = pools.by_arn(ctx, params["ResourceArn"])
    tags = {k: v for k, v in pool.get("IdentityPoolTags", {}).items()
            if k not in params["TagKeys"]}
    pools.save(ctx.store, {**pool, "IdentityPoolTags": tags})
    return {}


@operation("ListTagsForResource", service=model.IDENTITY_SERVICE)
def list_tags_for_resource(ctx, params):
    pool = pools.by_arn(ctx, params["ResourceArn"])
    return {"Tags": dict(pool.get("IdentityPoolTags", {}))}
