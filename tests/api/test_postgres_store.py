"""The emulator on the PostgreSQL store (`--store postgresql://...`), driven with boto3: pools
and clients, sign-up with a PreSignUp trigger and with a code, password, SRP and custom-auth
sign-ins (Lambda triggers, which run while the store transaction is suspended()), refresh,
ListUsers filters (the secondary indexes), and a restart on the same database keeping it all.
The cluster is tests/support/postgres.py's; the store's own contract is tests/unit/test_store.py."""
import json
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.clients import requires
from tests.support.factories import PASSWORD, attrs_of, claims, error, unique_name
from tests.support.server import ROOT, RunningServer
from tests.support.srp_client import SrpClient

pytestmark = requires("postgresql")
LAMBDAS = Path(__file__).resolve().parents[1] / "lambdas"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
         "ALLOW_CUSTOM_AUTH"]


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


class Emulator:
    """One emulator process after another on the same database (restart())."""

    def __init__(self, url: str, folder: Path):
        self.config = folder / "emulator.json"
        self.config.write_text(json.dumps({"functions": {
            "custom-auth": f"{LAMBDAS / 'custom_auth_py.py'}:handler",
            "pre-sign-up": f"{LAMBDAS / 'triggers_py.py'}:pre_sign_up"}}))
        self.args = ["--store", url, "--data-dir", str(folder / "data"), "--log-level",
                     "warning", "--config", str(self.config)]
        self.env = {"COGNITO_TEST_EVENTS_FILE": str(folder / "events.jsonl")}
        self.start()

    def start(self) -> None:
        self.server = RunningServer(self.args, env=self.env)
        self.cognito = make_client(self.server.url)

    def restart(self) -> None:
        self.server.stop()
        self.start()

    def messages(self, **filters) -> list[dict]:
        return httpx.get(f"{self.server.url}/_emulator/messages", params=filters,
                         timeout=30).json()["messages"]


@pytest.fixture(scope="module")
def emulator(postgres_cluster, tmp_path_factory):
    emu = Emulator(postgres_cluster.new_database(), tmp_path_factory.mktemp("pg-store"))
    yield emu
    emu.server.stop()


@pytest.fixture(scope="module")
def pool(emulator):
    """A pool with a PreSignUp and the custom-auth triggers, and an app client."""
    idp = emulator.cognito
    pool_id = idp.create_user_pool(
        PoolName=unique_name("pg"), AutoVerifiedAttributes=["email"],
        LambdaConfig={"PreSignUp": arn("pre-sign-up"),
                      "DefineAuthChallenge": arn("custom-auth"),
                      "CreateAuthChallenge": arn("custom-auth"),
                      "VerifyAuthChallengeResponse": arn("custom-auth")})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def sign_up(emulator, client_id: str, username: str, email: str, **extra) -> dict:
    return emulator.cognito.sign_up(
        ClientId=client_id, Username=username, Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}], **extra)


def password_sign_in(emulator, client_id: str, username: str, password: str = PASSWORD):
    return emulator.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_sign_up_confirm_and_password_sign_in(emulator, pool):
    pool_id, client_id = pool
    sign_up(emulator, client_id, "carol", "carol@example.com")
    code = emulator.messages(poolId=pool_id, username="carol")[-1]["code"]
    emulator.cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code)
    tokens = password_sign_in(emulator, client_id, "carol")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == "carol@example.com"
    with pytest.raises(ClientError) as caught:
        sign_up(emulator, client_id, "carol", "other@example.com")
    assert error(caught)[0] == "UsernameExistsException"
    with pytest.raises(ClientError) as caught:
        password_sign_in(emulator, client_id, "carol", "Wrong-password-1")
    assert error(caught)[0] == "NotAuthorizedException"


def test_pre_sign_up_trigger_auto_confirms(emulator, pool):
    pool_id, client_id = pool
    answer = sign_up(emulator, client_id, "dave", "dave@example.com",
                     ValidationData=[{"Name": "autoConfirm", "Value": "yes"}])
    assert answer["UserConfirmed"] is True
    user = emulator.cognito.admin_get_user(UserPoolId=pool_id, Username="dave")
    assert user["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as caught:  # the trigger refuses: nobody is created
        sign_up(emulator, client_id, "eve", "eve@blocked.example")
    assert error(caught)[0] == "UserLambdaValidationException"
    with pytest.raises(ClientError) as caught:
        emulator.cognito.admin_get_user(UserPoolId=pool_id, Username="eve")
    assert error(caught)[0] == "UserNotFoundException"


def test_srp_sign_in_and_refresh(emulator, pool):
    pool_id, client_id = pool
    sign_up(emulator, client_id, "frank", "frank@example.com",
            ValidationData=[{"Name": "autoConfirm", "Value": "yes"}])
    srp = SrpClient(pool_id, "frank", PASSWORD, client_id)
    started = emulator.cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                             AuthParameters=srp.auth_params())
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    done = emulator.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=started.get("Session", ""),
        ChallengeResponses=srp.answer(started["ChallengeParameters"]))
    tokens = done["AuthenticationResult"]
    refreshed = emulator.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert claims(refreshed["AccessToken"])["username"] == "frank"
    assert claims(refreshed["IdToken"])["sub"] == claims(tokens["IdToken"])["sub"]


