"""Hypothesis strategies for fuzzing the emulator, generated from the botocore model it serves.

- `request_bodies(op, seeds)`: JSON request bodies for one operation, walked from its input
  shape. Each example picks a hostility (0-60 %); every member then is valid-ish (enum values,
  strings matching the model's pattern, numbers in range, the IDs of a real pool from `seeds`)
  or hostile: JSON null, the wrong JSON type, empty and huge strings, lone surrogates, extreme
  numbers, lists holding nulls, nesting. Optional members come and go, and unknown members
  (also lowerCamelCase twins of real ones) are added. Shrinking goes towards valid bodies.
- `encodings()` / `encode()`: how a body goes on the wire (ASCII escapes, raw UTF-8, UTF-8
  with surrogates in it, which is not UTF-8).
- `raw_bodies()`: bytes the JSON layer must refuse or survive: deep nesting, truncated JSON,
  lone-surrogate escapes, invalid UTF-8, NaN, 5,000-digit numbers, bodies at and over the size
  limit (emulator/config.py MAX_BODY_BYTES).
- `form_bodies()`, `query_strings()`: for the web endpoints: forms with missing, repeated,
  huge and badly encoded fields.
- `Tally`: what the fuzz tests saw (requests, 2xx, 4xx, 5xx, non-JSON, hangs), written to
  $FUZZ_REPORT for scripts/fuzz.

FUZZ_SEED and FUZZ_BUDGET (seconds; unset: CI's small fixed run) steer the runs: `rounds()`.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from emulator import handlers
from emulator.api import model, registry
from emulator.config import MAX_BODY_BYTES
from tests.support.factories import PASSWORD, unique_name
from tests.support.server import RunningServer

SEED = int(os.environ.get("FUZZ_SEED", "20261207"))
BUDGET = float(os.environ.get("FUZZ_BUDGET", "0"))  # seconds for the whole run; 0: CI
REPORT = os.environ.get("FUZZ_REPORT")
KEEP_GOING = os.environ.get("FUZZ_KEEP_GOING", "") not in ("", "0")

# ---------------------------------------------------------------- running


def served_operations() -> list[str]:
    """Every operation the emulator answers (the others answer NotImplementedException)."""
    handlers.load_all()
    return registry.implemented()


def fuzz_settings(max_examples: int) -> settings:
    """No example database (the runs are reproducible from the seed alone), no deadline
    (the server's speed is not what is tested), quiet about fixtures reused across examples."""
    return settings(max_examples=max_examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def rounds(share: float) -> Iterator[int]:
    """Seeds for one test's runs. In CI (no FUZZ_BUDGET) one round with FUZZ_SEED; with a
    budget, rounds with FUZZ_SEED, FUZZ_SEED+1, ... until this test's `share` of the budget
    (seconds) is used up."""
    yield SEED
    if not BUDGET:
        return
    stop = time.monotonic() + share
    n = 1
    while time.monotonic() < stop:
        yield SEED + n
        n += 1


class Tally:
    """Counts of what the server answered, and the complaints about it. A complaint fails the
    example at once (hypothesis then shrinks it), or with FUZZ_KEEP_GOING=1 (scripts/fuzz) is
    kept, up to 20 of them, and fails the test at its end (`assert_clean`)."""

    def __init__(self, name: str):
        self.name = name
        self.counts: Counter[str] = Counter()
        self.complaints: list[str] = []
        self.checking = False

    def complain(self, what: str, message: str) -> None:
        self.add(what)
        if not KEEP_GOING:
            raise AssertionError(message)
        if len(self.complaints) < 20:
            self.complaints.append(message)

    def state_intact(self, check: Callable[[], object]) -> None:
        """Run a check of the emulator's state (it asserts), counting it and its failure."""
        self.checking = True
        try:
            check()
        except AssertionError:
            self.add("state_broken")
            raise
        finally:
            self.checking = False
        self.add("state_checks")

    def assert_clean(self) -> None:
        kept, self.complaints = self.complaints, []
        assert not kept, "\n\n".join(kept)

    def add(self, what: str) -> None:
        self.counts[what] += 1

    def status(self, code: int) -> None:
        if self.checking:  # the state checks' own calls are not fuzz requests
            self.counts["check_requests"] += 1
            return
        self.counts["requests"] += 1
        self.counts[f"{code // 100}xx"] += 1

    def write(self, **extra) -> None:
        """Append this tally as one JSON line to $FUZZ_REPORT (scripts/fuzz sums them)."""
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as f:
                f.write(json.dumps({"module": self.name, **self.counts, **extra}) + "\n")


# ---------------------------------------------------------------- hostile values

HUGE = 200_000   # a string far past every length constraint, well under the body limit
HOSTILE_STRINGS = [
    "", " ", "\x00", "\t\n", "\ud800", "\udfff", "\udc00\ud800", "\U0001f600", "\u202e",
    "%00", "%ZZ", "%", "+", "../../../etc/passwd", "<script>alert(1)</script>",
    "' OR '1'='1", "${jndi:ldap://x/a}", "\r\nX-Injected: 1", "a" * 129, "a" * 2049,
    "us-east-1_", "us-east-1_" + "A" * 60, "null", "[]", "{}", "=" * 3, "\\", '"',
    "ｕｓｅｒ", "İ", "ß", "a\u0301",
]
EXTREME_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64,
                   -(2**63) - 1, 10**40, 0.5, -0.0, 1e308, -1e308, 5e-324, 1.5e300]


def deep(depth: int, inner: object = 0) -> object:
    """`depth` nested lists around `inner`."""
    for _ in range(depth):
        inner = [inner]
    return inner


def hostile_scalars() -> st.SearchStrategy:
    return st.one_of(
        st.none(), st.booleans(), st.sampled_from(EXTREME_NUMBERS),
        st.sampled_from(HOSTILE_STRINGS), st.just("x" * HUGE),
        st.text(max_size=20))


def hostile_values() -> st.SearchStrategy:
    """Any JSON, leaning to what breaks code that trusts its input."""
    return st.one_of(
        hostile_scalars(),
        st.sampled_from([[], {}, [None], {"a": None}, [[]], {"": ""}, [{}] * 3]),
        st.integers(1, 60).map(deep),
        st.lists(hostile_scalars(), max_size=4),
        st.dictionaries(st.sampled_from(["", "a", "Name", "Value", "\ud800"]),
                        hostile_scalars(), max_size=3))


# ---------------------------------------------------------------- valid-ish values

_SHAPES = model.load_model()["shapes"]
# Java's \p{..} classes, for generating (not for checking: emulator/api/validation.py checks)
_P_CLASSES = {"L": "a-zA-Z", "M": "", "S": "+=$", "N": "0-9", "P": "._@!-", "Z": " "}
# Map keys worth trying, by the member the map is.
MAP_KEYS = {
    "AuthParameters": ["USERNAME", "PASSWORD", "SRP_A", "SECRET_HASH", "REFRESH_TOKEN",
                       "DEVICE_KEY", "PREFERRED_CHALLENGE", "CHALLENGE_NAME"],
    "ChallengeResponses": ["USERNAME", "PASSWORD", "NEW_PASSWORD", "SMS_MFA_CODE",
                           "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP_CODE", "ANSWER",
                           "SECRET_HASH", "DEVICE_KEY", "PASSWORD_CLAIM_SIGNATURE",
                           "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "ANSWER", "CREDENTIAL",
                           "MFAS_CAN_SETUP", "userAttributes.email", "SMS_OTP_CODE"],
    "ProviderDetails": ["MetadataFile", "IDPSignout", "EncryptedResponses",
                        "RequestSigningAlgorithm", "IDPInit", "client_id", "client_secret",
                        "authorize_scopes", "oidc_issuer", "attributes_request_method"],
    "AttributeMapping": ["email", "username", "name", "custom:x"],
}


def _python_pattern(pattern: str) -> str:
    return re.sub(r"\\p\{(\w)\}", lambda m: _P_CLASSES.get(m.group(1), "a-z"), pattern)


@functools.cache
def _pattern_strategy(pattern: str) -> st.SearchStrategy | None:
    try:
        compiled = re.compile(_python_pattern(pattern), re.ASCII)
        return st.from_regex(compiled, fullmatch=True)
    except (re.error, ValueError):
        return None


def _string(draw, shape: dict, member: str, seeds: dict) -> str:
    known = seeds.get(member)
    if known and draw(st.integers(0, 3)) < 3:
        return draw(st.sampled_from(known))
    if "enum" in shape:
        return draw(st.sampled_from(shape["enum"]))
    low, high = shape.get("min", 0), min(shape.get("max", 40), 40)
    if "pattern" in shape:
        strategy = _pattern_strategy(shape["pattern"])
        if strategy is not None:
            return draw(strategy)[:max(high, low, 1) * 2]
    return draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                        min_size=low, max_size=max(low, high)))


