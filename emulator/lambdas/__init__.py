"""Where a Lambda trigger's function runs.

    from emulator import lambdas
    result = lambdas.invoke(emu, "arn:aws:lambda:us-east-1:000000000000:function:define-auth",
                            event, timeout=5.0)

A function is found by its name (from an ARN or a bare name):
1. emu.settings.functions[name]: a Python handler (`path/file.py:handler`, `module:function`)
   or a Node.js handler (`file.js`, `file.mjs`), run in persistent worker processes (see
   workers.py) so a handler that crashes, leaks or hangs cannot take the emulator down;
2. else the Lambda Invoke API at emu.settings.lambda_endpoint (invoke_api.py);
3. else LambdaError("not_found").

Every failure is a LambdaError whose `kind` says what went wrong: not_found, function_error
(message = the function's own error message), timeout, invalid_response (the result could not
be turned into JSON), invoke_failed (the function could not be reached or started).
invoke() holds no store lock; callers wrap it in store.suspended().
"""
import atexit
import os
import re
import threading
import time
import weakref

from .errors import KINDS, LambdaError  # noqa: F401
from .specs import SpecError, parse, resolve_all  # noqa: F401

DEFAULT_TIMEOUT = 5.0   # Cognito's limit for a synchronous trigger; it can't be changed

_ARN = re.compile(r"^arn:[^:]+:lambda:(?P<region>[^:]*):(?P<account>[^:]*):function:"
                  r"(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$")
_PARTIAL = re.compile(r"^(?:(?P<account>\d{12}):function:)?(?P<name>[^:]+)"
                      r"(?::(?P<qualifier>[^:]+))?$")


def parse_function(function: str) -> dict:
    """ARN, partial ARN (`123456789012:function:name`) or bare name (each with an optional
    `:qualifier`) -> {name, qualifier, region, account} (missing parts are None)."""
    m = _ARN.match(function) or _PARTIAL.match(function)
    if m is None:
        raise LambdaError("not_found", f"not a Lambda function name or ARN: {function!r}")
    parts = m.groupdict()
    return {"name": parts["name"], "qualifier": parts.get("qualifier"),
            "region": parts.get("region") or None, "account": parts.get("account") or None}


def invoke(emu, function: str, event, *, timeout: float = DEFAULT_TIMEOUT):
    """Run the function with this event; return what it returned (decoded JSON: normally
    the event with `response` filled in, but any JSON value a function returns is passed
    through — the caller decides what is acceptable). Raises LambdaError."""
    fn = parse_function(function)
    settings = emu.settings
    region = fn["region"] or settings.region
    account = fn["account"] or settings.account_id
    arn = (function if function.startswith("arn:")
           else f"arn:aws:lambda:{region}:{account}:function:{fn['name']}"
                + (f":{fn['qualifier']}" if fn["qualifier"] else ""))
    spec_text = (settings.functions or {}).get(fn["name"])
    if spec_text is not None:
        # Paths in the config file are made absolute at start; its folder still goes on
        # sys.path for `module:function`.
        base_dir = os.path.dirname(os.path.abspath(settings.config)) if settings.config else None
        pool = _runners(emu).pool(fn["name"], spec_text, region, base_dir,
                                  _lambda_environment(settings))
        return pool.invoke(event, arn, timeout)
    if settings.lambda_endpoint:
        from . import invoke_api
        return invoke_api.invoke(settings.lambda_endpoint, fn["name"], fn["qualifier"], event,
                                 timeout=timeout, region=region, account=fn["account"])
    raise LambdaError("not_found", f"function {fn['name']} is not one of the emulator's "
                                   "functions (config `functions:`) and no --lambda-endpoint "
                                   "is set")


def shutdown(emu) -> None:
    """Stop every worker this emulator started (Emulator.close() and process exit)."""
    with _lock:
        runners = _registry.pop(emu, None)
    if runners is not None:
        runners.close()


class _Runners:
    """The worker pools of one emulator, one per (function name, spec)."""

    def __init__(self):
        self.pools: dict = {}
        self.lock = threading.Lock()
        self.closed = False

    def pool(self, name: str, spec_text: str, region: str, base_dir: str | None,
             extra_env: dict | None = None):
        key = (name, spec_text)
        pool = self.pools.get(key)
        if pool is not None:
            return pool
        with self.lock:
            if self.closed:
                raise LambdaError("invoke_failed", "the emulator is shutting down")
            pool = self.pools.get(key)
            if pool is None:
                pool = self.pools[key] = _new_pool(name, spec_text, region, base_dir,
                                                   extra_env)
            return pool

    def close(self) -> None:
        with self.lock:
            self.closed = True
            pools = list(self.pools.values())
        stopping = [w for pool in pools for w in pool.close()]
        deadline = time.monotonic() + 2.0
        for worker in stopping:
            worker.finish_stop(deadline)


def _lambda_environment(settings) -> dict:
    """What Lambda gives a function that the local environment may lack: credentials (of the
    execution role there; placeholders here) and, so that AWS SDKs in a handler reach the
    emulator for what it serves, endpoints for Cognito itself and SES v2 SendEmail (mail
    lands in the outbox). Variables the developer set keep their values."""
    env = {"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": settings.base_url,
           "AWS_ENDPOINT_URL_SESV2": settings.base_url}
    if "AWS_ACCESS_KEY_ID" not in os.environ:  # all three or none: never mix with real keys
        env.update({"AWS_ACCESS_KEY_ID": "ASIAEMULATORLAMBDA00",
                    "AWS_SECRET_ACCESS_KEY": "emulator-lambda-placeholder-secret",
                    "AWS_SESSION_TOKEN": "emulator-lambda-placeholder-session"})
    return env


def _new_pool(name: str, spec_text: str, region: str, base_dir: str | None,
              extra_env: dict | None = None):
    from .workers import WorkerPool
    try:
        spec = parse(spec_text, base_dir)
    except SpecError as exc:
        raise LambdaError("invoke_failed", f"function {name}: {exc}") from None
    if spec.kind == "node":
        from .node_runner import NodeLauncher
        launcher = NodeLauncher(name, spec)
    else:
        from .python_runner import PythonLauncher
        launcher = PythonLauncher(name, spec)
    return WorkerPool(launcher, region, extra_env=extra_env)


_lock = threading.Lock()
_registry: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _runners(emu) -> _Runners:
    runners = _registry.get(emu)
    if runners is None:
        with _lock:
            runners = _registry.get(emu)
            if runners is None:
                runners = _registry[emu] = _Runners()
    return runners


@atexit.register
def _shutdown_all() -> None:
    with _lock:
        everything = list(_registry.values())
        _registry.clear()
    for runners in everything:
        runners.close()
