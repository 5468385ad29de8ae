"""Provisioned API rate limits: GetProvisionedLimit, UpdateProvisionedLimit. Per account and
Region (the caller's SigV4 scope); the logic lives in emulator.domain.provisioned_limits."""
from ..api.registry import operation
from ..domain import provisioned_limits


@operation("GetProvisionedLimit")
def get_provisioned_limit(ctx, params):
    return {"Limit": provisioned_limits.get(ctx.store, ctx.account_id, ctx.region,
                                            params["LimitDefinition"])}


@operation("UpdateProvisionedLimit")
def update_provisioned_limit(ctx, params):
    return {"Limit": provisioned_limits.update(ctx.store, ctx.account_id, ctx.region,
                                               params["LimitDefinition"],
                                               params["RequestedLimitValue"])}
