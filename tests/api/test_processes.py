"""Several emulator processes on one store (docs/ARCHITECTURE.md, Processes): two real
servers share one SQLite data directory or one PostgreSQL database, and every step of a
flow may be answered by either. A sign-in started on one is answered on the other (SRP,
custom auth with Lambda triggers, TOTP MFA), a refresh too; a pool or client changed on one
is what the other uses on its next call; lockout counts the failures of both; one SignUp of
a name wins when both race; kill -9 of one loses no write it acknowledged; a seed file
applied by two processes at once makes each pool once. Then `serve --workers 2`: one port,
two processes, requests spread over both."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import jwt
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.conftest import make_client
from tests.support import totp
from tests.support.clients import requires
from tests.support.factories import (
    PASSWORD,
    RISK_PASSWORD,
    claims,
    create_user,
    error,
    password_sign_in,
)
from tests.support.server import ROOT, RunningServer
from tests.support.srp_client import SrpClient

LAMBDAS = ROOT / "tests" / "lambdas"
FUNCTION = "custom-auth-py"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTION}"
LOG_GROUP = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/cognito/auth-events"
IMPORT_ROLE = "arn:aws:iam::123456789012:role/CognitoImportRole"
LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=requires("postgresql"))]


def store_args(backend: str, request, tmp_path_factory) -> list[str]:
    """The command-line arguments that put a server on one fresh store of `backend`."""
    if backend == "sqlite":
        return ["--data-dir", str(tmp_path_factory.mktemp("shared-store"))]
    cluster = request.getfixturevalue("postgres_cluster")
    # The data dir still holds files both processes read (user-import uploads).
    return ["--store", cluster.new_database(),
            "--data-dir", str(tmp_path_factory.mktemp("shared-files"))]


def functions_config(tmp_path_factory) -> str:
    config = tmp_path_factory.mktemp("processes-config") / "emulator.json"
    config.write_text(json.dumps({"functions": {
        FUNCTION: f"{LAMBDAS / 'custom_auth_py.py'}:handler"}}))
    return str(config)


def start_pair(args: list[str]) -> tuple[RunningServer, RunningServer]:
    """Two servers on the same store, started one after the other."""
    first = RunningServer([*args, "--log-level", "warning"])
    try:
        second = RunningServer([*args, "--log-level", "warning"])
    except BaseException:
        first.stop()
        raise
    return first, second


@pytest.fixture(scope="module", params=BACKENDS)
def pair(request, tmp_path_factory):
    args = [*store_args(request.param, request, tmp_path_factory),
            "--config", functions_config(tmp_path_factory)]
    first, second = start_pair(args)
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(scope="module")
def a(pair):
    return make_client(pair[0].url)


@pytest.fixture(scope="module")
def b(pair):
    return make_client(pair[1].url)


@pytest.fixture
def pool(a):
    """A fresh pool (made through A) with an app client allowing every flow used here."""
    pool_id = a.create_user_pool(PoolName=f"procs-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    client_id = a.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                           "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    yield pool_id, client_id
    a.delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def clock(pair):
    """The shared clock, set through A; put back to real time (through B) afterwards."""
    with httpx.Client(base_url=pair[0].url, timeout=30) as http:
        class _Clock:
            def post(self, **body) -> dict:
                return http.post("/_emulator/clock", json=body).json()
        yield _Clock()
    httpx.post(pair[1].url + "/_emulator/clock", json={"reset": True}, timeout=30)


def verified(token: str, server: RunningServer, pool_id: str) -> dict:
    """The token's claims, its signature checked against `server`'s JWKS of the pool."""
    jwks = jwt.PyJWKSet.from_dict(
        httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=30).json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    return jwt.decode(token, key.key, algorithms=["RS256"],
                      options={"verify_aud": False, "verify_exp": False})


# --- one flow, two processes -----------------------------------------------------------------

def test_srp_started_on_one_answered_on_the_other(pair, a, b, pool):
    pool_id, client_id = pool
    name = create_user(a, pool_id, f"srp-{uuid.uuid4().hex[:8]}")
    srp = SrpClient(pool_id, name, PASSWORD)
    started = a.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters=srp.auth_params())
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    done = b.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                       Session=started.get("Session", ""),
                                       ChallengeResponses=srp.answer(
                                           started["ChallengeParameters"]))
    tokens = done["AuthenticationResult"]
    # Signed by B with the pool's keys, which A publishes: the keys live in the store.
    assert verified(tokens["IdToken"], pair[0], pool_id)["cognito:username"] == name
    assert verified(tokens["AccessToken"], pair[1], pool_id)["username"] == name


def test_a_refresh_on_the_other(pair, a, b, pool):
    pool_id, client_id = pool
    name = create_user(a, pool_id, f"refresh-{uuid.uuid4().hex[:8]}")
    first = password_sign_in(a, client_id, name)["AuthenticationResult"]
    again = b.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    fresh = again["AuthenticationResult"]
    assert verified(fresh["AccessToken"], pair[0], pool_id)["username"] == name
    assert fresh["AccessToken"] != first["AccessToken"]
    # A global sign-out on B ends the refresh token on A too.
    b.global_sign_out(AccessToken=fresh["AccessToken"])
    with pytest.raises(ClientError) as e:
        a.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert error(e)[0] == "NotAuthorizedException"


def test_custom_auth_rounds_alternate_between_processes(a, b):
    pool_id = a.create_user_pool(PoolName=f"procs-custom-{uuid.uuid4().hex[:8]}", LambdaConfig={
        name: FUNCTION_ARN for name in ("DefineAuthChallenge", "CreateAuthChallenge",
                                        "VerifyAuthChallengeResponse")})["UserPool"]["Id"]
    try:
        client_id = a.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"],
        )["UserPoolClient"]["ClientId"]
        name = create_user(a, pool_id, f"user-{uuid.uuid4().hex[:8]}")

        def answer(idp, session, text):
            return idp.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
                ChallengeResponses={"USERNAME": name, "ANSWER": text})

        first = b.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": name})
        assert first["ChallengeParameters"]["round"] == "1"
        second = answer(a, first["Session"], "answer-1")
        assert second["ChallengeParameters"]["round"] == "2"
        done = answer(b, second["Session"], "answer-2")
        assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == name
        # The used session is gone for both.
        with pytest.raises(ClientError) as e:
            answer(a, second["Session"], "answer-2")
        assert error(e) == ("NotAuthorizedException", "Invalid session for the user.")
    finally:
        a.delete_user_pool(UserPoolId=pool_id)


def test_totp_mfa_answered_on_the_other(a, b, pool, clock):
    pool_id, client_id = pool
    now = clock.post(pin=None)["now"]
    a.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                               SoftwareTokenMfaConfiguration={"Enabled": True})
    name = create_user(a, pool_id, f"mfa-{uuid.uuid4().hex[:8]}")
    token = password_sign_in(b, client_id, name)["AuthenticationResult"]["AccessToken"]
    secret = a.associate_software_token(AccessToken=token)["SecretCode"]
    assert b.verify_software_token(AccessToken=token, UserCode=totp.code(secret, now))[
        "Status"] == "SUCCESS"
    a.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
        "Enabled": True, "PreferredMfa": True})
    now = clock.post(advance=30)["now"]  # pinned: the next step's code, on both processes
    started = password_sign_in(a, client_id, name)
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = b.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=started["Session"],
        ChallengeResponses={"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": totp.code(secret, now)})
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == name


# --- state both processes share ----------------------------------------------------------------

def test_the_clock_is_one_clock(pair, clock):
    pinned = clock.post(pin=1_700_000_000)
    assert pinned["now"] == 1_700_000_000 and pinned["pinned"] is True
    seen = httpx.get(pair[1].url + "/_emulator/clock", timeout=30).json()
    assert seen["now"] == 1_700_000_000 and seen["pinned"] is True
    moved = httpx.post(pair[1].url + "/_emulator/clock", json={"advance": 60}, timeout=30).json()
    assert moved["now"] == 1_700_000_060
    assert clock.post(advance=0)["now"] == 1_700_000_060


def test_pool_and_client_changes_are_seen_on_the_next_call(a, b, pool):
    pool_id, client_id = pool
    name = create_user(a, pool_id, f"policy-{uuid.uuid4().hex[:8]}")
    b.admin_set_user_password(UserPoolId=pool_id, Username=name, Password="short1A!",
                              Permanent=True)  # the default policy's 8 characters
    a.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}})
    with pytest.raises(ClientError) as e:
        b.admin_set_user_password(UserPoolId=pool_id, Username=name, Password="short1A!",
                                  Permanent=True)
    assert error(e)[0] == "InvalidPasswordException"
    # Token validity changed on B, used by A at once.
    b.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                              ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                 "ALLOW_REFRESH_TOKEN_AUTH"],
                              AccessTokenValidity=7, TokenValidityUnits={"AccessToken": "minutes"})
    b.admin_set_user_password(UserPoolId=pool_id, Username=name, Password="Long-enough-1!",
                              Permanent=True)
    access = claims(password_sign_in(a, client_id, name, "Long-enough-1!")
                    ["AuthenticationResult"]["AccessToken"])
    assert access["exp"] - access["iat"] == 7 * 60
    # A trigger added on A runs on B's next sign-in.
    a.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}},
                       LambdaConfig={"PreTokenGeneration": FUNCTION_ARN})
    id_token = password_sign_in(b, client_id, name, "Long-enough-1!")[
        "AuthenticationResult"]["IdToken"]
    assert claims(id_token)["signed_in_by"] == "custom-auth-py"


def test_a_log_delivery_change_reaches_the_other_process(pair, a, b):
    """The other process cached the pool's auth-event destination (none) at its first
    sign-in; the change on A starts a new cache generation, so B exports the next one."""
    pool_id = a.create_user_pool(PoolName=f"procs-logs-{uuid.uuid4().hex[:8]}",
                                 UserPoolTier="PLUS",
                                 UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"]["Id"]
    try:
        client_id = a.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
        name = create_user(a, pool_id, f"logs-{uuid.uuid4().hex[:8]}", password=RISK_PASSWORD)
        sink = f"{pair[0].url}/_emulator/logs/{pool_id}"
        password_sign_in(b, client_id, name, RISK_PASSWORD)
        assert httpx.get(sink, timeout=30).json()["lines"] == []
        a.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[{
            "LogLevel": "INFO", "EventSource": "userAuthEvents",
            "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP}}])
        password_sign_in(b, client_id, name, RISK_PASSWORD)
        lines = httpx.get(sink, timeout=30).json()["lines"]
        assert [(line["eventType"], line["userName"]) for line in lines] == [("SignIn", name)]
    finally:
        a.delete_user_pool(UserPoolId=pool_id)


def test_lockout_counts_the_failures_of_both(a, b, pool, clock):
    pool_id, client_id = pool
    clock.post(pin=None)  # the one-second lock must not run out between calls
    name = create_user(a, pool_id, f"lock-{uuid.uuid4().hex[:8]}")
    for attempt in range(5):  # 3 on A, 2 on B: neither alone reaches the limit
        with pytest.raises(ClientError) as e:
            password_sign_in((a, b)[attempt % 2], client_id, name, "Wrong-pass-1!")
        assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    for idp in (a, b):
        with pytest.raises(ClientError) as e:
            password_sign_in(idp, client_id, name)
        assert error(e) == LOCKED
    clock.post(advance=2)
    assert password_sign_in(b, client_id, name)["AuthenticationResult"]["AccessToken"]


def test_one_winner_when_both_sign_up_the_same_name(a, b, pool):
    pool_id, client_id = pool
    for _ in range(5):
        name = f"racer-{uuid.uuid4().hex[:8]}"
        barrier = threading.Barrier(2)

        def sign_up(idp, name=name, barrier=barrier):
            barrier.wait()
            try:
                idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD)
                return "ok"
            except ClientError as exc:
                return exc.response["Error"]["Code"]

        with concurrent.futures.ThreadPoolExecutor(2) as pool_of:
            results = sorted(pool_of.map(sign_up, (a, b)))
        assert results == ["UsernameExistsException", "ok"]
        listed = b.list_users(UserPoolId=pool_id, Filter=f'username = "{name}"')["Users"]
        assert len(listed) == 1


def test_an_import_started_on_one_runs_as_seen_from_the_other(a, b, pool):
    pool_id, _ = pool
    a.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"])
    header = a.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    rows = [{"cognito:username": f"imported-{i}", "cognito:mfa_enabled": "FALSE",
             "email": f"imported-{i}@example.com", "email_verified": "TRUE"} for i in range(3000)]
    text = "\n".join([",".join(header)] + [",".join(row.get(h, "") for h in header)
                                            for row in rows]) + "\n"
    job = a.create_user_import_job(UserPoolId=pool_id, JobName="across",
                                   CloudWatchLogsRoleArn=IMPORT_ROLE)["UserImportJob"]
    assert httpx.put(job["PreSignedUrl"], content=text.encode(), timeout=30,
                     headers={"x-amz-server-side-encryption": "aws:kms"}).status_code == 200
    a.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    seen = []
    deadline = time.time() + 120
    while not seen or seen[-1] in ("Pending", "InProgress"):  # polling B while A imports
        assert time.time() < deadline, seen
        seen.append(b.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
            "UserImportJob"]["Status"])
        time.sleep(0.02)
    # B saw the job running (not "terminated before completion"), then done.
    assert seen[0] in ("Pending", "InProgress") and seen[-1] == "Succeeded", seen
    done = b.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert done["ImportedUsers"] == 3000


# --- a process killed mid-write ----------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_loses_no_acknowledged_write(backend, request, tmp_path_factory):
    args = store_args(backend, request, tmp_path_factory)
    first, second = start_pair(args)
    try:
        a, b = make_client(first.url), make_client(second.url)
        pool_id = a.create_user_pool(PoolName="kill-9")["UserPool"]["Id"]
        acknowledged: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer(idp, tag):
            n = 0
            while not stop.is_set():
                name = f"{tag}-{n}"
                n += 1
                try:
                    idp.admin_create_user(UserPoolId=pool_id, Username=name,
                                          MessageAction="SUPPRESS")
                except BotoCoreError:  # a connection refused or cut
                    if idp is a:
                        return  # its process is gone: what it never answered never counted
                    raise
                with lock:
                    acknowledged.append(name)

        threads = [threading.Thread(target=writer, args=(idp, f"{tag}{i}"))
                   for i in range(2) for idp, tag in ((a, "a"), (b, "b"))]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while len(acknowledged) < 60 and time.time() < deadline:
            time.sleep(0.05)  # polling: both processes are taking writes
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(10)
        before = len(acknowledged)
        while len(acknowledged) < before + 20 and time.time() < deadline:
            time.sleep(0.05)  # polling: B goes on alone
        stop.set()
        for t in threads:
            t.join(30)
        assert len(acknowledged) >= 80
        # A fresh process reads every acknowledged user back.
        third = RunningServer([*args, "--log-level", "warning"])
        try:
            c = make_client(third.url)
            names, token = set(), None
            while True:
                page = c.list_users(UserPoolId=pool_id, **({"PaginationToken": token}
                                                           if token else {}))
                names |= {u["Username"] for u in page["Users"]}
                token = page.get("PaginationToken")
                if not token:
                    break
            assert set(acknowledged) <= names
        finally:
            third.stop()
    finally:
        first.stop()
        second.stop()


# --- seeds -------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_two_processes_seed_one_store_once(backend, request, tmp_path_factory):
    seed = tmp_path_factory.mktemp("seed") / "seed.json"
    seed.write_text(json.dumps({"pools": [
        {"PoolName": "seeded-no-id", "Clients": [{"ClientName": "web", "ClientId": "seedclient1"}],
         "Users": [{"Username": "alice", "Password": PASSWORD}]},
        {"Id": "us-east-1_SEEDED123", "PoolName": "seeded-with-id"}]}))
    args = [*store_args(backend, request, tmp_path_factory), "--config", str(seed),
            "--log-level", "warning"]
    with concurrent.futures.ThreadPoolExecutor(2) as both:
        servers = list(both.map(lambda _: RunningServer(args), range(2)))
    try:
        idp = make_client(servers[1].url)
        names = sorted(p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"])
        assert names == ["seeded-no-id", "seeded-with-id"]
        pool_id = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]
                       if p["Name"] == "seeded-no-id")
        users = make_client(servers[0].url).list_users(UserPoolId=pool_id)["Users"]
        assert [u["Username"] for u in users] == ["alice"]
    finally:
        for server in servers:
            server.stop()


# --- serve --workers N -------------------------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def workers(request, tmp_path_factory):
    with RunningServer([*store_args(request.param, request, tmp_path_factory), "--workers", "2",
                        "--log-level", "info"]) as running:
        yield running


def test_workers_share_the_port_and_spread_requests(workers):
    assert "2 worker processes" in workers.output()
    assert workers.output().count("listening on") == 1  # one start banner

    def pid(_):
        with httpx.Client(base_url=workers.url, timeout=30) as http:  # a new connection each
            return http.get("/_emulator/health").json()["pid"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool_of:
        pids = set(pool_of.map(pid, range(200)))
    assert len(pids) == 2 and workers.proc.pid not in pids


def test_workers_answer_one_flow_together(workers):
    idp = make_client(workers.url)
    pool_id = idp.create_user_pool(PoolName="workers")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for i in range(10):  # boto3 reuses its connection: new clients land on either worker
        name = create_user(make_client(workers.url), pool_id, f"w{i}")
        srp = SrpClient(pool_id, name, PASSWORD)
        started = make_client(workers.url).initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.auth_params())
        done = make_client(workers.url).respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=started["Session"],
            ChallengeResponses=srp.answer(started["ChallengeParameters"]))
        assert verified(done["AuthenticationResult"]["IdToken"], workers, pool_id)[
            "cognito:username"] == name


def test_sigterm_stops_every_worker(tmp_path_factory):
    server = RunningServer(["--data-dir", str(tmp_path_factory.mktemp("stop")), "--workers", "2",
                            "--log-level", "warning"])
    try:
        pids = set()
        deadline = time.time() + 30
        while len(pids) < 2 and time.time() < deadline:  # polling: collect both workers' pids
            pids.add(httpx.get(server.url + "/_emulator/health", timeout=30,
                               headers={"Connection": "close"}).json()["pid"])
        assert len(pids) == 2
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(30) == 0
        for pid in pids:
            assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)
    finally:
        server.stop()


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1].startswith("Z")


def test_workers_refuse_an_in_memory_store():
    done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory",
                           "--workers", "2", "--port", "0"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "processes cannot share an in-memory store" in done.stderr
