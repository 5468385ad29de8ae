"""POST /_emulator/snapshot and /_emulator/restore: save the whole store to a file on the
emulator's machine and load it back (Store.snapshot/restore; docs/ARCHITECTURE.md, Store).

Body {"path": "/absolute/path"}: a path, not the bytes, because the suites that use this run
on the same host, and a file a test suite keeps can be restored again and again without
sending it. Answers {"path", "bytes"}. The file is written and read by the emulator's
process, so only loopback clients may ask (403 otherwise); a bad body is 400, a missing file
404, a file that is not a snapshot of this backend (or that cannot be written) 400. The work
runs in a worker thread: other requests go on meanwhile (a restore waits for running
transactions and then replaces everything at once). The clock is not part of a snapshot.
"""
import os

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..api import body as bodies
from ..domain import hosts
from ..errors import CognitoError
from ..store.base import SnapshotError


def _refusal(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"__type": code, "message": message}, status)


async def _path(request: Request) -> str | JSONResponse:
    """The body's absolute "path", or the answer refusing the request."""
    if request.client is None or not hosts.is_loopback(request.client.host):
        return _refusal("NotAuthorizedException", "Snapshots read and write files on the "
                        "emulator's machine: only loopback clients may ask.", 403)
    settings = request.app.state.emu.settings
    try:
        body = bodies.decode(await bodies.read(request, settings.max_body_bytes,
                                               settings.body_timeout))
    except CognitoError as err:  # not JSON, too large, too slow
        return _refusal(err.code, err.message, err.status)
    path = body.get("path") if isinstance(body, dict) else None
    if not isinstance(path, str) or not os.path.isabs(path) or "\x00" in path:
        return _refusal("InvalidParameterException", 'Expected {"path": "/absolute/path"}: '
                        "a file on the emulator's machine.", 400)
    return path


async def snapshot(request: Request):
    path = await _path(request)
    if isinstance(path, JSONResponse):
        return path
    try:
        await anyio.to_thread.run_sync(request.app.state.emu.snapshot, path)
    except SnapshotError as exc:
        return _refusal("InvalidParameterException", str(exc), 400)
    return JSONResponse({"path": path, "bytes": os.path.getsize(path)})


async def restore(request: Request):
    path = await _path(request)
    if isinstance(path, JSONResponse):
        return path
    if not os.path.isfile(path):
        return _refusal("ResourceNotFoundException", f"no snapshot file at {path}", 404)
    try:
        await anyio.to_thread.run_sync(request.app.state.emu.restore, path)
    except SnapshotError as exc:
        return _refusal("InvalidParameterException", str(exc), 400)
    return JSONResponse({"path": path, "bytes": os.path.getsize(path)})


routes = [
    Route("/_emulator/snapshot", snapshot, methods=["POST"]),
    Route("/_emulator/restore", restore, methods=["POST"]),
]
