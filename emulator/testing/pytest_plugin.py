"""pytest plugin: a real Cognito emulator for your tests. Installed with the package and
registered by the `pytest11` entry point, so `pip install cognito-emulator` is all it takes.

Fixtures (all names start with `cognito_` so they never clash with a project's own):
  cognito_emulator      the running CognitoEmulator (session-scoped by default, see options)
  cognito_idp           a boto3 cognito-idp client pointed at it
  cognito_pool          a fresh user pool (the CreateUserPool UserPool dict), deleted afterwards;
                        email is auto-verified, so sign-up sends a code to the outbox.
                        @pytest.mark.cognito_pool(**CreateUserPool params) changes it.
  cognito_client        an app client of cognito_pool (the UserPoolClient dict) without a
                        secret, allowing SRP, password, admin, refresh and custom flows.
                        @pytest.mark.cognito_client(**CreateUserPoolClient params) changes it.
  cognito_user_factory  cognito_user_factory(username=None, password=..., attributes=None,
                        pool_id=None) -> CognitoUser: a CONFIRMED user with a known password
  cognito_outbox        cognito_outbox(**filters) -> messages sent (pool_id, username, purpose,
                        medium, destination); .last_code(username) -> newest code
  cognito_clock         the emulator's clock (pin/advance/release/reset/now), reset after the test
  cognito_snapshot      a fixture state built once per emulator and restored before each test
                        that uses it: define `cognito_snapshot_setup` (a function-scoped
                        fixture that builds the state through cognito_idp etc. and returns
                        what tests need, e.g. ids); cognito_snapshot returns that value. The
                        first use resets the emulator, runs the setup and saves a snapshot;
                        every later use restores it (POST /_emulator/restore). A restore
                        replaces the whole state, so request cognito_snapshot before fixtures
                        that create things (cognito_pool ...). Return, don't yield.

Identity pools (the cognito-identity service, same emulator):
  cognito_identity      a boto3 cognito-identity client pointed at it
  cognito_identity_pool a fresh identity pool (the CreateIdentityPool answer), deleted afterwards:
                        cognito_pool's cognito_client as its user-pool provider, guests
                        allowed, and the roles COGNITO_AUTHENTICATED_ROLE /
                        COGNITO_UNAUTHENTICATED_ROLE set.
                        @pytest.mark.cognito_identity_pool(**CreateIdentityPool params)
                        changes it.
  cognito_identity_pool_factory  make(**CreateIdentityPool params) -> another identity pool
                        (a unique name and no guests unless given), deleted afterwards

Options (command line, or the ini key of the same name with `_` for `-`):
  --cognito-emulator-scope     session (default) | package | module | class | function
  --cognito-emulator-data-dir  keep the store in this directory (SQLite) instead of in memory;
                               `tmp` = a fresh temporary directory
  --cognito-emulator-issuer-style  local (default) | aws
  --cognito-emulator-region    us-east-1 (default)
  --cognito-emulator-config    a seed file applied at start and on reset()
A test that needs another set-up starts its own: `with CognitoEmulator(issuer_style="aws") as emu:`.
"""
import uuid
from dataclasses import dataclass, field

import pytest

from . import CognitoEmulator

DEFAULT_PASSWORD = "Passw0rd!"
# The roles cognito_identity_pool sets (in the emulator's default account).
COGNITO_AUTHENTICATED_ROLE = "arn:aws:iam::000000000000:role/cognito-authenticated"
COGNITO_UNAUTHENTICATED_ROLE = "arn:aws:iam::000000000000:role/cognito-unauthenticated"
_SCOPES = ("session", "package", "module", "class", "function")
_OPTIONS = {  # option name -> (help, default)
    "scope": ("scope of the cognito_emulator fixture: " + ", ".join(_SCOPES), "session"),
    "data_dir": ("keep the emulator's store in this directory ('tmp': a temporary one) "
                 "instead of in memory", None),
    "issuer_style": ("token issuer style: local or aws", "local"),
    "region": ("the emulator's region", "us-east-1"),
    "config": ("a seed file (YAML or JSON) the emulator applies at start", None),
}


def pytest_addoption(parser):
    group = parser.getgroup("cognito-emulator", "Cognito user-pool emulator")
    for name, (help_text, default) in _OPTIONS.items():
        flag = "--cognito-emulator-" + name.replace("_", "-")
        kwargs = {"choices": _SCOPES} if name == "scope" else \
            {"choices": ("local", "aws")} if name == "issuer_style" else {}
        group.addoption(flag, dest="cognito_emulator_" + name, default=None, help=help_text,
                        metavar=name.upper(),
                        **kwargs)
        parser.addini("cognito_emulator_" + name, help_text, default=default)


