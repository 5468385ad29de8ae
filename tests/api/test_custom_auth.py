"""CUSTOM_AUTH: the Define / Create / Verify loop through boto3, with the test handlers
(tests/lambdas/custom_auth_py.py and custom_auth_node.mjs) run by the Python and the Node
runner. The handlers log every event they receive to a file, so the event shapes
(request.session history, clientMetadata, userNotFound ...) are asserted as the
functions saw them."""
import concurrent.futures
import json
import time
import uuid

import httpx
import pytest

from tests.conftest import make_client
from tests.support.clients import requires
from tests.support.factories import PASSWORD, claims, create_user, error
from tests.support.server import ROOT, RunningServer
from tests.support.srp_client import SrpClient

LAMBDAS = ROOT / "tests" / "lambdas"
FUNCTIONS = {"py": "custom-auth-py", "node": "custom-auth-node"}
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")
RUNNERS = ["py", pytest.param("node", marks=requires("node"))]


@pytest.fixture(scope="module")
def events_path(tmp_path_factory):
    return tmp_path_factory.mktemp("custom-auth") / "events.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory, events_path):
    folder = tmp_path_factory.mktemp("custom-auth-config")
    config = folder / "emulator.json"
    config.write_text(json.dumps({"functions": {
        FUNCTIONS["py"]: f"{LAMBDAS / 'custom_auth_py.py'}:handler",
        FUNCTIONS["node"]: str(LAMBDAS / "custom_auth_node.mjs"),
    }}))
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)],
                       env={"COGNITO_TEST_EVENTS_FILE": str(events_path)}) as running:
        yield running


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.url)


