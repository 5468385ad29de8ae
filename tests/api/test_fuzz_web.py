"""Hostile input never breaks the web endpoints: every route of the app (the OAuth endpoints,
the hosted pages, SAML, /_emulator/*) gets malformed forms, missing and repeated fields, huge
values, bad percent-encodings and invalid UTF-8 in the query and the body, odd methods, content
types, Host headers and cookies; it answers 2xx, a redirect, or a 4xx page or JSON error; never
a 5xx, never a hang. The fuzzed pool reads back whole afterwards.

Not fuzzed: POST /_emulator/reset (wiping everything is what it is for; GET to it is).
CI runs a small fixed-seed sample; `scripts/fuzz --budget 600` runs longer (docs/FUZZING.md).
"""
from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from emulator.app import create_app
from tests.support import fuzz
from tests.support.factories import PASSWORD
from tests.support.fuzz import Api, Target
from tests.support.server import RunningServer

TALLY = fuzz.Tally("web")
EXAMPLES = 1000  # per round (CI: one round)
ROUTES = [(route.path, sorted(route.methods or ())) for route in create_app().routes]
EXTRA_PATHS = ["/oauth2/%ff", "/%", "/oauth2/authorize/..%2f..%2f", "/login%00", "//login",
               "/_emulator/saml/%ff%fe/metadata.xml", "/nope", "/" + "a" * 5000]

# The routes that read JSON, with a body each takes: mutated by fuzz.mutated.
JSON_BODIES = {
    "/v2/email/outbound-emails": {
        "FromEmailAddress": "a@example.com",
        "Destination": {"ToAddresses": ["b@example.com"], "CcAddresses": [], "BccAddresses": []},
        "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {
            "Text": {"Data": "t"}, "Html": {"Data": "<p>h</p>"}}}}},
    "/_emulator/clock": {"pin": 1_800_000_000, "advance": 60, "release": True, "reset": True},
    "/_emulator/idp/users": {"username": "u", "password": "p",
                             "attributes": {"email": "u@example.com", "groups": ["a"]}},
}


@pytest.fixture(scope="module")
def web_server():
    with fuzz.own_server(TALLY, 2) as running:
        yield running


@pytest.fixture(scope="module")
def target(web_server):
    api = Api(web_server, TALLY)
    made = Target(api)
    made.ensure()
    yield made
    api.http.close()


def web_seeds(target: Target) -> dict:
    seeds = target.seeds
    return {"client_id": seeds["ClientId"], "redirect_uri": ["https://app.example/cb"],
            "response_type": ["code", "token"], "scope": ["openid", "openid email"],
            "username": ["alice", "bob"], "password": [PASSWORD],
            "grant_type": ["authorization_code", "refresh_token", "client_credentials"],
            "refresh_token": seeds["RefreshToken"], "token": seeds["RefreshToken"],
            "logout_uri": ["https://app.example/cb"], "identity_provider": ["COGNITO"],
            "poolId": seeds["UserPoolId"], "pool_id": seeds["UserPoolId"]}


def often(draw) -> bool:
    """True 4 times in 5 (shrinks to True)."""
    return draw(st.integers(0, 4)) < 4


