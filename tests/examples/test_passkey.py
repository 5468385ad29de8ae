"""examples/passkey end to end: the emulator runs the example's config (pool, client and the
three handlers), the test registers a passkey with examples/passkey/register.py and signs in
through CUSTOM_AUTH with a software authenticator, as a browser with a platform passkey would.
"""
import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from webauthn.helpers.exceptions import InvalidRegistrationResponse

from tests.conftest import make_client
from tests.support.factories import claims, error
from tests.support.server import ROOT, RunningServer
from tests.support.webauthn_authenticator import SoftAuthenticator, b64url, from_b64url

EXAMPLE = ROOT / "examples" / "passkey"
POOL_ID = "us-east-1_Passkey01"
CLIENT_ID = "passkey0example0client0001"
ORIGIN = "http://localhost:3000"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def _load_register():
    """examples/passkey/register.py, which imports passkeys.py from its folder as the
    handlers do; the folder leaves sys.path again afterwards."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        spec = importlib.util.spec_from_file_location("passkey_example_register",
                                                      EXAMPLE / "register.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLE))
    return module, sys.modules["passkeys"]


register, passkeys = _load_register()


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):
    return tmp_path_factory.mktemp("passkey") / "passkeys.json"


@pytest.fixture(scope="module")
def server(store_file):
    with RunningServer(["--in-memory", "--log-level", "info",
                        "--config", str(EXAMPLE / "config.yaml")],
                       env={"PASSKEY_STORE_FILE": str(store_file)}) as running:
        yield running


@pytest.fixture(autouse=True)
def same_store(monkeypatch, store_file):
    # register.py (in this process) and the handlers (in the emulator's workers) share it.
    monkeypatch.setenv("PASSKEY_STORE_FILE", str(store_file))


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.url)


def rejected(server, username: str, reason: str) -> None:
    """Verify logged why it refused (handlers' prints go to the emulator's log, INFO)."""
    line = f"passkey rejected for {username}: {reason}"
    deadline = time.monotonic() + 5
    while line not in server.output():
        assert time.monotonic() < deadline, f"not in the emulator log: {line}"
        time.sleep(0.02)




def new_user(idp) -> str:
    name = f"user-{uuid.uuid4().hex[:8]}"
    idp.admin_create_user(UserPoolId=POOL_ID, Username=name, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    idp.admin_set_user_password(UserPoolId=POOL_ID, Username=name, Password="Example-Passw0rd!",
                                Permanent=True)
    return name


def register_passkey(idp, username, authenticator=None) -> tuple[SoftAuthenticator, dict]:
    """First sign-in with the password, then add a passkey as a signed-in user."""
    authenticator = authenticator or SoftAuthenticator()
    tokens = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username,
                                               "PASSWORD": "Example-Passw0rd!"})
    options, state = register.begin(idp, tokens["AuthenticationResult"]["AccessToken"])
    credential = register.finish(state, authenticator.create(options, origin=ORIGIN))
    return authenticator, credential


def start(idp, username):
    started = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": username})
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    return started


def answer(idp, started, assertion):
    return idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID, ChallengeName="CUSTOM_CHALLENGE", Session=started["Session"],
        ChallengeResponses={"USERNAME": started["ChallengeParameters"]["USERNAME"],
                            "ANSWER": assertion if isinstance(assertion, str)
                            else json.dumps(assertion)})


def options_of(started) -> dict:
    return json.loads(started["ChallengeParameters"]["passkeyOptions"])


def test_register_then_sign_in_with_the_passkey(idp):
    username = new_user(idp)
    authenticator, credential = register_passkey(idp, username)
    [stored] = passkeys.credentials(username)
    assert {key: stored[key] for key in credential} == credential
    assert credential["signCount"] == 0 and credential["transports"] == ["internal"]

    started = start(idp, username)
    options = options_of(started)
    assert set(started["ChallengeParameters"]) == {"passkeyOptions", "USERNAME"}
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "required"
    assert options["timeout"] == 120000
    assert [c["id"] for c in options["allowCredentials"]] == [credential["id"]]
    assert len(options["challenge"]) == 43     # 32 random bytes, base64url

    done = answer(idp, started, authenticator.get(options, origin=ORIGIN))
    result = done["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(result)
    assert claims(result["IdToken"])["cognito:username"] == username
    assert passkeys.find(username, credential["id"])["signCount"] == 1

    # Again: a new challenge, the counter moves on.
    again = start(idp, username)
    assert options_of(again)["challenge"] != options["challenge"]
    assert "AuthenticationResult" in answer(idp, again, authenticator.get(options_of(again),
                                                                          origin=ORIGIN))
    assert passkeys.find(username, credential["id"])["signCount"] == 2

    # The refresh token works like any other.
    refreshed = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})
    assert "AccessToken" in refreshed["AuthenticationResult"]


def test_seeded_user_registers_and_signs_in(idp):
    authenticator, _ = register_passkey(idp, "alice")
    started = start(idp, "alice")
    done = answer(idp, started, authenticator.get(options_of(started), origin=ORIGIN))
    assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_replayed_assertion_fails(idp, server):
    username = new_user(idp)
    authenticator, credential = register_passkey(idp, username)
    first = start(idp, username)
    assertion = authenticator.get(options_of(first), origin=ORIGIN)
    answer(idp, first, assertion)

    # The same signed assertion, sent to a new sign-in: signed over the old challenge.
    second = start(idp, username)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, second, assertion)
    assert error(caught) == INCORRECT
    rejected(server, username, "Client data challenge was not expected challenge")
    assert passkeys.find(username, credential["id"])["signCount"] == 1


def test_assertion_from_another_key_fails(idp, server):
    username = new_user(idp)
    _, credential = register_passkey(idp, username)
    # An impostor that knows the credential id (it's public) but not the private key.
    impostor = SoftAuthenticator()
    impostor.add_credential("localhost", credential_id=from_b64url(credential["id"]))
    started = start(idp, username)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, started, impostor.get(options_of(started), origin=ORIGIN))
    assert error(caught) == INCORRECT
    rejected(server, username, "Could not verify authentication signature")
    assert passkeys.find(username, credential["id"])["signCount"] == 0


def test_counter_that_did_not_increase_fails(idp, server):
    username = new_user(idp)
    authenticator, credential = register_passkey(idp, username)
    cloned = authenticator.clone()          # a copy of the device, counter at 0
    first = start(idp, username)
    answer(idp, first, authenticator.get(options_of(first), origin=ORIGIN))  # counter 1

    # The clone signs the right challenge with the right key, but its counter says 1 again.
    second = start(idp, username)
    assertion = cloned.get(options_of(second), origin=ORIGIN)
    assert cloned.credentials[next(iter(cloned.credentials))].sign_count == 1
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, second, assertion)
    assert error(caught) == INCORRECT
    rejected(server, username, "Response sign count of 1 was not greater than current count of 1")
    assert passkeys.find(username, credential["id"])["signCount"] == 1


def test_assertion_for_another_origin_fails(idp, server):
    username = new_user(idp)
    authenticator, _ = register_passkey(idp, username)
    started = start(idp, username)
    phished = authenticator.get(options_of(started), origin="http://evil.localhost:3000")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, started, phished)
    assert error(caught) == INCORRECT
    rejected(server, username, 'Unexpected client data origin "http://evil.localhost:3000"')


def test_answer_that_is_not_an_assertion_fails(idp, server):
    username = new_user(idp)
    register_passkey(idp, username)
    for garbage in ("not json", "[]", json.dumps({"id": "nope"})):
        started = start(idp, username)
        with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
            answer(idp, started, garbage)
        assert error(caught) == INCORRECT
    rejected(server, username, "unknown credential id")


def test_user_without_passkey_and_unknown_user_look_alike(idp):
    username = new_user(idp)
    known = options_of(start(idp, username))
    unknown_started = start(idp, f"nobody-{uuid.uuid4().hex[:8]}")
    unknown = options_of(unknown_started)
    assert known["allowCredentials"] == unknown["allowCredentials"] == []
    assert set(known) == set(unknown)
    # Whatever the unknown user's "authenticator" says, it fails the same way.
    stranger = SoftAuthenticator()
    stranger.add_credential("localhost")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, unknown_started, stranger.get(unknown, origin=ORIGIN))
    assert error(caught) == INCORRECT


def test_registration_checks_the_challenge_and_origin(idp):
    username = new_user(idp)
    tokens = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username,
                                               "PASSWORD": "Example-Passw0rd!"})
    access = tokens["AuthenticationResult"]["AccessToken"]
    options, state = register.begin(idp, access)
    authenticator = SoftAuthenticator()
    response = authenticator.create(options, origin=ORIGIN)
    # An answer made for another registration ceremony (its challenge) is refused...
    _, other_state = register.begin(idp, access)
    with pytest.raises(InvalidRegistrationResponse):
        register.finish(other_state, response)
    # ...and so is one made on another site.
    with pytest.raises(InvalidRegistrationResponse):
        register.finish(state, authenticator.create(options, origin="http://evil.localhost:3000"))
    assert passkeys.credentials(username) == []
    # The genuine answer is stored; a second registration then excludes that credential.
    stored = register.finish(state, response)
    again, _ = register.begin(idp, access)
    assert [c["id"] for c in json.loads(again)["excludeCredentials"]] == [stored["id"]]
    assert json.loads(again)["user"]["id"] == b64url(claims(access)["sub"].encode())


def test_demo_script_runs(idp, server, store_file):
    username = new_user(idp)
    run = subprocess.run([sys.executable, str(EXAMPLE / "demo.py"), "--endpoint", server.url,
                          "--username", username], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PASSKEY_STORE_FILE": str(store_file)})
    assert run.returncode == 0, run.stderr
    assert "signed in; access token: eyJ" in run.stdout
    assert len(passkeys.credentials(username)) == 1