@pytest.fixture
def clock(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        class _Clock:
            def advance(self, seconds):
                return http.post("/_emulator/clock", json={"advance": seconds}).json()
        yield _Clock()
        http.post("/_emulator/clock", json={"reset": True})


@pytest.fixture(params=RUNNERS)
def runner(request):
    return request.param


def arn(function: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{function}"


class Setup:
    """A pool whose three challenge triggers point at one runner's test handler."""

    def __init__(self, idp, runner, events_path, *, triggers=True, more_triggers=(),
                 **client_params):
        lambda_config = {}
        if triggers:
            lambda_config = {name: arn(FUNCTIONS[runner]) for name in (
                "DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse",
                *more_triggers)}
        self.runner = runner
        self.idp = idp
        self.events_path = events_path
        self.pool_id = idp.create_user_pool(PoolName=f"custom-{uuid.uuid4().hex[:8]}",
                                            LambdaConfig=lambda_config)["UserPool"]["Id"]
        client_params.setdefault("ExplicitAuthFlows", [
            "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        self.client = idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="app",
                                                  **client_params)["UserPoolClient"]
        self.client_id = self.client["ClientId"]

    def user(self, mode="user", **kwargs) -> str:
        return create_user(self.idp, self.pool_id, f"{mode}-{uuid.uuid4().hex[:8]}", **kwargs)

    def start(self, username, *, metadata=None, **auth):
        extra = {"ClientMetadata": metadata} if metadata else {}
        return self.idp.initiate_auth(ClientId=self.client_id, AuthFlow="CUSTOM_AUTH",
                                      AuthParameters={"USERNAME": username, **auth}, **extra)

    def answer(self, username, session, answer, *, metadata=None, **responses):
        extra = {"ClientMetadata": metadata} if metadata else {}
        return self.idp.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
            ChallengeResponses={"USERNAME": username, "ANSWER": answer, **responses}, **extra)

    def events(self, source: str | None = None) -> list[dict]:
        """The events this pool's functions received, oldest first. Only whole lines: a
        function may be writing the next one right now."""
        if not self.events_path.exists():
            return []
        complete = self.events_path.read_text().split("\n")[:-1]
        found = [json.loads(line) for line in complete if line.strip()]
        return [e for e in found if e.get("userPoolId") == self.pool_id
                and (source is None or e["triggerSource"].startswith(source))]


@pytest.fixture
def setup(idp, runner, events_path):
    made = []

    def make(**kwargs):
        s = Setup(idp, runner, events_path, **kwargs)
        made.append(s.pool_id)
        return s
    yield make
    for pool_id in made:
        idp.delete_user_pool(UserPoolId=pool_id)


def entry(name, result, metadata=None):
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


# --- the two-round loop ----------------------------------------------------------------------

def test_two_rounds_right_answers_issue_tokens(setup):
    s = setup()
    name = s.user()
    first = s.start(name, metadata={"from": "initiate"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "code for round 1?", "round": "1",
                                            "USERNAME": name}
    second = s.answer(name, first["Session"], "answer-1", metadata={"step": "one"})
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["ChallengeParameters"]["round"] == "2"
    assert second["Session"] != first["Session"]
    done = s.answer(name, second["Session"], "answer-2", metadata={"step": "two"})
    result = done["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == name
    assert claims(result["IdToken"])["cognito:username"] == name
    assert result["RefreshToken"]
    assert "ChallengeName" not in done

    sources = [e["triggerSource"].split("_")[0] for e in s.events()]
    assert sources == ["DefineAuthChallenge", "CreateAuthChallenge",
                       "VerifyAuthChallengeResponse", "DefineAuthChallenge",
                       "CreateAuthChallenge", "VerifyAuthChallengeResponse",
                       "DefineAuthChallenge"]
    define = s.events("DefineAuthChallenge")
    create = s.events("CreateAuthChallenge")
    verify = s.events("VerifyAuthChallengeResponse")
    # the envelope
    d0 = define[0]
    assert d0["version"] == "1" and d0["region"] == "us-east-1"
    assert d0["userName"] == name and d0["userPoolId"] == s.pool_id
    assert d0["callerContext"]["clientId"] == s.client_id
    assert d0["triggerSource"] == "DefineAuthChallenge_Authentication"
    assert d0["response"] == {"challengeName": None, "issueTokens": None,
                              "failAuthentication": None}
    # Define: history grows; InitiateAuth's ClientMetadata never reaches the loop
    assert d0["request"]["session"] == []
    assert "clientMetadata" not in d0["request"] and "userNotFound" not in d0["request"]
    attrs = d0["request"]["userAttributes"]
    assert attrs["cognito:user_status"] == "CONFIRMED" and attrs["sub"]
    assert define[1]["request"]["session"] == [entry("CUSTOM_CHALLENGE", True, "ROUND-1")]
    assert define[1]["request"]["clientMetadata"] == {"step": "one"}
    assert define[2]["request"]["session"] == [entry("CUSTOM_CHALLENGE", True, "ROUND-1"),
                                               entry("CUSTOM_CHALLENGE", True, "ROUND-2")]
    assert define[2]["request"]["clientMetadata"] == {"step": "two"}
    # Create: the challenge name and the completed rounds only
    assert create[0]["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert create[0]["request"]["session"] == []
    assert create[0]["response"] == {"publicChallengeParameters": None,
                                     "privateChallengeParameters": None,
                                     "challengeMetadata": None}
    assert create[1]["request"]["session"] == [entry("CUSTOM_CHALLENGE", True, "ROUND-1")]
    assert create[1]["request"]["clientMetadata"] == {"step": "one"}
    # Verify: the private parameters and the answer
    assert verify[0]["request"]["privateChallengeParameters"] == {"answer": "answer-1"}
    assert verify[0]["request"]["challengeAnswer"] == "answer-1"
    assert verify[0]["request"]["clientMetadata"] == {"step": "one"}
    assert verify[0]["response"] == {"answerCorrect": None}
    assert verify[1]["request"]["privateChallengeParameters"] == {"answer": "answer-2"}


def test_tokens_go_through_post_authentication_and_pre_token_generation(setup):
    s = setup(more_triggers=("PostAuthentication", "PreTokenGeneration"))
    name = s.user()
    session = s.start(name)["Session"]
    session = s.answer(name, session, "answer-1")["Session"]
    result = s.answer(name, session, "answer-2",
                      metadata={"last": "answer"})["AuthenticationResult"]
    assert claims(result["IdToken"])["signed_in_by"] == FUNCTIONS[s.runner]
    post = s.events("PostAuthentication")
    assert len(post) == 1 and post[0]["request"]["clientMetadata"] == {"last": "answer"}
    [token] = s.events("TokenGeneration")
    assert token["triggerSource"] == "TokenGeneration_Authentication"
    sources = [e["triggerSource"].split("_")[0] for e in s.events()]
    assert sources[-3:] == ["DefineAuthChallenge", "PostAuthentication", "TokenGeneration"]


def test_wrong_answer_fails_and_define_sees_the_false_result(setup):
    s = setup()
    name = s.user()
    first = s.start(name)
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, first["Session"], "not-the-answer")
    assert error(exc) == INCORRECT
    assert s.events("DefineAuthChallenge")[-1]["request"]["session"] == [
        entry("CUSTOM_CHALLENGE", False, "ROUND-1")]
    assert s.events("VerifyAuthChallengeResponse")[0]["request"]["challengeAnswer"] == \
        "not-the-answer"
    # the answered session is used up, even though the answer was wrong
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, first["Session"], "answer-1")
    assert error(exc) == INVALID_SESSION


def test_admin_initiate_and_respond(setup):
    s = setup(ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    name = s.user()
    session = s.idp.admin_initiate_auth(UserPoolId=s.pool_id, ClientId=s.client_id,
                                        AuthFlow="CUSTOM_AUTH",
                                        AuthParameters={"USERNAME": name})["Session"]
    for answer in ("answer-1", "answer-2"):
        out = s.idp.admin_respond_to_auth_challenge(
            UserPoolId=s.pool_id, ClientId=s.client_id, ChallengeName="CUSTOM_CHALLENGE",
            Session=session, ChallengeResponses={"USERNAME": name, "ANSWER": answer})
        session = out.get("Session")
    assert out["AuthenticationResult"]["AccessToken"]


def test_secret_hash_client(setup):
    from tests.support.srp_client import secret_hash
    s = setup(GenerateSecret=True)
    name = s.user()
    secret = s.client["ClientSecret"]
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.start(name)
    assert error(exc) == ("NotAuthorizedException",
                          f"Client {s.client_id} is configured for secret but secret was not "
                          "received")
    hashed = secret_hash(name, s.client_id, secret)
    session = s.start(name, SECRET_HASH=hashed)["Session"]
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, session, "answer-1")
    assert error(exc)[1] == \
        f"Client {s.client_id} is configured for secret but secret was not received"
    session = s.start(name, SECRET_HASH=hashed)["Session"]
    session = s.answer(name, session, "answer-1", SECRET_HASH=hashed)["Session"]
    out = s.answer(name, session, "answer-2", SECRET_HASH=hashed)
    assert out["AuthenticationResult"]["AccessToken"]


# --- starting with SRP -----------------------------------------------------------------------

def test_srp_start_password_verifier_then_custom_rounds(setup):
    s = setup()
    name = s.user()
    srp = SrpClient(s.pool_id, name, PASSWORD)
    first = s.start(name, CHALLENGE_NAME="SRP_A", SRP_A=srp.auth_params()["SRP_A"])
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    params = first["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USER_ID_FOR_SRP"] == name
    second = s.idp.respond_to_auth_challenge(ClientId=s.client_id,
                                             ChallengeName="PASSWORD_VERIFIER",
                                             Session=first["Session"],
                                             ChallengeResponses=srp.answer(params))
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["ChallengeParameters"]["round"] == "1"
    third = s.answer(name, second["Session"], "answer-1")
    done = s.answer(name, third["Session"], "answer-2")
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == name

    define = s.events("DefineAuthChallenge")
    assert define[0]["request"]["session"] == [entry("SRP_A", True)]
    assert define[1]["request"]["session"] == [entry("SRP_A", True),
                                               entry("PASSWORD_VERIFIER", True)]
    assert s.events("CreateAuthChallenge")[0]["request"]["session"] == [
        entry("SRP_A", True), entry("PASSWORD_VERIFIER", True)]
    assert define[-1]["request"]["session"] == [
        entry("SRP_A", True), entry("PASSWORD_VERIFIER", True),
        entry("CUSTOM_CHALLENGE", True, "ROUND-1"), entry("CUSTOM_CHALLENGE", True, "ROUND-2")]


def test_srp_start_wrong_password_reaches_define_as_false(setup):
    s = setup()
    name = s.user()
    srp = SrpClient(s.pool_id, name, "Wrong-passw0rd")
    first = s.start(name, CHALLENGE_NAME="SRP_A", SRP_A=srp.auth_params()["SRP_A"])
    # pycognito-style answer without Session: the SECRET_BLOCK finds the session
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.idp.respond_to_auth_challenge(ClientId=s.client_id, ChallengeName="PASSWORD_VERIFIER",
                                        ChallengeResponses=srp.answer(first["ChallengeParameters"]))
    assert error(exc) == INCORRECT
    assert s.events("DefineAuthChallenge")[-1]["request"]["session"] == [
        entry("SRP_A", True), entry("PASSWORD_VERIFIER", False)]
    assert s.events("CreateAuthChallenge") == []


def test_plain_user_srp_auth_still_works_next_to_custom(setup):
    s = setup()
    name = s.user()
    srp = SrpClient(s.pool_id, name, PASSWORD)
    first = s.idp.initiate_auth(ClientId=s.client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters=srp.auth_params())
    done = s.idp.respond_to_auth_challenge(
        ClientId=s.client_id, ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=srp.answer(first["ChallengeParameters"]))
    assert done["AuthenticationResult"]["AccessToken"]
    assert s.events() == []


def test_password_verifier_needs_an_srp_start(setup):
    s = setup()
    with pytest.raises(s.idp.exceptions.InvalidLambdaResponseException) as exc:
        s.start(s.user("verifier"))  # Define asks PASSWORD_VERIFIER; no SRP_A was sent
    assert error(exc) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_srp_a_is_checked(setup):
    s = setup()
    name = s.user()
    with pytest.raises(s.idp.exceptions.InvalidParameterException) as exc:
        s.start(name, CHALLENGE_NAME="SRP_A", SRP_A="0")
    assert error(exc) == ("InvalidParameterException", "SRP_A is not a valid SRP public value.")
    with pytest.raises(s.idp.exceptions.InvalidParameterException) as exc:
        s.start(name, CHALLENGE_NAME="SRP_A")
    assert error(exc) == ("InvalidParameterException", "Missing required parameter SRP_A")
    assert s.events() == []


# --- unknown users ---------------------------------------------------------------------------

def test_unknown_user_with_prevent_user_existence_errors_runs_a_simulated_loop(setup):
    s = setup(PreventUserExistenceErrors="ENABLED")
    ghost = f"user-{uuid.uuid4().hex[:8]}"
    first = s.start(ghost)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"]["USERNAME"] == ghost
    second = s.answer(ghost, first["Session"], "answer-1")
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        # Define says issueTokens, but there is no one to issue them to
        s.answer(ghost, second["Session"], "answer-2")
    assert error(exc) == INCORRECT
    for event in s.events():
        assert event["request"]["userNotFound"] is True
        assert event["request"]["userAttributes"] == {}
        assert event["userName"] == ghost


def test_unknown_user_legacy_is_user_not_found(setup):
    s = setup()
    with pytest.raises(s.idp.exceptions.UserNotFoundException) as exc:
        s.start("user-nobody")
    assert error(exc) == ("UserNotFoundException", "User does not exist.")
    assert s.events() == []


def test_unknown_user_srp_start_is_simulated_and_fails(setup):
    s = setup(PreventUserExistenceErrors="ENABLED")
    ghost = f"user-{uuid.uuid4().hex[:8]}"
    srp = SrpClient(s.pool_id, ghost, PASSWORD)
    first = s.start(ghost, CHALLENGE_NAME="SRP_A", SRP_A=srp.auth_params()["SRP_A"])
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.idp.respond_to_auth_challenge(ClientId=s.client_id, ChallengeName="PASSWORD_VERIFIER",
                                        Session=first["Session"],
                                        ChallengeResponses=srp.answer(first["ChallengeParameters"]))
    assert error(exc) == INCORRECT
    last = s.events("DefineAuthChallenge")[-1]["request"]
    assert last["session"] == [entry("SRP_A", True), entry("PASSWORD_VERIFIER", False)]
    assert last["userNotFound"] is True


# --- Define's other answers, status and configuration errors ---------------------------------

def test_fail_authentication(setup):
    s = setup()
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.start(s.user("failnow"))
    assert error(exc) == INCORRECT


def test_define_issues_tokens_at_once(setup):
    s = setup()
    name = s.user("tokensnow")
    out = s.start(name)
    assert claims(out["AuthenticationResult"]["AccessToken"])["username"] == name
    assert [e["triggerSource"] for e in s.events()] == ["DefineAuthChallenge_Authentication"]


def test_passwordless_admin_created_user_gets_tokens(setup):
    s = setup()
    name = s.user("tokensnow", permanent=False)  # FORCE_CHANGE_PASSWORD, never signed in
    out = s.start(name)
    assert out["AuthenticationResult"]["AccessToken"]


def test_unknown_challenge_name_is_an_invalid_lambda_response(setup):
    s = setup()
    with pytest.raises(s.idp.exceptions.InvalidLambdaResponseException) as exc:
        s.start(s.user("garbage"))
    assert error(exc) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_round_cap(setup):
    s = setup()
    name = s.user("endless")
    session = s.start(name)["Session"]
    for n in range(1, 10):
        out = s.answer(name, session, f"answer-{n}")
        assert out["ChallengeName"] == "CUSTOM_CHALLENGE"
        session = out["Session"]
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, session, "answer-10")
    assert error(exc) == ("NotAuthorizedException",
                          "Custom authentication exceeded 10 challenges for one sign-in.")
    assert len(s.events("CreateAuthChallenge")) == 10
    assert len(s.events("DefineAuthChallenge")[-1]["request"]["session"]) == 10


def test_disabled_and_unconfirmed_users(setup):
    s = setup()
    disabled = s.user()
    s.idp.admin_disable_user(UserPoolId=s.pool_id, Username=disabled)
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.start(disabled)
    assert error(exc) == ("NotAuthorizedException", "User is disabled.")
    pending = f"user-{uuid.uuid4().hex[:8]}"
    s.idp.sign_up(ClientId=s.client_id, Username=pending, Password=PASSWORD)
    with pytest.raises(s.idp.exceptions.UserNotConfirmedException) as exc:
        s.start(pending)
    assert error(exc) == ("UserNotConfirmedException", "User is not confirmed.")
    assert s.events() == []


def test_disabled_during_the_loop(setup):
    s = setup()
    name = s.user()
    session = s.answer(name, s.start(name)["Session"], "answer-1")["Session"]
    s.idp.admin_disable_user(UserPoolId=s.pool_id, Username=name)
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, session, "answer-2")
    assert error(exc) == ("NotAuthorizedException", "User is disabled.")


def test_triggers_not_configured(setup):
    s = setup(triggers=False)
    with pytest.raises(s.idp.exceptions.InvalidParameterException) as exc:
        s.start(s.user())
    assert error(exc) == ("InvalidParameterException",
                          "Custom auth lambda trigger is not configured for the user pool.")


def test_flow_not_enabled_for_the_client(setup):
    s = setup(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(s.idp.exceptions.InvalidParameterException) as exc:
        s.start(s.user())
    assert error(exc) == ("InvalidParameterException", "CUSTOM_AUTH is not enabled for the client.")


# --- sessions --------------------------------------------------------------------------------

def test_session_single_use_bound_and_expiring(setup, clock):
    s = setup()
    name = s.user()
    other = s.user()
    first = s.start(name)
    second = s.answer(name, first["Session"], "answer-1")
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, first["Session"], "answer-1")  # reused
    assert error(exc) == INVALID_SESSION
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(other, second["Session"], "answer-2")  # another user's answer
    assert error(exc) == INVALID_SESSION

    fresh = s.start(name)
    clock.advance(3 * 60 + 1)  # default AuthSessionValidity: 3 minutes
    with pytest.raises(s.idp.exceptions.NotAuthorizedException) as exc:
        s.answer(name, fresh["Session"], "answer-1")
    assert error(exc) == ("NotAuthorizedException",
                          "Invalid session for the user, session is expired.")


def test_session_validity_follows_the_client(setup, clock):
    s = setup(AuthSessionValidity=10)
    name = s.user()
    first = s.start(name)
    clock.advance(9 * 60)
    assert s.answer(name, first["Session"], "answer-1")["ChallengeName"] == "CUSTOM_CHALLENGE"


def test_missing_answer_and_session(setup):
    s = setup()
    name = s.user()
    first = s.start(name)
    with pytest.raises(s.idp.exceptions.InvalidParameterException) as exc:
        s.idp.respond_to_auth_challenge(ClientId=s.client_id, ChallengeName="CUSTOM_CHALLENGE",
                                        Session=first["Session"],
                                        ChallengeResponses={"USERNAME": name})
    assert error(exc) == ("InvalidParameterException", "Missing required parameter ANSWER")


# --- failing functions -----------------------------------------------------------------------

def test_verify_that_throws(setup):
    s = setup()
    name = s.user("verifythrows")
    first = s.start(name)
    with pytest.raises(s.idp.exceptions.UserLambdaValidationException) as exc:
        s.answer(name, first["Session"], "answer-1")
    assert error(exc) == ("UserLambdaValidationException",
                          "VerifyAuthChallengeResponse failed with error answer check exploded.")


def test_hanging_create_times_out_while_others_are_served(setup, idp):
    s = setup()
    name = s.user("hang")
    with concurrent.futures.ThreadPoolExecutor(1) as background:
        began = time.monotonic()
        pending = background.submit(s.start, name)
        # The handler logs the Create event before it hangs: from here on the call is pending.
        deadline = time.monotonic() + 30
        while not any(e["userName"] == name for e in s.events("CreateAuthChallenge")):
            assert time.monotonic() < deadline, "CreateAuthChallenge was never called"
            assert not pending.done(), pending.result()
            time.sleep(0.02)
        # Meanwhile another caller is answered, while the Create call is still pending (a
        # server that handled one call at a time would answer only after it). No clock, but
        # the hanging call ends by itself after the 5 s Lambda timeout, so this call must
        # fit in that window.
        idp.list_user_pools(MaxResults=10)
        assert not pending.done()
        with pytest.raises(s.idp.exceptions.UnexpectedLambdaException) as exc:
            pending.result(timeout=60)  # only a guard against a hang
        seconds = time.monotonic() - began
    assert error(exc)[1].startswith("CreateAuthChallenge ")
    # Cognito's 5 s Lambda timeout was honoured; the handler sleeps 60 s, so an answer at
    # all shows the emulator stopped waiting (no upper bound needed).
    assert seconds >= 4.5
