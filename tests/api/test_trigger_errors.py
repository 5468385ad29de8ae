"""What a caller sees when a trigger's function fails - throws, hangs, answers garbage or
can't be found - and that the failed call leaves nothing half-written."""
import concurrent.futures
import json
import socket
import textwrap
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.factories import PASSWORD, error, unique_name
from tests.support.server import RunningServer

HANDLERS = Path(__file__).resolve().parents[1] / "lambdas" / "triggers_py.py"
FUNCTIONS = ["throws", "hangs", "returns_text", "response_not_object", "bad_claims", "passes"]


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trigger-errors")
    events = tmp / "events.jsonl"
    events.touch()
    config = tmp / "emulator.yaml"
    config.write_text("functions:\n" + textwrap.indent(
        "".join(f"{name}: {HANDLERS}:{name}\n" for name in FUNCTIONS), "  "))
    # An Invoke API endpoint nobody listens on: functions not declared above fail to reach it.
    # The port stays bound (never listening, so connections are refused) for the module's
    # life: no other process can start listening there meanwhile.
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        port = refusing.getsockname()[1]
        with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config),
                            "--lambda-endpoint", f"http://127.0.0.1:{port}"],
                           env={"COGNITO_TEST_EVENTS_FILE": str(events)}) as srv:
            srv.events_file = events
            yield srv


@pytest.fixture(scope="module")
def idp(emu):
    return boto3.client("cognito-idp", endpoint_url=emu.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, read_timeout=30))


def make_pool(idp, **lambda_config) -> str:
    return idp.create_user_pool(
        PoolName=unique_name("errs"), AutoVerifiedAttributes=["email"],
        LambdaConfig={k: arn(v) for k, v in lambda_config.items()})["UserPool"]["Id"]


def make_client(idp, pool_id: str) -> str:
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]


def sign_up(idp, client_id: str, username: str):
    return idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])


def users_of(idp, pool_id: str) -> list[str]:
    return [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]


def events_of(emu, pool_id: str) -> list[dict]:
    """The events this pool's functions received (each handler logs its event first).
    Only whole lines: a function may be writing the next one right now."""
    complete = emu.events_file.read_text().split("\n")[:-1]
    return [ev for ev in map(json.loads, complete) if ev["userPoolId"] == pool_id]


def wait_for_event(emu, pool_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while not events_of(emu, pool_id):
        assert time.monotonic() < deadline, f"no function was called for {pool_id}"
        time.sleep(0.02)
    return events_of(emu, pool_id)[0]


def messages(emu, pool_id: str) -> list[dict]:
    return httpx.get(emu.url + "/_emulator/messages", params={"poolId": pool_id}).json()["messages"]


def test_a_thrown_error_is_user_lambda_validation_exception(idp, emu):
    pool = make_pool(idp, PreSignUp="throws")
    app = make_client(idp, pool)
    with pytest.raises(ClientError) as e:
        sign_up(idp, app, "amy")
    assert error(e) == ("UserLambdaValidationException",
                        "PreSignUp failed with error Nope, not today..")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert users_of(idp, pool) == []


def test_garbage_answers_are_invalid_lambda_responses(idp):
    for function in ("returns_text", "response_not_object"):
        pool = make_pool(idp, PreSignUp=function)
        with pytest.raises(ClientError) as e:
            sign_up(idp, make_client(idp, pool), "ben")
        assert error(e) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
        assert users_of(idp, pool) == []


def test_malformed_claim_overrides_are_refused(idp):
    pool = make_pool(idp, PreTokenGeneration="bad_claims")
    app = make_client(idp, pool)
    idp.admin_create_user(UserPoolId=pool, Username="cal", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="cal", Password=PASSWORD,
                                Permanent=True)
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "cal", "PASSWORD": PASSWORD})
    assert error(e) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_an_unreachable_invoke_endpoint(idp):
    pool = make_pool(idp, PreSignUp="not-deployed")
    with pytest.raises(ClientError) as e:
        sign_up(idp, make_client(idp, pool), "dee")
    code, message = error(e)
    assert code == "UnexpectedLambdaException"
    assert message.startswith("PreSignUp invocation failed due to error ")
    assert "not-deployed" in message  # the runner's explanation names the function
    assert users_of(idp, pool) == []


