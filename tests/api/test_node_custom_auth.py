"""The two-round custom loop through amazon-cognito-identity-js under node
(setAuthenticationFlowType('CUSTOM_AUTH'), the customChallenge callback), right and wrong
answers, with the challenge functions run by the Python and the Node runner."""
import json
import uuid

import pytest

from tests.conftest import make_client
from tests.support.clients import requires, run_node
from tests.support.factories import PASSWORD, create_user
from tests.support.server import ROOT, RunningServer

LAMBDAS = ROOT / "tests" / "lambdas"
FUNCTIONS = {"py": "custom-auth-py", "node": "custom-auth-node"}
pytestmark = requires("node_modules")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("node-custom-auth")
    config = folder / "emulator.json"
    config.write_text(json.dumps({"functions": {
        FUNCTIONS["py"]: f"{LAMBDAS / 'custom_auth_py.py'}:handler",
        FUNCTIONS["node"]: str(LAMBDAS / "custom_auth_node.mjs"),
    }}))
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)],
                       env={"COGNITO_TEST_EVENTS_FILE": str(folder / "events.jsonl")}) as running:
        running.events_path = folder / "events.jsonl"
        yield running


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.url)


@pytest.fixture(params=["py", "node"])
def pool(request, idp):
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTIONS[request.param]}"
    pool_id = idp.create_user_pool(PoolName=f"node-custom-{uuid.uuid4().hex[:6]}", LambdaConfig={
        name: arn for name in ("DefineAuthChallenge", "CreateAuthChallenge",
                               "VerifyAuthChallengeResponse")})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    yield pool_id, client_id
    idp.delete_user_pool(UserPoolId=pool_id)


def sign_in(server, pool, username, answers, password=None) -> dict:
    pool_id, client_id = pool
    args = [server.url, pool_id, client_id, username, json.dumps(answers)]
    if password is not None:
        args.append(password)
    return run_node("identity_js_custom_auth.mjs", *args)


def events(server, pool_id, source):
    lines = server.events_path.read_text().splitlines()
    return [e for e in map(json.loads, lines)
            if e["userPoolId"] == pool_id and e["triggerSource"] == source]


def test_two_rounds_right_answers(server, idp, pool):
    name = create_user(idp, pool[0], f"user-{uuid.uuid4().hex[:6]}")
    result = sign_in(server, pool, name, ["answer-1", "answer-2"])
    assert result["ok"] is True and result["valid"] is True
    assert result["username"] == name
    assert [a["round"] for a in result["asked"]] == ["1", "2"]
    assert result["asked"][0] == {"question": "code for round 1?", "round": "1", "USERNAME": name}
    verify = events(server, pool[0], "VerifyAuthChallengeResponse_Authentication")
    assert [v["request"]["challengeAnswer"] for v in verify] == ["answer-1", "answer-2"]
    assert verify[0]["request"]["clientMetadata"] == {"answeredBy": "identity-js"}


def test_wrong_answer(server, idp, pool):
    name = create_user(idp, pool[0], f"user-{uuid.uuid4().hex[:6]}")
    result = sign_in(server, pool, name, ["answer-1", "wrong"])
    assert result == {"ok": False, "asked": result["asked"], "code": "NotAuthorizedException",
                      "message": "Incorrect username or password."}
    assert len(result["asked"]) == 2


def test_srp_start_with_password(server, idp, pool):
    name = create_user(idp, pool[0], f"user-{uuid.uuid4().hex[:6]}")
    result = sign_in(server, pool, name, ["answer-1", "answer-2"], password=PASSWORD)
    assert result["ok"] is True and result["username"] == name
    define = events(server, pool[0], "DefineAuthChallenge_Authentication")
    assert [e["challengeName"] for e in define[1]["request"]["session"]] == \
        ["SRP_A", "PASSWORD_VERIFIER"]
    assert define[1]["request"]["session"][1]["challengeResult"] is True


def test_srp_start_with_wrong_password(server, idp, pool):
    name = create_user(idp, pool[0], f"user-{uuid.uuid4().hex[:6]}")
    result = sign_in(server, pool, name, ["answer-1", "answer-2"], password="Wrong-passw0rd")
    assert result == {"ok": False, "asked": [], "code": "NotAuthorizedException",
                      "message": "Incorrect username or password."}
