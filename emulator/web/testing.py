"""Emulator-only endpoints under /_emulator: health, operations, outbox, reset, clock, sweep,
and the local CA certificate of the --tls listener (ca.pem)."""
import math
import os

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import sweep as sweeping
from ..api import body as bodies
from ..api import model
from ..api.registry import implemented
from ..domain import outbox
from ..errors import CognitoError
from ..tls import CA_FILE


async def health(request: Request):
    # pid: which process answered (serve --workers N shares one port among N processes)
    return JSONResponse({"status": "ok", "region": request.app.state.emu.settings.region,
                         "pid": os.getpid()})


async def operations(request: Request):
    done = set(implemented())
    all_ops = model.operation_names()
    return JSONResponse({
        "implemented": sorted(done),
        "notImplemented": sorted(op for op in all_ops if op not in done),
        "counts": {"implemented": len(done), "model": len(all_ops)},
    })


async def messages(request: Request):
    q = request.query_params
    found = outbox.messages(request.app.state.emu.store, pool_id=q.get("poolId"),
                            username=q.get("username"), purpose=q.get("purpose"),
                            medium=q.get("medium"), destination=q.get("destination"))
    return JSONResponse({"messages": found})


async def reset(request: Request):
    emu = request.app.state.emu
    emu.reset()
    seed = request.app.state.seed
    if seed is not None:
        seed(emu)
    return JSONResponse({"status": "reset"})


async def sweep(request: Request):
    """POST: delete the expired records now (by the emulator's clock) -> {"deleted": {kind:
    count}}. GET: the background sweeper -> {"interval", "runs", "last"} (interval 0: off)."""
    emu = request.app.state.emu
    if request.method == "POST":
        return JSONResponse({"deleted": sweeping.sweep_expired(emu.store, emu.clock.now())})
    sweeper = emu.sweeper
    return JSONResponse({"interval": sweeper.interval if sweeper else 0,
                         "runs": sweeper.runs if sweeper else 0,
                         "last": sweeper.last if sweeper else {}})


async def clock(request: Request):
    """GET: the clock. POST {"pin": epoch|null} / {"advance": seconds} / {"release": true} /
    {"reset": true}."""
    c = request.app.state.emu.clock
    if request.method == "POST":
        settings = request.app.state.emu.settings
        try:
            body = bodies.decode(await bodies.read(request, settings.max_body_bytes,
                                                   settings.body_timeout))
        except CognitoError as err:  # not JSON, too large, too slow
            return JSONResponse({"__type": err.code, "message": err.message}, err.status)
        if not _well_formed(body, c.now()):
            return JSONResponse({"__type": "InvalidParameterException",
                                 "message": 'Expected {"pin": epoch|null}, {"advance": seconds}, '
                                            '{"release": true} or {"reset": true}, the clock '
                                            "staying between 1970 and 9999."}, 400)
        if "pin" in body:
            c.pin(body["pin"])
        if "advance" in body:
            c.advance(body["advance"])
        if body.get("release"):
            c.release()
        if body.get("reset"):
            c.reset()
    return JSONResponse(c.state())


async def ca_pem(request: Request):
    """The local CA certificate that signs the --tls listener's certificates (docs/TLS.md)."""
    settings = request.app.state.emu.settings
    path = settings.files_dir("tls") / CA_FILE if settings.tls else None
    if path is None or not path.is_file():
        return JSONResponse({"__type": "ResourceNotFoundException",
                             "message": "TLS is off: start the emulator with --tls (or "
                                        "COGNITO_EMULATOR_TLS=1) for an HTTPS listener and the "
                                        "CA certificate that signs it."}, 404)
    return Response(path.read_bytes(), media_type="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="ca.pem"'})


_LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z


def _well_formed(body, now: float) -> bool:
    """Seconds are finite JSON numbers, and the clock stays between 1970 and 9999: datetime,
    which token and record dates use, can't go further."""
    if not isinstance(body, dict):
        return False
    if body.get("pin") is not None:
        now = body["pin"]
        if not _seconds(now) or not 0 <= now <= _LAST_SECOND:
            return False
    if "advance" in body:
        advance = body["advance"]
        if not _seconds(advance) or not 0 <= now + advance <= _LAST_SECOND:
            return False
    return True


def _seconds(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


routes = [
    Route("/_emulator/health", health),
    Route("/_emulator/operations", operations),
    Route("/_emulator/messages", messages),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/clock", clock, methods=["GET", "POST"]),
    Route("/_emulator/sweep", sweep, methods=["GET", "POST"]),
    Route("/_emulator/ca.pem", ca_pem),
]
