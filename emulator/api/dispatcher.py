"""The JSON 1.1 endpoint: X-Amz-Target -> (service, operation) -> validated params ->
handler -> JSON shaped by the service's model. Service-neutral: the target's prefix picks
the service (model.TARGETS), whose model validates and writes, whose handlers answer.

Every answer carries x-amzn-RequestId; every error is `{"__type", "message"}` with
the matching x-amzn-ErrorType header, so botocore, the JS SDK v3 and
amazon-cognito-identity-js all read the same code.
"""
import json
import logging
import uuid

from starlette.requests import Request
from starlette.responses import Response

from ..domain import clients
from ..domain.identity import iam_providers
from ..errors import CognitoError
from . import body as bodies
from . import calls, model, scope, sigv4
from .context import Context
from .registry import handler as handler_for
from .serialize import serialize
from .validation import ValidationFailure, validate

log = logging.getLogger("emulator.api")
CONTENT_TYPE = "application/x-amz-json-1.1"


def _json(status: int, body: dict, request_id: str, error: str | None = None) -> Response:
    headers = {"x-amzn-RequestId": request_id}
    if error:
        headers["x-amzn-ErrorType"] = error
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False), status,
                    headers=headers, media_type=CONTENT_TYPE)


def error_response(err: CognitoError, request_id: str) -> Response:
    return _json(err.status, {"__type": err.code, "message": err.message}, request_id, err.code)


async def handle(request: Request) -> Response:
    emu = request.app.state.emu
    request_id = str(uuid.uuid4())
    try:
        return await _handle(request, emu, request_id)
    except CognitoError as err:
        return error_response(err, request_id)
    except bodies.ClientGone:  # hung up mid-body: nobody is left to read an answer
        return Response(status_code=400)
    except Exception:  # a bug of ours: log it, never show the stack to the client
        log.exception("internal error (request %s)", request_id)
        return error_response(CognitoError("InternalErrorException",
                                           "An internal error occurred.", 500), request_id)


async def _handle(request: Request, emu, request_id: str) -> Response:
    body = await bodies.read(request, emu.settings.max_body_bytes, emu.settings.body_timeout)

    target = request.headers.get("x-amz-target", "")
    resolved = model.resolve_target(target)
    if resolved is None:
        raise CognitoError("UnknownOperationException",
                           f"Unknown operation {target or '(no X-Amz-Target header)'}.")
    service, op = resolved
    handler = handler_for(service, op)
    if handler is None:
        raise CognitoError(
            "NotImplementedException",
            f"{op} is not implemented by this Cognito emulator "
            f"(GET /_emulator/operations lists what is).")

    settings = emu.settings
    region, account = settings.region, settings.account_id
    signed = sigv4.parse(request.headers.get("authorization"))
    if signed:
        key_id, region = signed
        account = sigv4.account_for(key_id, account)
    elif not model.is_unsigned(op, service):
        raise CognitoError("MissingAuthenticationTokenException", "Missing Authentication Token")

    params = bodies.decode(body)
    try:
        validate(op, params, service)
    except ValidationFailure as failure:
        raise CognitoError(failure.error_type, failure.message) from None

    ctx = Context(emu=emu, operation=op, request_id=request_id, region=region, params=params,
                  account_id=account, source_ip=request.client.host if request.client else "",
                  headers=dict(request.headers), signed=bool(signed), sign_after_commit=[])
    threaded = _may_wait_outside(emu, op, params)
    result = await calls.call(threaded, _scoped, ctx, service, handler, params)
    return _json(200, serialize(op, result, service), request_id)


def _scoped(ctx, service: str, handler, params: dict) -> dict:
    """The handler, once the call's account and region have been settled (api/scope.py):
    a signed call sees only its own account's and region's pools."""
    scope.settle(ctx, service, params)
    return handler(ctx, params)


def _may_wait_outside(emu, op: str, params: dict) -> bool:
    """Whether the call may wait on something outside this process: it then runs in a
    worker thread (calls.call), so the server goes on answering others meanwhile. A Lambda
    function, a SAML MetadataURL download, an STS (GetCredentialsForIdentity with
    --sts-endpoint), an outside OIDC provider's keys (a login through the config file's
    `iam:` providers)."""
    settings = emu.settings
    if op == "GetCredentialsForIdentity" and settings.sts_endpoint is not None:
        return True
    return iam_providers.fetches_keys(settings, params.get("Logins")) or \
        _may_call_lambda(emu.store, params)


def _may_call_lambda(store, params: dict) -> bool:
    """Only pools with a LambdaConfig run functions. Calls that carry just an access token
    are assumed to; calls that name no pool at all (CreateUserPool...) never do.
    Create/UpdateIdentityProvider (the only calls with ProviderDetails) also take a worker
    thread when slow: a MetadataURL download (store suspended meanwhile) or, for a new SAML
    provider, generating its RSA key pair."""
    details = params.get("ProviderDetails")
    if isinstance(details, dict) and ("MetadataURL" in details
                                      or params.get("ProviderType") == "SAML"):
        return True
    pool_id = params.get("UserPoolId")
    if not isinstance(pool_id, str):
        client_id = params.get("ClientId")
        if not isinstance(client_id, str):
            return "AccessToken" in params
        ref = store.get(clients.INDEX, "", client_id)
        if ref is None:
            return False  # the handler answers "does not exist"
        pool_id = ref["poolId"]
    return calls.pool_runs_lambdas(store, pool_id)
