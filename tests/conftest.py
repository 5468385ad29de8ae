"""Shared fixtures: one real emulator process per test session, boto3 pointed at it."""
import boto3
import httpx
import pytest
from botocore.config import Config

from tests.support.clients import missing, require_all
from tests.support.factories import delete_pool, password_client, unique_name
from tests.support.postgres import Cluster
from tests.support.server import RunningServer

REGION = "us-east-1"
collect_ignore = ["plugin_project"]  # a separate project, run by tests/test_pytest_plugin.py


# --- no silent skips (tests/support/clients.py) -----------------------------------------------

def pytest_report_header(config):
    absent = missing()
    mode = "REQUIRE_ALL=1: a skip is a failure" if require_all() else \
        "missing clients skip their tests (REQUIRE_ALL=1 makes that a failure)"
    lines = [f"independent clients: {mode}"]
    lines += [f"  NOT INSTALLED: {what}" for what in absent] or ["  all installed"]
    return lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if require_all() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under REQUIRE_ALL=1 (CI requires every client): {reason}"


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} tests SKIPPED (reasons above); "
                                        "CI runs with REQUIRE_ALL=1, where each is a failure")
    absent = missing()
    mode = "REQUIRE_ALL=1" if require_all() else "REQUIRE_ALL off"
    terminalreporter.write_line(f"independent clients ({mode}): " +
                                ("NOT INSTALLED: " + "; ".join(absent) if absent
                                 else "all installed"))


@pytest.fixture(scope="session")
def server():
    with RunningServer(["--in-memory", "--log-level", "warning"]) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for the session (tests/support/postgres.py); mark the
    tests that use it `requires("postgresql")`."""
    cluster = Cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """The URL of a fresh, empty store location (its own schema) in the session's PostgreSQL
    cluster."""
    return postgres_cluster.new_database()


@pytest.fixture(scope="session")
def endpoint(server) -> str:
    return server.url


def make_client(endpoint: str, region: str = REGION, *, validate: bool = True,
                service: str = "cognito-idp", access_key: str = "testing"):
    """A boto3 client of the emulator. `access_key` picks the account (api/scope.py): a
    12-digit key is that account, anything else (the suite's "testing") the default one."""
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=access_key, aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


@pytest.fixture(scope="session")
def cognito(endpoint):
    return make_client(endpoint)


@pytest.fixture(scope="session")
def identity(endpoint):
    """boto3's cognito-identity client (identity pools), on the same emulator."""
    return make_client(endpoint, service="cognito-identity")


@pytest.fixture(scope="module")
def unchecked(endpoint):
    """boto3 without client-side parameter validation: the server's own checks answer."""
    return make_client(endpoint, validate=False)


@pytest.fixture
def http(endpoint):
    with httpx.Client(base_url=endpoint, timeout=30) as client:
        yield client


@pytest.fixture
def pool(cognito):
    """A fresh pool with defaults, deleted afterwards."""
    created = cognito.create_user_pool(PoolName=unique_name("test"))["UserPool"]
    yield created
    delete_pool(cognito, created["Id"])


@pytest.fixture
def pool_id(pool) -> str:
    return pool["Id"]


@pytest.fixture
def new_pool(cognito):
    """new_pool(**CreateUserPool params) -> the UserPool; every pool made is deleted afterwards."""
    made = []

    def make(**params):
        params.setdefault("PoolName", unique_name("test"))
        created = cognito.create_user_pool(**params)["UserPool"]
        made.append(created["Id"])
        return created
    yield make
    for made_id in made:
        delete_pool(cognito, made_id)


@pytest.fixture
def make_pool(new_pool):
    """make_pool(**CreateUserPool params) -> the new pool's id; deleted afterwards."""
    return lambda **params: new_pool(**params)["Id"]


@pytest.fixture
def email_pool(make_pool) -> str:
    """Id of a fresh pool that verifies email addresses by code (AutoVerifiedAttributes)."""
    return make_pool(AutoVerifiedAttributes=["email"])


@pytest.fixture
def app(cognito, email_pool) -> str:
    """Id of an email_pool app client without a secret: USER_PASSWORD_AUTH and refresh."""
    return password_client(cognito, email_pool)["ClientId"]


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    """An app client without a secret that allows every password flow."""
    return cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                           "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                           "ALLOW_CUSTOM_AUTH"])["UserPoolClient"]["ClientId"]


@pytest.fixture
def outbox(http):
    """outbox(**filters) -> list of messages the emulator 'sent'."""
    def read(**filters):
        return http.get("/_emulator/messages", params=filters).json()["messages"]
    return read


@pytest.fixture
def clock(http):
    """Pin/advance the server clock; always put back after the test."""
    class _Clock:
        def pin(self, at=None):
            return http.post("/_emulator/clock", json={"pin": at}).json()

        def advance(self, seconds):
            return http.post("/_emulator/clock", json={"advance": seconds}).json()

        def now(self):
            return http.get("/_emulator/clock").json()["now"]
    yield _Clock()
    http.post("/_emulator/clock", json={"reset": True})
