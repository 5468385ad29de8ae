"""The emulator's console pages (docs/CONSOLE.md), one module per page, all behind
`guard.console` (loopback or the console token, CSRF on every POST):

    GET  /_emulator/pool                pools.py          a pool at a glance, its risk charts
    GET  /_emulator/users               users.py          search a pool's users (ListUsers)
    GET  /_emulator/user                user_page.py      one user, its events' timeline
    GET|POST /_emulator/user/action     admin_actions.py  confirm, then run an Admin* operation
    GET  /_emulator/outbox              outbox.py         every email and SMS, as received
    GET  /_emulator/triggers            trigger_log.py    every Lambda trigger call
    GET|POST /_emulator/tokens          tokens.py         the token inspector

The index and the threat-protection history are web/risk_console.py, on the same layout
(layout.py) and guard. Charts: charts.py; addresses of pools and users: links.py."""
from starlette.routing import Route

from .admin_actions import confirm_page, perform
from .outbox import outbox_page
from .pools import pool_page
from .tokens import token_page
from .trigger_log import trigger_page
from .user_page import user_page
from .users import users_page

routes = [
    Route("/_emulator/pool", pool_page, methods=["GET"]),
    Route("/_emulator/users", users_page, methods=["GET"]),
    Route("/_emulator/user", user_page, methods=["GET"]),
    Route("/_emulator/user/action", confirm_page, methods=["GET"]),
    Route("/_emulator/user/action", perform, methods=["POST"]),
    Route("/_emulator/outbox", outbox_page, methods=["GET"]),
    Route("/_emulator/triggers", trigger_page, methods=["GET"]),
    Route("/_emulator/tokens", token_page, methods=["GET", "POST"]),
]
