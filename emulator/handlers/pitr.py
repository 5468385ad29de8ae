"""Point-in-time recovery: InitiatePointInTimeRecovery, DescribePointInTimeRecovery,
ListPointInTimeRecoveries, StartPointInTimeRecovery, CancelPointInTimeRecovery."""
from ..api.registry import operation
from ..domain import pitr


@operation("InitiatePointInTimeRecovery")
def initiate_point_in_time_recovery(ctx, params):
    pool = ctx.pool
    return {"Restoration": pitr.public(pitr.initiate(ctx, pool, params["RestoreTimestamp"]))}


@operation("DescribePointInTimeRecovery")
def describe_point_in_time_recovery(ctx, params):
    pool = ctx.pool
    return {"Restoration": pitr.public(pitr.require(ctx, pool, params["RestoreId"]))}


@operation("ListPointInTimeRecoveries")
def list_point_in_time_recoveries(ctx, params):
    pool = ctx.pool
    page, token = pitr.list_page(ctx, pool, token=params.get("NextToken"),
                                 limit=params.get("MaxResults", pitr.DEFAULT_PAGE))
    out = {"Restorations": [pitr.summary(r) for r in page]}
    if token:
        out["NextToken"] = token
    return out


@operation("StartPointInTimeRecovery")
def start_point_in_time_recovery(ctx, params):
    # The restore runs in the background once this call commits.
    pool = ctx.pool
    return {"Restoration": pitr.public(pitr.start(ctx, pool,
                                                  pitr.require(ctx, pool, params["RestoreId"])))}


@operation("CancelPointInTimeRecovery")
def cancel_point_in_time_recovery(ctx, params):
    pool = ctx.pool
    return {"Restoration": pitr.public(pitr.cancel(ctx, pool,
                                                   pitr.require(ctx, pool, params["RestoreId"])))}