def _number(draw, shape: dict) -> int | float:
    low, high = shape.get("min", 0), shape.get("max", 10**6)
    if shape["type"] in ("double", "float", "timestamp"):
        return draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
    return draw(st.integers(int(low), int(high)))


def _value(draw, name: str, member: str, seeds: dict, hostility: int, depth: int):
    """A value for shape `name` as member `member`: valid-ish, or (hostility % of the time)
    hostile."""
    if draw(st.integers(0, 99)) < hostility:
        return draw(hostile_values())
    shape = _SHAPES[name]
    kind = shape["type"]
    if shape.get("document"):
        return draw(st.one_of(st.dictionaries(st.text(max_size=8), hostile_scalars(),
                                              max_size=3), hostile_values()))
    if kind == "structure":
        return _structure(draw, name, seeds, hostility, depth + 1)
    if kind == "list":
        limit = 0 if depth > 4 else min(shape.get("max", 4), 4)
        size = draw(st.integers(shape.get("min", 0), max(shape.get("min", 0), limit)))
        element = shape["member"]["shape"]
        return [_value(draw, element, member, seeds, hostility, depth + 1) for _ in range(size)]
    if kind == "map":
        size = draw(st.integers(0, 0 if depth > 4 else 3))
        keys = MAP_KEYS.get(member)
        out = {}
        for _ in range(size):
            key = draw(st.sampled_from(keys)) if keys and draw(st.booleans()) else \
                _string(draw, _SHAPES[shape["key"]["shape"]], member + ".key", seeds)
            out[key] = _value(draw, shape["value"]["shape"], key, seeds, hostility, depth + 1)
        return out
    if kind == "string":
        return _string(draw, shape, member, seeds)
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "blob":
        return draw(st.sampled_from(["", "aGVsbG8=", "AAAA"]))
    return _number(draw, shape)