def web_forms(target: Target) -> dict:
    """Path -> a query or form that gets far at that path (mutated by fuzz.filled_in)."""
    seeds = target.seeds
    authorize = {"client_id": seeds["ClientId"][0], "redirect_uri": "https://app.example/cb",
                 "response_type": "code", "scope": "openid email", "state": "s",
                 "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                 "code_challenge_method": "S256", "nonce": "n"}
    return {
        "/oauth2/authorize": authorize, "/login": {**authorize, "username": "alice",
                                                   "password": PASSWORD},
        "/signup": {**authorize, "username": "fuzz", "password": PASSWORD,
                    "email": "fuzz@example.com"},
        "/confirm": {**authorize, "username": "bob", "confirmation_code": "123456"},
        "/forgotpassword": {**authorize, "username": "alice"},
        "/confirmforgotpassword": {**authorize, "username": "alice", "code": "123456",
                                   "password": PASSWORD, "confirm_password": PASSWORD},
        "/oauth2/token": {"grant_type": "refresh_token", "client_id": seeds["ClientId"][0],
                          "refresh_token": seeds["RefreshToken"][0], "code": "x",
                          "redirect_uri": "https://app.example/cb", "code_verifier": "v"},
        "/oauth2/revoke": {"token": seeds["RefreshToken"][0], "client_id": seeds["ClientId"][0]},
        "/oauth2/userinfo": {"access_token": seeds["AccessToken"][0]},
        "/logout": {"client_id": seeds["ClientId"][0], "logout_uri": "https://app.example/cb",
                    "redirect_uri": "https://app.example/cb", "response_type": "code"},
        "/_emulator/events": {"poolId": target.pool_id, "username": "alice"},
        "/_emulator/messages": {"poolId": target.pool_id, "username": "alice"},
    }


def _path(draw, template: str, target: Target) -> str:
    pool_id = target.seeds["UserPoolId"][0]
    for name in ("{pool_id}", "{job_id}", "{provider_name:path}"):
        if name in template:
            value = draw(st.one_of(st.just(pool_id), st.sampled_from(fuzz.BAD_ENCODINGS),
                                   st.text(max_size=12).map(lambda t: quote(t, safe="")),
                                   st.just("us-east-1_" + "A" * 300)))
            template = template.replace(name, value)
    return template


@st.composite
def web_requests(draw, target: Target, port: int) -> bytes:
    """One raw HTTP request to some route of the app."""
    path, methods = draw(st.sampled_from(ROUTES))
    if path == "/_emulator/reset":
        methods = ["GET"]
    # Mostly what the route takes, so that requests get past the first refusals.
    method = draw(st.sampled_from(methods or ["GET"])) if often(draw) else \
        draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    if path == "/_emulator/reset" and method == "POST":
        method = "GET"
    path = _path(draw, path, target) if often(draw) else draw(st.sampled_from(EXTRA_PATHS))
    seeds = web_seeds(target)
    forms = {name: value for name, value in web_forms(target).items()
             if path.lower().startswith(name.lower())}
    if draw(st.integers(0, 9)) < 7:  # keep '%', '&', '=' and '+' as drawn: bad encodings stay
        raw = draw(fuzz.filled_in(next(iter(forms.values())))).decode("latin-1") \
            if forms and often(draw) else draw(fuzz.query_strings(seeds))
        path += "?" + quote(raw, safe="%&=+;", errors="surrogatepass")
    kind = "template" if path in JSON_BODIES and often(draw) else \
        draw(st.sampled_from(["form", "form", "json", "raw", "none"]))
    headers: dict = {}
    body = b""
    if kind == "form":
        headers["Content-Type"] = draw(st.sampled_from([
            "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=x",
            "text/plain", "multipart/form-data; boundary=zz"]))
        body = draw(fuzz.filled_in(next(iter(forms.values())))) if forms and often(draw) \
            else draw(fuzz.form_bodies(seeds))
    elif kind == "json":
        headers["Content-Type"] = "application/json"
        value = draw(st.one_of(fuzz.hostile_values(), st.fixed_dictionaries(
            {}, optional={"pin": fuzz.hostile_scalars(), "advance": fuzz.hostile_scalars(),
                          "Content": fuzz.hostile_values(), "Destination": fuzz.hostile_values(),
                          "reset": st.booleans(), "release": fuzz.hostile_scalars()})))
        body = fuzz.encode(value, draw(fuzz.encodings()))
    elif kind == "template":
        headers["Content-Type"] = "application/json"
        body = fuzz.encode(draw(fuzz.mutated(JSON_BODIES[path])), draw(fuzz.encodings()))
    elif kind == "raw":
        headers["Content-Type"] = draw(st.sampled_from(["application/json",
                                                        "application/x-www-form-urlencoded"]))
        body = draw(fuzz.raw_bodies())
    domain = target.seeds["Domain"][0]
    headers["Host"] = f"127.0.0.1:{port}" if often(draw) else draw(st.sampled_from([
        f"{domain}.auth.localhost:{port}", f"{domain}.auth.localhost:{port}",
        f"nope.auth.localhost:{port}", "", "\xff", "[::1", "x" * 300]))
    if draw(st.booleans()):
        headers["Cookie"] = draw(st.sampled_from([
            "cognito=garbage", f"cognito-{target.pool_id}=x.y.z", "cognito=" + "a" * 4000,
            "a=b; c", "=;=;", "XSRF-TOKEN=%ff"]))
    request = fuzz.http_request(method, path, body, headers)
    return request.replace(b"Host: 127.0.0.1\r\n", b"", 1)  # the drawn Host is the one


def answer(server: RunningServer, request: bytes) -> None:
    """Send, then check: 2xx/3xx, or 4xx HTML or JSON (S3-style XML at the import upload URL);
    never 5xx, never a hang."""
    try:
        with fuzz.RawConnection(server.url) as conn:
            conn.send(request)
            status, headers, body = conn.response(head=request.startswith(b"HEAD "))
    except TimeoutError:
        TALLY.complain("hangs", f"no answer in 30 s to {request[:300]!r}")
        return
    TALLY.status(status)
    where = f"{status} for {request[:400]!r}"
    if status >= 500:
        TALLY.complain("complaints", f"{where}\nserver log (tail):\n{server.output()[-4000:]}")
    elif status >= 400 and body:
        kind = headers.get("content-type", "")
        if "json" in kind:
            try:
                json.loads(body)
            except ValueError:
                TALLY.complain("non_json", f"{where}: says JSON, is not: {body[:300]!r}")
        # HTML pages, JSON errors, S3's XML errors (the import upload URL), and uvicorn's own
        # answer to a request it can't parse.
        elif not any(t in kind for t in ("text/html", "application/xml")) and not (
                status == 400 and body == b"Invalid HTTP request received."):
            TALLY.complain("non_json", f"{where}: neither a page nor JSON: {kind} {body[:300]!r}")


def test_every_route_answers_hostile_requests_with_4xx(web_server, target):
    port = int(web_server.url.rsplit(":", 1)[1])
    for round_seed in fuzz.rounds(fuzz.BUDGET * 0.15):
        @fuzz.fuzz_settings(EXAMPLES)
        @hypothesis_seed(round_seed)
        @given(request=web_requests(target, port))
        def answers_well(request):
            answer(web_server, request)

        answers_well()
    TALLY.assert_clean()
    httpx.post(f"{web_server.url}/_emulator/clock", json={"reset": True})
    TALLY.state_intact(target.check_whole)


def test_every_route_answers_every_method(web_server, target):
    """Each route and each method, with no query and no body."""
    for path, _ in ROUTES:
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            if path == "/_emulator/reset" and method == "POST":
                continue
            path = path.replace("{pool_id}", target.pool_id).replace(
                "{provider_name:path}", "nope").replace("{job_id}", "import-nope")
            answer(web_server, fuzz.http_request(method, path))
    TALLY.assert_clean()
    TALLY.state_intact(target.check_whole)


# ---------------------------------------------------------------- the 5xx the fuzzer found


def test_logs_of_a_pool_id_too_long_for_a_file_name(web_server):
    """Was OSError (File name too long), a 500: the id is checked against UserPoolIdType."""
    response = httpx.get(f"{web_server.url}/_emulator/logs/us-east-1_{'A' * 300}")
    assert (response.status_code, response.json()) == (
        400, {"__type": "InvalidParameterException", "message": "Invalid user pool id."})


@pytest.mark.parametrize("body, message", [
    ({"Content": {"Simple": {"Subject": {"Data": "s"}, "Body": []}},
      "Destination": {"ToAddresses": ["a@example.com"]}}, "Content.Simple.Body must be a JSON "
                                                          "object."),
    ({"Content": {"Simple": {"Subject": "s"}}, "Destination": {"ToAddresses": ["a@example.com"]}},
     "Content.Simple.Subject must be a JSON object."),
    ({"Content": {"Simple": {}}, "Destination": {"ToAddresses": "a@example.com"}},
     "Destination.ToAddresses must be a list of addresses."),
])
def test_ses_refuses_wrong_json_types(web_server, body, message):
    """Were AttributeErrors (500): `.get` on a list or a string."""
    response = httpx.post(f"{web_server.url}/v2/email/outbound-emails", json=body)
    assert (response.status_code, response.headers["x-amzn-ErrorType"],
            response.json()["message"]) == (400, "BadRequestException", message)


@pytest.mark.parametrize("body", [{"pin": 1e308}, {"pin": -1}, {"advance": 1e308},
                                  {"pin": "nan"}, {"pin": True}, {"advance": "60"}])
def test_the_clock_stays_between_1970_and_9999(web_server, body):
    """A clock pinned at 1e308 made every later date a 500 (datetime overflow); NaN was a 500
    at once. The limit itself is accepted."""
    clock = f"{web_server.url}/_emulator/clock"
    try:
        assert httpx.post(clock, json=body).json()["__type"] == "InvalidParameterException"
        assert httpx.post(clock, json={"pin": 253402300799}).json()["now"] == 253402300799
    finally:
        httpx.post(clock, json={"reset": True})


def test_the_clock_refuses_deep_nesting(web_server):
    response = httpx.post(f"{web_server.url}/_emulator/clock", content=fuzz.nested(100_000))
    assert (response.status_code, response.json()["__type"]) == (400, "SerializationException")