def pytest_configure(config):
    config.addinivalue_line("markers", "cognito_pool(**params): CreateUserPool parameters "
                                       "for the cognito_pool fixture")
    config.addinivalue_line("markers", "cognito_client(**params): CreateUserPoolClient "
                                       "parameters for the cognito_client fixture")
    config.addinivalue_line("markers", "cognito_identity_pool(**params): CreateIdentityPool "
                                       "parameters for the cognito_identity_pool fixture")
    scope = _option(config, "scope")
    if scope not in _SCOPES:
        raise pytest.UsageError(f"cognito_emulator_scope must be one of {', '.join(_SCOPES)}, "
                                f"not {scope!r}")


def _option(config, name: str):
    value = config.getoption("cognito_emulator_" + name)
    return value if value is not None else config.getini("cognito_emulator_" + name)


def _emulator_scope(fixture_name: str, config) -> str:
    return _option(config, "scope")


def emulator_kwargs(config) -> dict:
    """CognitoEmulator arguments from the plugin's options."""
    data_dir = _option(config, "data_dir")
    kwargs = {"issuer_style": _option(config, "issuer_style"),
              "region": _option(config, "region"),
              "config": _option(config, "config") or None}
    if data_dir:
        kwargs.update(in_memory=False, data_dir=None if data_dir == "tmp" else data_dir)
    return kwargs


@pytest.fixture(scope=_emulator_scope)
def cognito_emulator(pytestconfig):
    """The running emulator; stopped at the end of its scope, also when tests fail."""
    with CognitoEmulator(**emulator_kwargs(pytestconfig)) as emu:
        yield emu


@pytest.fixture
def cognito_idp(cognito_emulator):
    """boto3 cognito-idp client for cognito_emulator (made once per emulator: ~20 ms each)."""
    idp = getattr(cognito_emulator, "_plugin_idp", None)
    if idp is None:
        idp = cognito_emulator._plugin_idp = cognito_emulator.client()
    return idp


def _marker_params(request, name: str) -> dict:
    params = {}
    for mark in reversed(list(request.node.iter_markers(name))):  # closest wins
        params.update(mark.kwargs)
    return params


@pytest.fixture
def cognito_pool(request, cognito_idp):
    """A fresh user pool (the UserPool dict), deleted after the test."""
    params = {"PoolName": f"test-{uuid.uuid4().hex[:8]}", "AutoVerifiedAttributes": ["email"],
              **_marker_params(request, "cognito_pool")}
    pool = cognito_idp.create_user_pool(**params)["UserPool"]
    yield pool
    try:
        cognito_idp.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
        current = cognito_idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        for domain in (current.get("Domain"), current.get("CustomDomain")):
            if domain:
                cognito_idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
        cognito_idp.delete_user_pool(UserPoolId=pool["Id"])
    except cognito_idp.exceptions.ResourceNotFoundException:
        pass  # the test deleted it (or reset the emulator)


@pytest.fixture
def cognito_client(request, cognito_idp, cognito_pool):
    """An app client of cognito_pool (the UserPoolClient dict; ClientSecret if generated)."""
    params = {"ClientName": "app",
              "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                    "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                    "ALLOW_CUSTOM_AUTH"],
              **_marker_params(request, "cognito_client")}
    return cognito_idp.create_user_pool_client(UserPoolId=cognito_pool["Id"],
                                               **params)["UserPoolClient"]


@dataclass
class CognitoUser:
    username: str
    password: str
    pool_id: str
    sub: str
    attributes: dict = field(default_factory=dict)


@pytest.fixture
def cognito_user_factory(cognito_idp, cognito_pool):
    """make(username=None, password=DEFAULT_PASSWORD, attributes=None, pool_id=None) ->
    CognitoUser: a CONFIRMED user (no welcome message) in cognito_pool or pool_id. The email
    defaults to <username>@example.com, marked verified."""
    def make(username: str | None = None, password: str = DEFAULT_PASSWORD,
             attributes: dict | None = None, pool_id: str | None = None) -> CognitoUser:
        pool_id = pool_id or cognito_pool["Id"]
        username = username or f"user-{uuid.uuid4().hex[:8]}"
        attrs = {"email": f"{username}@example.com", "email_verified": "true",
                 **(attributes or {})}
        created = cognito_idp.admin_create_user(
            UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])["User"]
        cognito_idp.admin_set_user_password(UserPoolId=pool_id, Username=username,
                                            Password=password, Permanent=True)
        sub = next((a["Value"] for a in created.get("Attributes", []) if a["Name"] == "sub"), "")
        return CognitoUser(created["Username"], password, pool_id, sub, attrs)
    return make