def _structure(draw, name: str, seeds: dict, hostility: int, depth: int) -> dict:
    shape = _SHAPES[name]
    required = set(shape.get("required", ()))
    out: dict = {}
    for member, ref in shape["members"].items():
        if member in required:
            present = draw(st.integers(0, 99)) >= hostility // 4  # rarely left out
        else:
            present = depth <= 4 and draw(st.booleans())
        if present:
            out[member] = _value(draw, ref["shape"], member, seeds, hostility, depth)
    if hostility and draw(st.integers(0, 99)) < hostility:  # unknown members
        for _ in range(draw(st.integers(1, 3))):
            twin = draw(st.sampled_from(list(shape["members"]) or ["X"]))
            unknown = draw(st.sampled_from(["Bogus", twin[:1].lower() + twin[1:], twin.upper(),
                                            "__type", "", "\ud800"]))
            out[unknown] = draw(hostile_values())
    return out


@st.composite
def request_bodies(draw, op: str, seeds: dict) -> dict:
    """A request body (Python objects) for `op`. `seeds`: member name -> known values (a
    real pool's id, client id, usernames, tokens), so that bodies get past the first
    ResourceNotFoundException into the handler."""
    hostility = draw(st.sampled_from([0, 5, 20, 60]))
    shape = model.input_shape_name(op)
    if shape is None:
        return {}
    return _structure(draw, shape, seeds, hostility, 0)


