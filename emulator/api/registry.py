"""Operation handlers register here, per AWS service; the dispatcher and
/_emulator/operations read it.

A handler takes (ctx, params) - params already validated against the service model - and
returns the output dict (written out by api/serialize.py). It raises CognitoError for
service errors.
"""
from collections.abc import Callable

from . import model
from .context import Context

Handler = Callable[[Context, dict], dict]
# botocore service name -> operation name -> handler
HANDLERS: dict[str, dict[str, Handler]] = {service: {} for service in model.TARGETS.values()}


def operation(name: str, service: str = model.SERVICE_NAME):
    if not model.has_operation(name, service):
        raise ValueError(f"{name} is not an operation of the {service} model")

    def register(fn: Handler) -> Handler:
        if name in HANDLERS[service]:
            raise ValueError(f"{name} registered twice")
        HANDLERS[service][name] = fn
        return fn
    return register


def handler(service: str, name: str) -> Handler | None:
    return HANDLERS[service].get(name)


def implemented(service: str = model.SERVICE_NAME) -> list[str]:
    return sorted(HANDLERS[service])
