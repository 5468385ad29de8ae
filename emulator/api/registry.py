"""Operation handlers register here; the dispatcher and /_emulator/operations read it.

A handler takes (ctx, params) - params already validated against the service
model - and returns the output dict. It raises CognitoError for service errors.
"""
from collections.abc import Callable

from . import model
from .context import Context

Handler = Callable[[Context, dict], dict]
HANDLERS: dict[str, Handler] = {}


def operation(name: str):
    if name not in model.operation_names():
        raise ValueError(f"{name} is not an operation of the cognito-idp model")

    def register(fn: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"{name} registered twice")
        HANDLERS[name] = fn
        return fn
    return register


def implemented() -> list[str]:
    return sorted(HANDLERS)