def encodings() -> st.SearchStrategy:
    return st.sampled_from(["ascii", "ascii", "utf-8", "surrogates"])


def encode(body: object, encoding: str) -> bytes:
    """The body as JSON: ASCII with \\u escapes (lone surrogates stay escapes), raw UTF-8 (a
    lone surrogate can't be encoded: sent as escapes), or 'surrogates' (UTF-8 with surrogate
    code points encoded as if they were characters: not UTF-8)."""
    if encoding == "ascii":
        return json.dumps(body).encode("ascii")
    text = json.dumps(body, ensure_ascii=False)
    if encoding == "surrogates":
        return text.encode("utf-8", "surrogatepass")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body).encode("ascii")


# ---------------------------------------------------------------- raw bodies


def nested(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + closer * depth


RAW_BODIES = [
    b"", b" ", b"null", b"[]", b'"x"', b"0", b"true", b"{", b"}", b"{]", b'{"a":}',
    b'{"UserPoolId":', b'{"UserPoolId": "us-east-1_x"', b'{"a": 1,}', b"{'a': 1}",
    b'{"a": NaN}', b'{"Limit": Infinity}', b'{"Limit": -Infinity}', b'{"Limit": 1e999}',
    b'{"Limit": ' + b"9" * 5000 + b"}", b'{"Limit": 0x10}', b'{"Limit": 01}',
    b'{"Username": "\\ud800"}', b'{"Username": "\\udc00\\ud800"}', b'{"\\ud800": 1}',
    b'{"Username": "\\ud800\\u0041"}', b'{"Username": "\\u0000"}', b'{"Username": "\\x41"}',
    b'{"Username": "\xff\xfe"}', b'{"Username": "\xc0\xaf"}', b'{"Username": "\xed\xa0\x80"}',
    b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b'{"a": 1} {"b": 2}', b'{"a": 1}garbage',
    b'{"UserPoolId": "x", "UserPoolId": null}', b"\x00" * 64,
    nested(1_000), nested(100_000), nested(100_000, b"{\"a\":", b"}"), b"[" * 100_000,
    nested(990), nested(200), b'{"Settings": ' + nested(300) + b"}",
    b'{"Username": "' + b"x" * (MAX_BODY_BYTES - 20) + b'"}',
    b'{"Username": "' + b"x" * MAX_BODY_BYTES + b'"}',
    b"[" + b"0," * (MAX_BODY_BYTES // 2 - 2) + b"0]",
]


def raw_bodies() -> st.SearchStrategy:
    """Bytes for POST / that are not a well-formed request body, or only barely."""
    return st.one_of(
        st.sampled_from(RAW_BODIES),
        st.binary(max_size=64),
        st.tuples(st.sampled_from([b'{"UserPoolId": "us-east-1_abc", "Username": "bob",'
                                   b' "UserAttributes": [{"Name": "email", "Value": "a@b.c"}]}',
                                   b'{"PoolName": "p", "Policies": {"PasswordPolicy": '
                                   b'{"MinimumLength": 8}}}']),
                  st.integers(0, 90)).map(lambda t: t[0][:t[1]]),  # truncated JSON
    )


@st.composite
def mutated(draw, template: object) -> object:
    """`template` (JSON) with some of its members left out and some nodes replaced by hostile
    values, at any depth: bodies that get past the first checks of a hand-written parser."""
    def walk(node):
        if draw(st.integers(0, 9)) == 0:
            return draw(hostile_values())
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items() if draw(st.integers(0, 9)) > 0}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    return walk(template)


# ---------------------------------------------------------------- web forms

FORM_NAMES = ["client_id", "redirect_uri", "response_type", "scope", "state", "code",
              "grant_type", "refresh_token", "token", "username", "password", "email",
              "code_verifier", "code_challenge", "code_challenge_method", "identity_provider",
              "idp_identifier", "nonce", "logout_uri", "SAMLResponse", "SAMLRequest",
              "RelayState", "confirmation_code", "new_password", "session", "answer",
              "challenge", "lang", "prompt", "poolId", "pool_id", "eventId", "feedback",
              "sub", "name", "attributes", "mfa_code", "totp", "phone_number", "given_name"]
BAD_ENCODINGS = ["%", "%Z", "%zz", "%ff%fe", "%c0%af", "%ed%a0%80", "%00", "%u0041", "+%2",
                 "%%", "%E2%82", "%F0%9F%98"]


def _form_value() -> st.SearchStrategy:
    return st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_STRINGS),
                     st.sampled_from(BAD_ENCODINGS), st.just("x" * 100_000))


