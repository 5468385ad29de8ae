"""Who may sign in: unknown users (with and without PreventUserExistenceErrors), user
status (disabled, unconfirmed, reset required), the failed-password lockout, and the
timing of unknown-user answers."""
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import PASSWORD, attribute_list, create_user, error, unique_name
from tests.support.factories import password_sign_in as sign_in
from tests.support.server import RunningServer
from tests.support.srp_client import SrpClient

WRONG = "Wr0ng-passw0rd!"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def make_user(cognito, pool_id):
    """make_user() -> name of a CONFIRMED user with an (unverified unless asked) email."""
    def make(*, verified_email=False):
        name = unique_name("r")
        contact = {"email": f"{name}@example.com"}
        if verified_email:
            contact["email_verified"] = True
        return create_user(cognito, pool_id, name, attributes=attribute_list(**contact))
    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def quiet_client(cognito, pool_id) -> str:
    """PreventUserExistenceErrors = ENABLED."""
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="quiet",
                                           PreventUserExistenceErrors="ENABLED",
                                           ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]


def admin_sign_in(cognito, pool_id, client_id, username, password=PASSWORD):
    return cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                       AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})


def fails(fn, *args) -> tuple[str, str]:
    with pytest.raises(ClientError) as e:
        fn(*args)
    return error(e)


def srp_sign_in(cognito, pool_id, client_id, username, password, clock=None):
    """USER_SRP_AUTH then PASSWORD_VERIFIER; given the clock fixture, the TIMESTAMP follows
    the (pinned) emulator clock."""
    srp = SrpClient(pool_id, username, password)
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters=srp.auth_params())
    now = datetime.fromtimestamp(clock.now(), UTC) if clock else None
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=srp.answer(first["ChallengeParameters"], now=now))


# --- unknown users --------------------------------------------------------------------------

def test_unknown_user_legacy(cognito, pool_id, client_id):
    assert fails(sign_in, cognito, client_id, "nobody") == \
        ("UserNotFoundException", "User does not exist.")
    assert fails(admin_sign_in, cognito, pool_id, client_id, "nobody") == \
        ("UserNotFoundException", "User does not exist.")


def test_unknown_user_hidden_when_enabled(cognito, pool_id, quiet_client, user):
    assert fails(sign_in, cognito, quiet_client, "nobody") == INCORRECT
    assert fails(admin_sign_in, cognito, pool_id, quiet_client, "nobody") == INCORRECT
    assert fails(sign_in, cognito, quiet_client, user, WRONG) == INCORRECT


# --- user status (checked only once the password is right) ---------------------------------

def test_disabled_user(cognito, pool_id, client_id, user):
    cognito.admin_disable_user(UserPoolId=pool_id, Username=user)
    assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT
    assert fails(sign_in, cognito, client_id, user) == \
        ("NotAuthorizedException", "User is disabled.")
    assert fails(srp_sign_in, cognito, pool_id, client_id, user, PASSWORD) == \
        ("NotAuthorizedException", "User is disabled.")
    cognito.admin_enable_user(UserPoolId=pool_id, Username=user)
    assert sign_in(cognito, client_id, user)["AuthenticationResult"]


@pytest.mark.parametrize("prevent", [False, True])
def test_unconfirmed_user(cognito, pool_id, client_id, quiet_client, prevent):
    cid = quiet_client if prevent else client_id
    name = f"signup-{uuid.uuid4().hex[:6]}"
    cognito.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    assert fails(sign_in, cognito, cid, name, WRONG) == INCORRECT
    assert fails(sign_in, cognito, cid, name) == \
        ("UserNotConfirmedException", "User is not confirmed.")
    assert fails(srp_sign_in, cognito, pool_id, cid, name, PASSWORD) == \
        ("UserNotConfirmedException", "User is not confirmed.")
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    assert sign_in(cognito, cid, name)["AuthenticationResult"]


def test_reset_required_legacy(cognito, pool_id, client_id, make_user):
    name = make_user(verified_email=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=name)
    reset = ("PasswordResetRequiredException", "Password reset required for the user")
    assert fails(sign_in, cognito, client_id, name, WRONG) == reset
    assert fails(sign_in, cognito, client_id, name) == reset
    srp = SrpClient(pool_id, name, PASSWORD)
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters=srp.auth_params())
    assert error(e) == reset


