"""The emulator's console pages (docs/CONSOLE.md), one module per page, all behind
`guard.console` (loopback or the console token, CSRF on every POST):

    GET  /_emulator/outbox              outbox.py       every email and SMS, as received
    GET  /_emulator/triggers            trigger_log.py  every Lambda trigger call
    GET|POST /_emulator/tokens          tokens.py       the token inspector

The index and the threat-protection history are web/risk_console.py, on the same layout
(layout.py) and guard."""
from starlette.routing import Route

from .outbox import outbox_page
from .tokens import token_page
from .trigger_log import trigger_page

routes = [
    Route("/_emulator/outbox", outbox_page, methods=["GET"]),
    Route("/_emulator/triggers", trigger_page, methods=["GET"]),
    Route("/_emulator/tokens", token_page, methods=["GET", "POST"]),
]