def _pair_text(name: str, value: str, raw: bool) -> str:
    from urllib.parse import quote
    if raw:  # as it is: bad percent-encodings stay bad
        return f"{name}={value}"
    return f"{quote(name, errors='surrogatepass')}={quote(value, safe='', errors='surrogatepass')}"


@st.composite
def form_bodies(draw, seeds: dict | None = None) -> bytes:
    """An x-www-form-urlencoded body: known field names with hostile values, some missing,
    some repeated, some with broken percent-encodings or invalid UTF-8."""
    seeds = seeds or {}
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.one_of(st.sampled_from(FORM_NAMES), st.text(max_size=5)))
        known = seeds.get(name)
        value = draw(st.sampled_from(known)) if known and draw(st.booleans()) \
            else draw(_form_value())
        pairs.append(_pair_text(name, value, draw(st.booleans())))
    body = "&".join(pairs).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        body += draw(st.sampled_from([b"&x=\xff\xfe", b"&\xc0\xaf=1", b"&&&", b"=&=", b";"]))
    return body


@st.composite
def filled_in(draw, template: dict) -> bytes:
    """A form (or query) from `template` (name -> value), mutated: fields left out, values
    replaced by hostile ones (lists and objects as their JSON text)."""
    values = draw(mutated(template))
    if not isinstance(values, dict):
        values = {"x": values}
    pairs = [_pair_text(name, v if isinstance(v, str) else json.dumps(v), draw(st.booleans()))
             for name, v in values.items()]
    return "&".join(pairs).encode("utf-8", "surrogatepass")


def query_strings(seeds: dict | None = None) -> st.SearchStrategy:
    """A raw query string (what follows '?'), built the same way as form_bodies."""
    return form_bodies(seeds).map(lambda body: body.decode("latin-1"))


# ---------------------------------------------------------------- the JSON API and its pools

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
                           "cognito-idp/aws4_request, SignedHeaders=host, Signature=abc"}


@contextlib.contextmanager
def own_server(tally: Tally, body_timeout: float) -> Iterator[RunningServer]:
    """A server of the fuzz module's own (fuzzing makes hundreds of pools and may move its
    clock), waiting `body_timeout` seconds for a body's missing bytes. Its log must end
    without a traceback: a 5xx to a client that had already hung up still logs one."""
    with RunningServer(["--in-memory", "--log-level", "warning"],
                       env={"COGNITO_EMULATOR_BODY_TIMEOUT": str(body_timeout)}) as running:
        yield running
        log = running.output()
    tally.write(tracebacks=log.count("Traceback"))
    assert "Traceback" not in log, log[-4000:]


