"""Running one request's domain work: one store transaction, and a worker thread when a
Lambda function may be called. Shared by the JSON API dispatcher and the hosted UI / OAuth
endpoints, so both keep the same rules:

- an error rolls back everything the request wrote, except an error raised with
  commit=True (a counted wrong password, a used-up session or code): its writes are kept,
  then the error is raised;
- a request that may wait on a Lambda function runs in a worker thread, so the server keeps
  answering others meanwhile (the store lets them in while it waits: Store.suspended()).
"""
from __future__ import annotations

from collections.abc import Callable

import anyio

from ..domain import pools
from ..errors import CognitoError

_LIMITER: anyio.CapacityLimiter | None = None


def limiter() -> anyio.CapacityLimiter:
    global _LIMITER
    if _LIMITER is None:  # created lazily: it belongs to the running event loop
        _LIMITER = anyio.CapacityLimiter(64)
    return _LIMITER


def run(fn: Callable, ctx, *args, **kwargs):
    """fn(ctx, *args, **kwargs) inside one transaction (commit=True errors keep their writes).
    What the answer holds that is worked out only after the commit (a token's signature:
    Context.sign_after_commit) is finished here, outside the store's lock: transactions
    run one at a time, so the shorter they are the more calls go through."""
    kept: CognitoError | None = None
    with ctx.store.transaction():
        try:
            result = fn(ctx, *args, **kwargs)
        except CognitoError as err:
            if not err.commit:
                raise
            kept = err
    if kept is not None:
        raise kept
    if not ctx.sign_after_commit:  # None, or nothing was put off: the answer is final
        return result
    ctx.sign_after_commit.clear()
    return _finished(result)


def _finished(value):
    """The answer with each after-commit value (an object with `after_commit()`, e.g.
    auth/tokens.Unsigned) replaced by what it makes; dicts and lists walked (only answers
    that hold one)."""
    if isinstance(value, dict):
        return {k: _finished(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finished(v) for v in value]
    made = getattr(value, "after_commit", None)
    return made() if made is not None else value


def runs_lambdas(pool: dict | None) -> bool:
    """Only pools with a LambdaConfig call functions."""
    return bool(pool and pool.get("LambdaConfig"))


def pool_runs_lambdas(store, pool_id: str | None) -> bool:
    return pool_id is not None and runs_lambdas(pools.get(store, pool_id))


async def call(threaded: bool, fn: Callable, ctx, *args, **kwargs):
    """run() - in a worker thread when `threaded` (the work may wait on a Lambda function);
    inline otherwise, since the thread hop costs about a tenth of a sign-in."""
    if threaded:
        return await anyio.to_thread.run_sync(lambda: run(fn, ctx, *args, **kwargs),
                                              limiter=limiter())
    return run(fn, ctx, *args, **kwargs)