def test_custom_auth_with_lambda_triggers(emulator, pool):
    pool_id, client_id = pool
    sign_up(emulator, client_id, "grace", "grace@example.com",
            ValidationData=[{"Name": "autoConfirm", "Value": "yes"}])
    step = emulator.cognito.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                          AuthParameters={"USERNAME": "grace"})
    for n in (1, 2):
        assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
        assert step["ChallengeParameters"]["round"] == str(n)
        step = emulator.cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": "grace", "ANSWER": f"answer-{n}"})
    assert claims(step["AuthenticationResult"]["AccessToken"])["username"] == "grace"
    first = emulator.cognito.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                           AuthParameters={"USERNAME": "grace"})
    with pytest.raises(ClientError) as caught:  # a wrong answer fails the sign-in
        emulator.cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
            ChallengeResponses={"USERNAME": "grace", "ANSWER": "wrong"})
    assert error(caught)[0] == "NotAuthorizedException"


def test_list_users_filters_use_the_indexes(emulator, pool):
    pool_id, client_id = pool
    for name, email in [("hana", "hana@corp.example"), ("hank", "hank@corp.example"),
                        ("ivan", "ivan@else.example")]:
        sign_up(emulator, client_id, name, email,
                ValidationData=[{"Name": "autoConfirm", "Value": "yes"}])
    idp = emulator.cognito
    exact = idp.list_users(UserPoolId=pool_id, Filter='email = "hank@corp.example"')["Users"]
    assert [u["Username"] for u in exact] == ["hank"]
    prefixed = idp.list_users(UserPoolId=pool_id, Filter='username ^= "ha"')["Users"]
    assert sorted(u["Username"] for u in prefixed) == ["hana", "hank"]
    by_email = idp.list_users(UserPoolId=pool_id, Filter='email ^= "i"')["Users"]
    assert [attrs_of(u)["email"] for u in by_email] == ["ivan@else.example"]
    page = idp.list_users(UserPoolId=pool_id, Filter='email ^= "ha"', Limit=1)
    rest = idp.list_users(UserPoolId=pool_id, Filter='email ^= "ha"', Limit=1,
                          PaginationToken=page["PaginationToken"])
    assert sorted(u["Username"] for u in page["Users"] + rest["Users"]) == ["hana", "hank"]


def test_a_restart_on_the_same_database_keeps_everything(emulator, pool):
    pool_id, client_id = pool
    sign_up(emulator, client_id, "judy", "judy@example.com",
            ValidationData=[{"Name": "autoConfirm", "Value": "yes"}])
    tokens = password_sign_in(emulator, client_id, "judy")["AuthenticationResult"]
    emulator.restart()
    assert "store postgresql://postgres@127.0.0.1" in emulator.server.output()
    idp = emulator.cognito
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "judy"
    refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert claims(refreshed["AuthenticationResult"]["IdToken"])["email"] == "judy@example.com"
    assert password_sign_in(emulator, client_id, "judy")["AuthenticationResult"]
    found = idp.list_users(UserPoolId=pool_id, Filter='email = "judy@example.com"')["Users"]
    assert [u["Username"] for u in found] == ["judy"]


def test_the_store_from_the_environment_with_a_postgres_scheme(postgres_cluster, tmp_path):
    url = postgres_cluster.new_database().replace("postgresql://", "postgres://", 1)
    with RunningServer(["--data-dir", str(tmp_path), "--log-level", "warning"],
                       env={"COGNITO_EMULATOR_STORE": url}) as srv:
        assert "(store postgresql://postgres@127.0.0.1:" in srv.output()
        idp = make_client(srv.url)
        pool_id = idp.create_user_pool(PoolName="from-env")["UserPool"]["Id"]
    with psycopg.connect(url) as conn:  # the pool is in that database, not in tmp_path
        assert conn.execute("SELECT count(*) FROM records WHERE key=%s",
                            (pool_id,)).fetchone()[0] == 1
    assert not (tmp_path / "emulator.sqlite3").exists()


def test_an_unreachable_store_stops_the_start_with_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0",
                          "--data-dir", str(tmp_path), "--store",
                          "postgresql://someone:secret@127.0.0.1:1/db"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert lines[0].startswith("cognito-emulator: cannot connect to "
                               "postgresql://someone@127.0.0.1:1/db: ")
    assert "secret" not in out.stderr