class Api:
    """POST / with checks: every answer is 2xx JSON or a 4xx JSON error with `__type`,
    `message` and x-amzn-ErrorType; a hang (30 s) fails too."""

    def __init__(self, server: RunningServer, tally: Tally):
        self.server, self.tally = server, tally
        self.http = httpx.Client(base_url=server.url, timeout=30)

    def post(self, op: str | None, body: bytes, headers: dict | None = None) -> httpx.Response:
        sent = {"Content-Type": "application/x-amz-json-1.1", **SIGNED, **(headers or {})}
        if op is not None:
            sent["X-Amz-Target"] = TARGET_PREFIX + op
        try:
            response = self.http.post("/", content=body, headers=sent)
        except httpx.TimeoutException:
            self.tally.complain("hangs", f"{op}: no answer in 30 s to {body[:300]!r}")
            return httpx.Response(599, json={"__type": "Hang", "message": "no answer"})
        self.check(op, body, response)
        return response

    def check(self, op, body: bytes, response: httpx.Response) -> None:
        self.tally.status(response.status_code)
        where = f"{op} {response.status_code} for {body[:300]!r}"
        if response.status_code >= 500:
            self.tally.complain("complaints", f"{where}\n{self.server_log()}")
            return
        try:
            answer = response.json()
        except ValueError:
            self.tally.complain("non_json", f"{where}: not JSON: {response.text[:300]!r}")
            return
        if not isinstance(answer, dict):
            self.tally.complain("non_json", f"{where}: not a JSON object: {answer!r:.300}")
        elif response.status_code >= 300 and not (
                isinstance(answer.get("__type"), str) and answer["__type"]
                and response.headers.get("x-amzn-ErrorType") == answer["__type"]
                and isinstance(answer.get("message"), str)):
            self.tally.complain("complaints", f"{where}: not an AWS error: {response.text:.300}"
                                f" x-amzn-ErrorType {response.headers.get('x-amzn-ErrorType')}")

    def call(self, op: str, **params) -> dict:
        response = self.post(op, json.dumps(params).encode())
        assert response.status_code == 200, (op, response.text)
        return response.json()

    def server_log(self) -> str:
        return "server log (tail):\n" + self.server.output()[-4000:]





