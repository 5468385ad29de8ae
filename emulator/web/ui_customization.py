"""GET /_emulator/ui-customization/{pool_id}/{client_id}/logo: the classic hosted-UI logo that
GetUICustomization's ImageUrl points at (domain/branding.image_path). client_id ALL is the
pool-wide customization; a client without its own falls back to it, as the pages do."""
import base64

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..domain import branding


async def logo(request: Request):
    store = request.app.state.emu.store
    pool_id, client_id = request.path_params["pool_id"], request.path_params["client_id"]
    record = branding.ui_customization(store, pool_id, client_id)
    if not record or not record.get("ImageFile"):
        return JSONResponse({"__type": "ResourceNotFoundException",
                             "message": "No UI customization image for this pool and client."},
                            404)
    image = base64.b64decode(record["ImageFile"])
    return Response(image, media_type=branding.media_type(image),
                    headers={"Cache-Control": "no-cache"})


routes = [Route("/_emulator/ui-customization/{pool_id}/{client_id}/logo", logo)]
