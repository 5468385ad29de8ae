"""Emulator-only endpoints under /_emulator: health, operations, outbox, reset, clock."""
import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..api import model
from ..api.registry import implemented
from ..domain import outbox


async def health(request: Request):
    return JSONResponse({"status": "ok", "region": request.app.state.emu.settings.region})


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


async def clock(request: Request):
    """GET: the clock. POST {"pin": epoch|null} / {"advance": seconds} / {"release": true} /
    {"reset": true}."""
    c = request.app.state.emu.clock
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError
            if "pin" in body:
                c.pin(None if body["pin"] is None else float(body["pin"]))
            if "advance" in body:
                c.advance(float(body["advance"]))
            if body.get("release"):
                c.release()
            if body.get("reset"):
                c.reset()
        except (ValueError, TypeError):
            return JSONResponse({"__type": "InvalidParameterException",
                                 "message": 'Expected {"pin": epoch|null}, {"advance": seconds}, '
                                            '{"release": true} or {"reset": true}.'}, 400)
    return JSONResponse(c.state())


routes = [
    Route("/_emulator/health", health),
    Route("/_emulator/operations", operations),
    Route("/_emulator/messages", messages),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/clock", clock, methods=["GET", "POST"]),
]