class Target:
    """A pool the fuzzer knows everything about (its ids are the seeds of the bodies): fuzzing
    may change it in any way a 2xx allows, even delete it; `ensure` makes a new one then."""

    def __init__(self, api: Api):
        self.api = api
        self.seeds: dict = {}
        self.pool_id = ""

    def ensure(self) -> None:
        if self.pool_id and self._usable():
            return
        call = self.api.call
        self.pool_id = call("CreateUserPool", PoolName=unique_name("fuzz"),
                            AutoVerifiedAttributes=["email"],
                            Schema=[{"Name": "team", "AttributeDataType": "String",
                                     "Mutable": True}])["UserPool"]["Id"]
        flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                 "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH",
                 "ALLOW_USER_AUTH"]
        oauth = {"CallbackURLs": ["https://app.example/cb"], "AllowedOAuthFlows": ["code"],
                 "AllowedOAuthScopes": ["openid", "email"], "AllowedOAuthFlowsUserPoolClient":
                 True, "SupportedIdentityProviders": ["COGNITO"]}
        client = call("CreateUserPoolClient", UserPoolId=self.pool_id, ClientName="app",
                      ExplicitAuthFlows=flows, **oauth)["UserPoolClient"]["ClientId"]
        secret = call("CreateUserPoolClient", UserPoolId=self.pool_id, ClientName="secret",
                      GenerateSecret=True, ExplicitAuthFlows=flows)["UserPoolClient"]
        for name in ("alice", "bob"):
            call("AdminCreateUser", UserPoolId=self.pool_id, Username=name,
                 MessageAction="SUPPRESS", UserAttributes=[
                     {"Name": "email", "Value": f"{name}@example.com"},
                     {"Name": "email_verified", "Value": "true"}])
        call("AdminSetUserPassword", UserPoolId=self.pool_id, Username="alice",
             Password=PASSWORD, Permanent=True)
        call("CreateGroup", UserPoolId=self.pool_id, GroupName="admins")
        call("AdminAddUserToGroup", UserPoolId=self.pool_id, GroupName="admins", Username="alice")
        call("CreateResourceServer", UserPoolId=self.pool_id, Identifier="https://api.example",
             Name="api", Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
        domain = unique_name("fuzz")
        call("CreateUserPoolDomain", UserPoolId=self.pool_id, Domain=domain)
        tokens = call("InitiateAuth", ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
                      )["AuthenticationResult"]
        self.seeds = {
            "UserPoolId": [self.pool_id], "ClientId": [client, secret["ClientId"]],
            "ClientSecret": [secret["ClientSecret"]],
            "Username": ["alice", "bob", "alice@example.com"], "USERNAME": ["alice", "bob"],
            "PASSWORD": [PASSWORD], "Password": [PASSWORD], "PreviousPassword": [PASSWORD],
            "ProposedPassword": [PASSWORD + "x"], "GroupName": ["admins"],
            "AccessToken": [tokens["AccessToken"]], "RefreshToken": [tokens["RefreshToken"]],
            "REFRESH_TOKEN": [tokens["RefreshToken"]], "Token": [tokens["RefreshToken"]],
            "Identifier": ["https://api.example"], "Domain": [domain],
            "Name": ["email", "custom:team", "name", "phone_number"],
            "AttributeName": ["email", "phone_number"],
            "Value": ["a@example.com", "+15555550100", "true"],
        }

    def _usable(self) -> bool:
        """The pool is there and alice's access token still works."""
        pool = self.api.post("DescribeUserPool", json.dumps({"UserPoolId": self.pool_id}).encode())
        user = self.api.post("GetUser", json.dumps(
            {"AccessToken": self.seeds["AccessToken"][0]}).encode())
        return pool.status_code == 200 and user.status_code == 200

    def check_whole(self) -> None:
        """Whatever the fuzzing did, the pool (if still there) reads back whole: every listed
        user, group, member and client answers."""
        api, pool_id = self.api, self.pool_id
        if api.post("DescribeUserPool", json.dumps({"UserPoolId": pool_id}).encode()
                    ).status_code != 200:
            return
        for user in list_all(api, "ListUsers", "Users", "PaginationToken", UserPoolId=pool_id):
            api.call("AdminGetUser", UserPoolId=pool_id, Username=user["Username"])
            api.call("AdminListGroupsForUser", UserPoolId=pool_id, Username=user["Username"])
        for group in list_all(api, "ListGroups", "Groups", "NextToken", UserPoolId=pool_id):
            api.call("GetGroup", UserPoolId=pool_id, GroupName=group["GroupName"])
            for member in list_all(api, "ListUsersInGroup", "Users", "NextToken",
                               UserPoolId=pool_id, GroupName=group["GroupName"]):
                api.call("AdminGetUser", UserPoolId=pool_id, Username=member["Username"])
        for client in list_all(api, "ListUserPoolClients", "UserPoolClients", "NextToken",
                           UserPoolId=pool_id, MaxResults=60):
            api.call("DescribeUserPoolClient", UserPoolId=pool_id, ClientId=client["ClientId"])
        for server in list_all(api, "ListResourceServers", "ResourceServers", "NextToken",
                           UserPoolId=pool_id, MaxResults=50):
            api.call("DescribeResourceServer", UserPoolId=pool_id,
                     Identifier=server["Identifier"])


def list_all(api: Api, op: str, key: str, token_name: str, **params) -> list:
    found, token = [], None
    while True:
        page = api.call(op, **params, **({token_name: token} if token else {}))
        found += page.get(key, [])
        token = page.get(token_name)
        if not token:
            return found



# ---------------------------------------------------------------- raw HTTP


class RawConnection:
    """One TCP connection to the server, for what httpx won't send: pipelined requests, a
    byte at a time, a body shorter than its Content-Length, bytes that are not UTF-8."""

    def __init__(self, url: str, timeout: float = 30):
        host, port = url.split("//", 1)[1].rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self, head: bool = False) -> tuple[int, dict[str, str], bytes]:
        """The next response (to a HEAD request: without a body): (status, headers with
        lower-case names, body). Raises TimeoutError when none comes in time,
        ConnectionError when the server closed."""
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if head or status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = self.reader.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while (size := int(self.reader.readline().strip(), 16)) > 0:
                body += self.reader.read(size)
                self.reader.readline()
            self.reader.readline()
        else:
            body = self.reader.read()
        return status, headers, body

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def http_request(method: str, path: str, body: bytes = b"", headers: dict | None = None,
                 *, content_length: int | None = None) -> bytes:
    """The bytes of one HTTP/1.1 request (Host 127.0.0.1); header values may be bytes."""
    lines = [f"{method} {path} HTTP/1.1".encode("latin-1"), b"Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
        lines.append(name.encode("latin-1") + b": " + raw)
    lines.append(b"Content-Length: %d" % (len(body) if content_length is None
                                         else content_length))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