def test_reset_required_hidden_without_the_password(cognito, pool_id, quiet_client, make_user):
    name = make_user(verified_email=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username=name)
    assert fails(sign_in, cognito, quiet_client, name, WRONG) == INCORRECT
    assert fails(sign_in, cognito, quiet_client, name) == \
        ("PasswordResetRequiredException", "Password reset required for the user")


# --- lockout ----------------------------------------------------------------------------------

def test_lockout_sequence(cognito, client_id, user, clock):
    clock.pin()
    for _ in range(5):
        assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT
    # 5 failures: locked for 1 s, even for the right password
    assert fails(sign_in, cognito, client_id, user) == LOCKED
    clock.advance(0.5)
    assert fails(sign_in, cognito, client_id, user, WRONG) == LOCKED  # not counted ...
    clock.advance(0.6)                                                # ... nor extending
    assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT  # 6th: 2 s
    clock.advance(1.5)
    assert fails(sign_in, cognito, client_id, user) == LOCKED
    clock.advance(0.6)
    assert sign_in(cognito, client_id, user)["AuthenticationResult"]  # success resets
    for _ in range(4):
        assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT
    assert sign_in(cognito, client_id, user)["AuthenticationResult"]


def test_lockout_doubles_up_to_fifteen_minutes(cognito, client_id, user, clock):
    clock.pin()
    for _ in range(5):
        fails(sign_in, cognito, client_id, user, WRONG)
    for n in range(6, 16):  # each failure right after the previous lock ended
        clock.advance(2 ** (n - 6) + 0.01)
        assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT
    # 15 failures: 2^10 s would be 1024 s, capped at 900 s
    clock.advance(899)
    assert fails(sign_in, cognito, client_id, user) == LOCKED
    clock.advance(2)
    assert sign_in(cognito, client_id, user)["AuthenticationResult"]


def test_lockout_forgets_after_fifteen_quiet_minutes(cognito, client_id, user, clock):
    clock.pin()
    for _ in range(5):
        fails(sign_in, cognito, client_id, user, WRONG)
    clock.advance(15 * 60 + 1)
    assert fails(sign_in, cognito, client_id, user, WRONG) == INCORRECT  # count is 1 again
    assert sign_in(cognito, client_id, user)["AuthenticationResult"]


def test_srp_failures_count_and_lock_srp(cognito, pool_id, client_id, user, clock):
    clock.pin()
    for _ in range(5):
        assert fails(srp_sign_in, cognito, pool_id, client_id, user, WRONG, clock) == INCORRECT
    assert fails(sign_in, cognito, client_id, user) == LOCKED
    assert fails(srp_sign_in, cognito, pool_id, client_id, user, PASSWORD, clock) == LOCKED
    clock.advance(1.1)
    assert srp_sign_in(cognito, pool_id, client_id, user, PASSWORD, clock)["AuthenticationResult"]


def test_lockout_survives_in_the_sqlite_store():
    """The failed-attempt count is written although the call answers an error."""
    with tempfile.TemporaryDirectory() as data, \
            RunningServer(["--data-dir", data, "--log-level", "warning"]) as server:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="disk")["UserPool"]["Id"]
        cid = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c",
                                              ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="dave", MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="dave", Password=PASSWORD,
                                        Permanent=True)
        for _ in range(5):
            assert fails(sign_in, cognito, cid, "dave", WRONG) == INCORRECT
        assert fails(sign_in, cognito, cid, "dave") == LOCKED


# --- timing -----------------------------------------------------------------------------------

def test_unknown_user_costs_as_much_as_a_wrong_password(cognito, quiet_client, user, clock):
    """With PreventUserExistenceErrors the answer time must not tell whether a user exists:
    both paths derive an SRP verifier. Medians of 30 interleaved calls within a factor 2."""
    clock.pin()
    known, unknown = [], []
    for i in range(30):
        clock.advance(15 * 60 + 1)  # keep the known user below the lockout threshold
        for name, bucket in ((user, known), (f"ghost-{i}", unknown)):
            start = time.perf_counter()
            assert fails(sign_in, cognito, quiet_client, name, WRONG) == INCORRECT
            bucket.append(time.perf_counter() - start)
    k, u = statistics.median(known), statistics.median(unknown)
    assert 0.5 < k / u < 2.0, (k, u)
