"""Assembles the ASGI application: the JSON API on POST /, issuer documents, /_emulator."""
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import handlers
from .api import body, dispatcher
from .config import Settings
from .domain import users
from .service import Emulator
from .web import (
    console,
    hosted_ui,
    identity_credentials,
    identity_wellknown,
    oauth,
    oidc_federation,
    passkey_demo,
    risk_console,
    risk_feedback,
    saml_metadata,
    saml_sso,
    ses,
    snapshots,
    test_idp,
    testing,
    ui_customization,
    user_import,
    wellknown,
)
from .web.mock_idps.routes import routes as mock_idp_routes


async def _not_found(request: Request, exc):
    return JSONResponse({"__type": "ResourceNotFoundException",
                         "message": f"No route for {request.method} {request.url.path}"},
                        status_code=getattr(exc, "status_code", 404))


async def _client_gone(request: Request, exc) -> Response:
    """The client hung up before its body was complete: nobody is left to answer."""
    return Response(status_code=400)


class _SyncWithStore:
    """Before each request: take over what other processes sharing the store changed (the
    clock, the cache generation; Emulator.sync: one point read, none in memory)."""

    def __init__(self, app, emu: Emulator):
        self.app, self.emu = app, emu

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.emu.sync()
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, emu: Emulator | None = None,
               seed=None) -> Starlette:
    """`seed(emu)` (optional) runs at start and again after each /_emulator/reset."""
    handlers.load_all()
    emu = emu or Emulator(settings or Settings(in_memory=True))
    users.ensure_indexes(emu.store)  # a data directory of an older emulator: fill the indexes
    if seed is not None:
        seed(emu)
    # oauth / hosted_ui: the user-pool domain's OAuth endpoints and hosted pages (the pool
    # comes from client_id, or from a Host such as <prefix>.auth.localhost:<port>).
    # identity_wellknown before wellknown: /{pool_id}/.well-known/... would take its paths.
    routes = [Route("/", dispatcher.handle, methods=["POST"]), *testing.routes, *snapshots.routes,
              *identity_wellknown.routes, *wellknown.routes,
              *ses.routes, *passkey_demo.routes, *oauth.routes, *hosted_ui.routes,
              *saml_sso.routes, *oidc_federation.routes, *saml_metadata.routes,
              *mock_idp_routes, *test_idp.routes, *risk_feedback.routes,
              *risk_console.routes, *console.routes, *user_import.routes,
              *identity_credentials.routes, *ui_customization.routes]
    # Browser SDKs call from pages on other origins; they need preflight answers
    # and to read the request id and error headers.
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                             allow_headers=["*"], max_age=600,
                             expose_headers=["x-amzn-RequestId", "x-amzn-ErrorType",
                                             "x-amzn-ErrorMessage", "Date"]),
                  Middleware(_SyncWithStore, emu=emu)]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={404: _not_found, 405: _not_found,
                                        body.ClientGone: _client_gone,
                                        ClientDisconnect: _client_gone})
    app.state.emu = emu
    app.state.seed = seed
    return app

