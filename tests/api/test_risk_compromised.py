"""Compromised credentials through boto3 (issue #16): a decorated breached password
(`Password123!`) is blocked at sign-in under CompromisedCredentialsRiskConfiguration BLOCK and
the user must reset it, a strong one signs in; a breach file named in the config file's `risk:`
(plain or SHA-1) catches passwords zxcvbn's lists don't know; a missing file stops the start."""
import hashlib

import pytest
from botocore.exceptions import ClientError

from risk import is_compromised
from tests.api.test_risk_signin import (
    BLOCKED,
    LONDON,
    PASSWORD,
    events,
    protected_pool,
    sign_in,
)
from tests.conftest import make_client
from tests.support.factories import create_user, error, unique_name
from tests.support.server import RunningServer

RESET = "PasswordResetRequiredException"


def block_compromised(cognito, pool_id):
    cognito.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={
        "EventFilter": ["SIGN_IN"], "Actions": {"EventAction": "BLOCK"}})


def public_sign_in(cognito, client_id, name, password):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": name, "PASSWORD": password})


@pytest.mark.parametrize("password", ["Password123!", "Summer2024!", "Welcome@2024"])
def test_decorated_breached_password_is_blocked_and_must_be_reset(cognito, new_pool, clock,
                                                                  password):
    pool_id, client_id = protected_pool(cognito, new_pool, clock, "ENFORCED")
    block_compromised(cognito, pool_id)
    name = create_user(cognito, pool_id, unique_name("u"), password=password)
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool_id, client_id, name, LONDON, "laptop", password=password)
    assert error(exc) == BLOCKED
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as exc:
        public_sign_in(cognito, client_id, name, password)
    assert error(exc)[0] == RESET
    event = events(cognito, pool_id, name)[-1]
    assert event["EventType"] == "SignIn" and event["EventResponse"] == "Fail"
    assert event["EventRisk"]["CompromisedCredentialsDetected"] is True


def test_strong_password_signs_in(cognito, new_pool, clock):
    pool_id, client_id = protected_pool(cognito, new_pool, clock, "ENFORCED")
    block_compromised(cognito, pool_id)
    name = create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)
    assert "AccessToken" in public_sign_in(cognito, client_id, name, PASSWORD)[
        "AuthenticationResult"]
    event = events(cognito, pool_id, name)[0]
    assert event["EventResponse"] == "Pass"
    assert event["EventRisk"]["CompromisedCredentialsDetected"] is False


# --- breach files from the config file ----------------------------------------------------------

LEAKED_PLAIN = "Zebra-Kettle-Mosaic7"       # the built-in rules find neither of these two
LEAKED_HASHED = "Orchid-Lamp-Basket-9"
UNLISTED = "Quiet-Lantern-58x"


@pytest.fixture(scope="module")
def breach_server(tmp_path_factory):
    """An emulator whose config file names two breach files, relative to its folder: a plain
    one and one in the Pwned Passwords download format (SHA1:COUNT)."""
    folder = tmp_path_factory.mktemp("breach")
    (folder / "plain.txt").write_text(f"{LEAKED_PLAIN}\n")
    digest = hashlib.sha1(LEAKED_HASHED.encode()).hexdigest().upper()
    (folder / "pwned.txt").write_text(f"{'0' * 40}:5\n{digest}:42\n")
    config = folder / "emulator.yaml"
    config.write_text("risk:\n  compromised_passwords_file: [plain.txt, pwned.txt]\n")
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)]) \
            as running:
        yield running


@pytest.mark.parametrize("password,blocked", [
    (LEAKED_PLAIN, True), (LEAKED_PLAIN.swapcase(), True), (LEAKED_HASHED, True),
    (UNLISTED, False)])
def test_breach_file_from_the_config_file(breach_server, password, blocked):
    assert not is_compromised(password)          # only the file can catch it
    idp = make_client(breach_server.url)
    pool_id = idp.create_user_pool(PoolName="breach", UserPoolTier="PLUS", UserPoolAddOns={
        "AdvancedSecurityMode": "ENFORCED"})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    block_compromised(idp, pool_id)
    name = create_user(idp, pool_id, unique_name("u"), password=password)
    if blocked:
        with pytest.raises(ClientError) as exc:
            public_sign_in(idp, client_id, name, password)
        assert error(exc) == BLOCKED
    else:
        assert "AuthenticationResult" in public_sign_in(idp, client_id, name, password)
    detected = events(idp, pool_id, name)[0]["EventRisk"]["CompromisedCredentialsDetected"]
    assert detected is blocked


def test_missing_breach_file_stops_the_start(tmp_path):
    config = tmp_path / "emulator.yaml"
    config.write_text("risk:\n  compromised_passwords_file: gone.txt\n")
    with pytest.raises(RuntimeError, match="exited with 1") as exc:
        RunningServer(["--in-memory", "--config", str(config)])
    assert f"compromised passwords file {tmp_path / 'gone.txt'}" in str(exc.value)
    assert "No such file or directory" in str(exc.value)
