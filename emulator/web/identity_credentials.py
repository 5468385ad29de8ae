"""GET /_emulator/credentials: the AWS credentials GetCredentialsForIdentity issued, with the
role each got (domain/identity/credentials.py records them). Query: identityPoolId,
identityId (both optional)."""
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..domain.identity import credentials


async def issued(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    with store.transaction():
        found = credentials.recorded(store, pool_id=q.get("identityPoolId") or None,
                                     identity_id=q.get("identityId") or None)
    return JSONResponse({"credentials": found})


routes = [Route("/_emulator/credentials", issued)]
