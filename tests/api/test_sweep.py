"""Expired records as a client sees them: refused before the sweep reaches them (the readers
check expiry), gone after it (POST /_emulator/sweep, or the --sweep-interval thread)."""
import time

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import error, password_client, password_sign_in
from tests.support.server import RunningServer

TEMP = "Temp-Passw0rd!"
EXPIRED = ("NotAuthorizedException", "Invalid session for the user, session is expired.")
UNKNOWN = ("NotAuthorizedException", "Invalid session for the user.")


def _emulator(*args):
    with RunningServer(["--in-memory", "--log-level", "warning", *args]) as srv:
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            yield srv.url, make_client(srv.url), http


@pytest.fixture(scope="module")
def unswept():
    """An emulator whose background sweep is off: only POST /_emulator/sweep sweeps."""
    yield from _emulator("--sweep-interval", "0")


@pytest.fixture(scope="module")
def swept():
    """An emulator sweeping every tenth of a second."""
    yield from _emulator("--sweep-interval", "0.1")


def challenge(cognito, name: str):
    """(client id, a NEW_PASSWORD_REQUIRED session) of a new user in a new pool."""
    pool_id = cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
    client_id = password_client(cognito, pool_id)["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, TemporaryPassword=TEMP,
                              MessageAction="SUPPRESS")
    return client_id, lambda: password_sign_in(cognito, client_id, name, TEMP)["Session"]


def answer(cognito, client_id: str, name: str, session: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": "Brand-new-passw0rd"})
    return error(e)


def test_an_expired_session_is_refused_before_the_sweep_and_gone_after(unswept):
    _, cognito, http = unswept
    assert http.get("/_emulator/sweep").json() == {"interval": 0, "runs": 0, "last": {}}
    client_id, sign_in = challenge(cognito, "alice")
    first, second = sign_in(), sign_in()
    now = http.get("/_emulator/clock").json()["now"]
    http.post("/_emulator/clock", json={"pin": now + 181})  # AuthSessionValidity: 3 minutes
    try:
        assert answer(cognito, client_id, "alice", first) == EXPIRED  # still stored, refused
        assert http.post("/_emulator/sweep").json() == {"deleted": {"auth_session": 1}}
        assert answer(cognito, client_id, "alice", second) == UNKNOWN  # swept: gone
        assert http.post("/_emulator/sweep").json() == {"deleted": {}}
    finally:
        http.post("/_emulator/clock", json={"reset": True})


def test_a_live_session_survives_the_sweep(unswept):
    _, cognito, http = unswept
    client_id, sign_in = challenge(cognito, "bob")
    session = sign_in()
    assert http.post("/_emulator/sweep").json() == {"deleted": {}}
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": "Brand-new-passw0rd"})
    assert done["AuthenticationResult"]["AccessToken"]


def test_the_background_sweep_runs_every_interval(swept):
    _, cognito, http = swept
    assert http.get("/_emulator/sweep").json()["interval"] == 0.1
    client_id, sign_in = challenge(cognito, "carol")
    session = sign_in()
    http.post("/_emulator/clock", json={"advance": 181})
    try:
        runs = http.get("/_emulator/sweep").json()["runs"]
        deadline = time.monotonic() + 20
        while http.get("/_emulator/sweep").json()["runs"] < runs + 2 \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        # At least one whole run began after the clock moved: the session is gone.
        assert answer(cognito, client_id, "carol", session) == UNKNOWN
    finally:
        http.post("/_emulator/clock", json={"reset": True})


def test_auth_events_go_after_two_years(unswept):
    """COGNITO_REFERENCE 5.3: events are retained for two years. Past that, the history no
    longer lists them, and the sweep deletes them."""
    _, cognito, http = unswept
    pool_id = cognito.create_user_pool(
        PoolName="retention", UserPoolTier="PLUS",
        UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"]["Id"]
    client_id = password_client(cognito, pool_id)["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="dora",
                                    Password="Retention-Passw0rd!x", Permanent=True)
    password_sign_in(cognito, client_id, "dora", "Retention-Passw0rd!x")

    def listed():
        return cognito.admin_list_user_auth_events(UserPoolId=pool_id,
                                                   Username="dora")["AuthEvents"]
    assert [e["EventType"] for e in listed()] == ["SignIn"]
    assert "expiresAt" not in listed()[0]
    now = http.get("/_emulator/clock").json()["now"]
    try:
        http.post("/_emulator/clock", json={"pin": now + 2 * 365 * 86400 - 60})
        assert http.post("/_emulator/sweep").json() == {"deleted": {}}
        assert len(listed()) == 1                 # a minute short of two years: kept
        http.post("/_emulator/clock", json={"pin": now + 2 * 365 * 86400 + 60})
        assert listed() == []                     # past retention: not listed, before any sweep
        assert http.post("/_emulator/sweep").json() == {"deleted": {"authevent": 1}}
    finally:
        http.post("/_emulator/clock", json={"reset": True})
