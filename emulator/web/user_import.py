"""The pre-signed URL of a user import job: this emulator stands in for Amazon S3.

PUT /_emulator/user-import/<pool id>/<job id>?...&X-Amz-Signature=<token> takes the CSV, as
the DG's `curl -T file.csv -H "x-amz-server-side-encryption:aws:kms" <url>` or
`requests.put(url, data=..., headers={"x-amz-server-side-encryption": "aws:kms"})` sends it.
Refusals are S3's XML errors. GET .../log shows the job's per-row results, the lines Cognito
writes to CloudWatch Logs ("[FAILED] Line Number 3 - ...") - an emulator-only convenience.
"""
import uuid
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain import user_import


def _s3_error(refused: user_import.UploadRefused) -> Response:
    request_id = uuid.uuid4().hex[:16].upper()
    extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in refused.extra.items())
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{refused.code}</Code><Message>{escape(refused.message)}</Message>"
            f"{extra}<RequestId>{request_id}</RequestId><HostId>emulator</HostId></Error>")
    return Response(body, refused.status, media_type="application/xml",
                    headers={"x-amz-request-id": request_id})


async def upload(request: Request):
    emu = request.app.state.emu
    pool_id, job_id = request.path_params["pool_id"], request.path_params["job_id"]
    try:
        with emu.store.transaction():
            user_import.check_upload(emu.store, emu.clock.now(), pool_id, job_id,
                                     request.query_params.get("X-Amz-Signature"),
                                     request.headers.get("x-amz-server-side-encryption"))
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > user_import.MAX_FILE_BYTES:
            raise user_import.too_large()
        # Streamed to a file beside the job (not held in memory): up to 100 MB.
        receiver = user_import.receive(emu.settings, pool_id, job_id)
        try:
            async for chunk in request.stream():
                receiver.write(chunk)
        except BaseException:
            receiver.abort()
            raise
        with emu.store.transaction():
            md5 = user_import.record_upload(emu.store, emu.clock.now(), pool_id, job_id,
                                            receiver)
        if md5 is None:
            raise user_import.UploadRefused(403, "AccessDenied", "Access Denied")
    except user_import.UploadRefused as refused:
        return _s3_error(refused)
    return Response(b"", 200, headers={"ETag": f'"{md5}"',
                                       "x-amz-server-side-encryption": "aws:kms"})


async def results(request: Request):
    emu = request.app.state.emu
    lines = user_import.log_lines(emu.store, request.path_params["pool_id"],
                                  request.path_params["job_id"])
    if lines is None:
        return JSONResponse({"__type": "ResourceNotFoundException",
                             "message": "No such user import job."}, 404)
    return Response("".join(line + "\n" for line in lines), media_type="text/plain")


routes = [
    Route("/_emulator/user-import/{pool_id}/{job_id}", upload, methods=["PUT"]),
    Route("/_emulator/user-import/{pool_id}/{job_id}/log", results, methods=["GET"]),
]
