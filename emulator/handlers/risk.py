"""Threat protection operations: risk configuration, the user's auth events and feedback.
Logic in emulator/domain/risk_config.py and emulator/domain/threats.py."""
from ..api.registry import operation
from ..domain import clients, paging, risk_config, threats, users

DEFAULT_MAX_RESULTS = 60


def _pool(ctx, params) -> dict:
    pool = ctx.pool
    risk_config.require_add_on(pool)
    return pool


def _client_id(ctx, pool: dict, params) -> str | None:
    client_id = params.get("ClientId")
    if client_id:
        clients.require(ctx.store, pool["Id"], client_id)
    return client_id


@operation("SetRiskConfiguration")
def set_risk_configuration(ctx, params):
    pool = _pool(ctx, params)
    client_id = _client_id(ctx, pool, params)
    return {"RiskConfiguration": risk_config.set_config(ctx, pool, client_id, params)}


@operation("DescribeRiskConfiguration")
def describe_risk_configuration(ctx, params):
    pool = _pool(ctx, params)
    client_id = _client_id(ctx, pool, params)
    return {"RiskConfiguration": risk_config.describe(ctx.store, pool, client_id)}


@operation("AdminListUserAuthEvents")
def admin_list_user_auth_events(ctx, params):
    pool = _pool(ctx, params)
    user = users.require(ctx.store, pool, params["Username"])
    limit = params.get("MaxResults") or DEFAULT_MAX_RESULTS
    page, last = threats.list_events(ctx.store, pool, user,
                                     after=paging.after(params.get("NextToken")), limit=limit,
                                     now=ctx.now())
    out = {"AuthEvents": [threats.public_event(r) for r in page]}
    if last is not None:
        out["NextToken"] = paging.token(last)
    return out


@operation("AdminUpdateAuthEventFeedback")
def admin_update_auth_event_feedback(ctx, params):
    pool = _pool(ctx, params)
    user = users.require(ctx.store, pool, params["Username"])
    threats.set_feedback(ctx, pool, user, params["EventId"], params["FeedbackValue"],
                         provider="Admin")
    return {}


@operation("UpdateAuthEventFeedback")
def update_auth_event_feedback(ctx, params):
    pool = _pool(ctx, params)
    user = users.require(ctx.store, pool, params["Username"])
    # Provider for token feedback (the notice's one-click links) is UNCONFIRMED.
    threats.set_feedback(ctx, pool, user, params["EventId"], params["FeedbackValue"],
                         provider="Cognito", token=params["FeedbackToken"])
    return {}
