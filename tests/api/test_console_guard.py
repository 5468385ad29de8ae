"""Who may use the console (emulator/web/console/guard.py), over HTTP.

A client that is not on loopback: the app runs in this process under Starlette's TestClient
with `client=("192.0.2.10", 50000)`, so the guard sees exactly that peer address (as uvicorn
would pass it for a TCP peer). No forwarded header is involved: the guard never reads one,
and a test that relied on X-Forwarded-For would prove nothing. Loopback clients are the
same TestClient with 127.0.0.1. The start-up line and `--console off` are checked on a real
emulator process."""
import re

import httpx
import pytest
from starlette.testclient import TestClient

from emulator.app import create_app
from emulator.config import Settings
from tests.support.server import RunningServer

PAGES = ["/_emulator/", "/_emulator/outbox", "/_emulator/triggers", "/_emulator/tokens",
         "/_emulator/events?pool=us-east-1_Nope00000&user=x",
         "/_emulator/pool?pool=us-east-1_Nope00000", "/_emulator/users?pool=us-east-1_Nope00000",
         "/_emulator/user?pool=us-east-1_Nope00000&user=x",
         "/_emulator/user/action?pool=us-east-1_Nope00000&user=x&action=delete"]
FAR = ("192.0.2.10", 50000)
NEAR = ("127.0.0.1", 50000)


@pytest.fixture
def app():
    return create_app(Settings(in_memory=True))


def client(app, peer, host="127.0.0.1:9229") -> TestClient:
    return TestClient(app, base_url=f"http://{host}", client=peer)


def csrf_of(html: str) -> str:
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", PAGES)
def test_non_loopback_client_needs_the_token(app, path):
    far = client(app, FAR)
    refused = far.get(path)
    assert refused.status_code == 403
    assert "The console answers loopback clients only" in refused.text
    assert far.get(path, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403
    assert far.get(path, headers={"X-Console-Token": "wrong"}).status_code == 403
    token = app.state.emu.settings.console_token
    assert far.get(path, headers={"X-Console-Token": token}).status_code in (200, 404)
    assert client(app, NEAR).get(path).status_code in (200, 404)   # 404: no such pool
    # The emulator's other endpoints are not the console's.
    assert far.get("/_emulator/health").json()["status"] == "ok"


def test_token_in_the_query_once_then_a_cookie(app):
    far = client(app, FAR)
    token = app.state.emu.settings.console_token
    wrong = far.get("/_emulator/outbox", params={"token": token + "x"})
    assert wrong.status_code == 403
    assert wrong.text.count("Wrong console token.") == 1
    first = far.get("/_emulator/outbox", params={"token": token, "user": "ana"},
                    follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/_emulator/outbox?user=ana"      # token gone
    assert "samesite=strict" in first.headers["set-cookie"].lower()
    assert "httponly" in first.headers["set-cookie"].lower()
    assert token not in first.headers["set-cookie"]                       # an HMAC of it
    assert far.get("/_emulator/outbox", params={"user": "ana"}).status_code == 200
    assert far.get("/_emulator/tokens").status_code == 200


def test_loopback_client_with_a_foreign_host_is_refused(app):
    """DNS rebinding: a site whose name resolves to 127.0.0.1 reaches us from loopback."""
    rebound = client(app, NEAR, host="attacker.example:9229").get("/_emulator/")
    assert rebound.status_code == 403
    assert "DNS rebinding guard" in rebound.text
    for host in ("localhost:9229", "app.auth.localhost:9229", "[::1]:9229", "127.0.0.1:9229"):
        assert client(app, NEAR, host=host).get("/_emulator/").status_code == 200


def test_posts_need_the_csrf_token_and_our_origin(app):
    near = client(app, NEAR)
    form = near.get("/_emulator/tokens")
    assert form.headers["content-security-policy"].startswith("default-src 'none'")
    csrf = csrf_of(form.text)
    good = {"_csrf": csrf, "token": "a.b"}
    assert near.post("/_emulator/tokens", data=good).status_code == 400   # reached: not a JWT
    missing = near.post("/_emulator/tokens", data={"token": "a.b"})
    assert missing.status_code == 403
    assert "CSRF token is missing or stale" in missing.text
    altered = csrf[:-1] + ("1" if csrf.endswith("0") else "0")   # always a different token
    assert near.post("/_emulator/tokens", data={**good, "_csrf": altered}
                     ).status_code == 403
    # Another browser session (no cookie of ours) with this token: refused.
    assert client(app, NEAR).post("/_emulator/tokens", data=good).status_code == 403
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        refused = near.post("/_emulator/tokens", data=good, headers=headers)
        assert refused.status_code == 403, headers
    same = {"Origin": "http://127.0.0.1:9229", "Sec-Fetch-Site": "same-origin"}
    assert near.post("/_emulator/tokens", data=good, headers=same).status_code == 400
    # The threat-protection console's feedback form is guarded the same way.
    feedback = {"pool": "p", "user": "u", "event": "e", "value": "Valid"}
    assert near.post("/_emulator/events/feedback", data=feedback).status_code == 403
    assert near.post("/_emulator/events/feedback", data={**feedback, "_csrf": csrf}
                     ).status_code == 400                                  # reached: no pool


def test_malformed_tokens_get_a_message_not_a_500(app):
    near = client(app, NEAR)
    csrf = csrf_of(near.get("/_emulator/tokens").text)
    for token in ("", "x", "a.b.c", "e30.e30.sig", "W10.W10.x", "a.b.c.d.e", "%%%.%%%.%%%",
                  "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwOi8veC91cy1lYXN0LTFfYWJjIn0.", "é" * 20,
                  "x" * 20_000):
        answer = near.post("/_emulator/tokens", data={"_csrf": csrf, "token": token})
        assert answer.status_code in (200, 400), token
        assert 'id="error"' in answer.text or 'id="signature"' in answer.text


def test_console_off_and_the_printed_token():
    with RunningServer(["--in-memory", "--log-level", "warning",
                        "--console-token", "fixed-console-token"]) as running:
        printed = running.output()
        assert (f"console on {running.url}/_emulator/ (loopback; from other addresses: "
                f"{running.url}/_emulator/?token=fixed-console-token)") in printed
    with RunningServer(["--in-memory", "--log-level", "warning"],
                       env={"COGNITO_EMULATOR_CONSOLE": "off"}) as running:
        assert "console on" not in running.output()
        with httpx.Client(base_url=running.url) as http:
            assert http.get("/_emulator/").status_code == 404
            assert http.get("/_emulator/tokens").status_code == 404
            assert http.get("/_emulator/health").status_code == 200