@pytest.fixture
def cognito_outbox(cognito_emulator):
    """outbox(**filters) -> the messages the emulator 'sent'; outbox.last_code(username)."""
    class Outbox:
        def __call__(self, **filters):
            return cognito_emulator.messages(**filters)

        def last_code(self, username, **filters):
            return cognito_emulator.last_code(username, **filters)
    return Outbox()


@pytest.fixture
def cognito_clock(cognito_emulator):
    """The emulator's clock; back to real time after the test (the emulator may be shared)."""
    yield cognito_emulator.clock
    if cognito_emulator.running:
        cognito_emulator.clock.reset()


@pytest.fixture
def cognito_snapshot_setup():
    """Override this: build the shared state and return what the tests need."""
    raise pytest.UsageError("cognito_snapshot needs a cognito_snapshot_setup fixture that "
                            "builds the state to snapshot (see emulator.testing.pytest_plugin)")


@pytest.fixture
def cognito_snapshot(request, cognito_emulator, tmp_path_factory):
    """The value of cognito_snapshot_setup, with the emulator in the state it built: built and
    saved by the first test of each emulator that asks, restored for every other."""
    snapshots = cognito_emulator.__dict__.setdefault("_plugin_snapshots", {})
    key = _setup_in_effect(request)
    saved = snapshots.get(key)
    if saved is None:
        cognito_emulator.reset()
        value = request.getfixturevalue("cognito_snapshot_setup")
        path = tmp_path_factory.mktemp("cognito-snapshot") / "state.snapshot"
        cognito_emulator.snapshot(path)
        saved = snapshots[key] = (path, value)
    else:
        cognito_emulator.restore(saved[0])
    return saved[1]


def _setup_in_effect(request):
    """Which cognito_snapshot_setup this test sees (modules and conftests may each define
    one): its function; the test's module if pytest's fixture info is out of reach."""
    try:
        return request.node._fixtureinfo.name2fixturedefs["cognito_snapshot_setup"][-1].func
    except (AttributeError, KeyError, IndexError):
        return request.module


# --- identity pools -----------------------------------------------------------------------------

@pytest.fixture
def cognito_identity(cognito_emulator):
    """boto3 cognito-identity client for cognito_emulator (made once per emulator), with the
    same dummy credentials, region and retry settings as cognito_idp."""
    client = getattr(cognito_emulator, "_plugin_identity", None)
    if client is None:
        import boto3
        from botocore.config import Config

        from . import DUMMY_KEY
        client = cognito_emulator._plugin_identity = boto3.client(
            "cognito-identity", endpoint_url=cognito_emulator.endpoint_url,
            region_name=cognito_emulator.region, aws_access_key_id=DUMMY_KEY,
            aws_secret_access_key=DUMMY_KEY,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    return client


@pytest.fixture
def cognito_identity_pool_factory(cognito_identity):
    """make(**CreateIdentityPool params) -> the IdentityPool dict; every pool it made is
    deleted after the test."""
    made: list[str] = []

    def make(**params) -> dict:
        params = {"IdentityPoolName": f"test-{uuid.uuid4().hex[:8]}",
                  "AllowUnauthenticatedIdentities": False, **params}
        pool = cognito_identity.create_identity_pool(**params)
        pool.pop("ResponseMetadata", None)
        made.append(pool["IdentityPoolId"])
        return pool
    yield make
    for pool_id in made:
        try:
            cognito_identity.delete_identity_pool(IdentityPoolId=pool_id)
        except cognito_identity.exceptions.ResourceNotFoundException:
            pass  # the test deleted it (or reset the emulator)


@pytest.fixture
def cognito_identity_pool(request, cognito_identity, cognito_identity_pool_factory,
                          cognito_pool, cognito_client):
    """A fresh identity pool whose user-pool provider is cognito_pool + cognito_client, with
    guests allowed and both roles set; deleted after the test."""
    region = cognito_pool["Id"].split("_", 1)[0]
    params = {"AllowUnauthenticatedIdentities": True,
              "CognitoIdentityProviders": [{
                  "ProviderName": f"cognito-idp.{region}.amazonaws.com/{cognito_pool['Id']}",
                  "ClientId": cognito_client["ClientId"]}],
              **_marker_params(request, "cognito_identity_pool")}
    pool = cognito_identity_pool_factory(**params)
    cognito_identity.set_identity_pool_roles(
        IdentityPoolId=pool["IdentityPoolId"],
        Roles={"authenticated": COGNITO_AUTHENTICATED_ROLE,
               "unauthenticated": COGNITO_UNAUTHENTICATED_ROLE})
    return pool