def test_a_hanging_function_times_out_while_others_are_served(idp, emu):
    pool = make_pool(idp, PreSignUp="hangs")
    app = make_client(idp, pool)
    other = make_pool(idp, PreSignUp="passes")
    other_app = make_client(idp, other)
    with concurrent.futures.ThreadPoolExecutor(1) as pool_exec:
        started = time.monotonic()
        hanging = pool_exec.submit(sign_up, idp, app, "eli")
        # The function logs its event before it hangs: from here on the call is pending.
        assert wait_for_event(emu, pool)["userName"] == "eli"
        # Meanwhile the emulator answers other callers, triggers included, and is done with
        # them while the hanging call is still pending (a server that handled one call at a
        # time would answer them only after it). No clock, but the hanging call ends by
        # itself after the 5 s Lambda timeout, so these calls must fit in that window.
        assert sign_up(idp, other_app, "fin")["UserSub"]
        assert users_of(idp, other) == ["fin"]
        assert not hanging.done()
        with pytest.raises(ClientError) as e:
            hanging.result(timeout=60)  # only a guard against a hang
    took = time.monotonic() - started
    assert error(e) == ("UnexpectedLambdaException",
                        "PreSignUp invocation failed due to error Socket timeout while "
                        "invoking Lambda function.")
    # Cognito's 5 s Lambda timeout was honoured (the function sleeps 30 s, so an answer at
    # all proves the emulator stopped waiting; no upper bound needed).
    assert took >= 4.5
    assert users_of(idp, pool) == []


def test_custom_message_failure_undoes_the_call(idp, emu):
    pool = make_pool(idp, CustomMessage="throws")
    app = make_client(idp, pool)
    with pytest.raises(ClientError) as e:
        sign_up(idp, app, "gil")
    assert error(e) == ("UserLambdaValidationException",
                        "CustomMessage failed with error Nope, not today..")
    assert users_of(idp, pool) == [] and messages(emu, pool) == []
    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pool, Username="hub", TemporaryPassword="Temp-Passw0rd1",
                              UserAttributes=[{"Name": "email", "Value": "hub@example.com"}],
                              DesiredDeliveryMediums=["EMAIL"])
    assert error(e)[0] == "UserLambdaValidationException"
    assert users_of(idp, pool) == [] and messages(emu, pool) == []
    # SUPPRESS sends nothing, so the trigger isn't called and the user is created.
    idp.admin_create_user(UserPoolId=pool, Username="hub", MessageAction="SUPPRESS")
    assert users_of(idp, pool) == ["hub"]


def test_post_authentication_failure_keeps_no_session(idp, emu):
    pool = make_pool(idp, PostAuthentication="throws")
    app = make_client(idp, pool)
    idp.admin_create_user(UserPoolId=pool, Username="ivy", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="ivy", Password=PASSWORD,
                                Permanent=True)
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "ivy", "PASSWORD": PASSWORD})
    assert error(e) == ("UserLambdaValidationException",
                        "PostAuthentication failed with error Nope, not today..")
    # The event the function saw is the real one.
    assert [ev["triggerSource"] for ev in events_of(emu, pool)] == \
        ["PostAuthentication_Authentication"]


def test_an_undeclared_function_without_an_invoke_endpoint():
    with RunningServer(["--in-memory", "--log-level", "warning"]) as srv:
        idp = boto3.client("cognito-idp", endpoint_url=srv.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing",
                           config=Config(retries={"max_attempts": 1}))
        pool = make_pool(idp, PreSignUp="not-deployed")
        with pytest.raises(ClientError) as e:
            sign_up(idp, make_client(idp, pool), "jan")
        code, message = error(e)
        assert code == "UnexpectedLambdaException"
        assert message.startswith("PreSignUp invocation failed due to error "
                                  "ResourceNotFoundException (")
        assert "not-deployed" in message and "--lambda-endpoint" in message
        assert users_of(idp, pool) == []
