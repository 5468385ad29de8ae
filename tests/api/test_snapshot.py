"""Snapshots of the whole emulator (issue #18, item 4): POST /_emulator/snapshot and
/_emulator/restore on a running server of each backend, and `cognito-emulator snapshot
save|load` on a stopped one's data directory. After a restore, the state is the snapshot's:
pools, users, indexes (an email filter), sign-in; what changed after it is gone."""
import http.client
import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.conftest import make_client
from tests.support.server import ROOT, RunningServer

PASSWORD = "Passw0rd!Strong"
NEW_PASSWORD = "Changed!Passw0rd"


def post(url: str, path: str, body) -> tuple[int, dict]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", path, body=body if isinstance(body, bytes) else json.dumps(body),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def build(url: str) -> dict:
    """A pool, an app client and a user with a password."""
    c = make_client(url)
    pool_id = c.create_user_pool(PoolName="fixture")["UserPool"]["Id"]
    client_id = c.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    c.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    c.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD,
                              Permanent=True)
    return {"pool_id": pool_id, "client_id": client_id}


def change(url: str, ids: dict) -> None:
    """Changes a restore must undo: a new user, a new pool, alice's password."""
    c = make_client(url)
    c.admin_create_user(UserPoolId=ids["pool_id"], Username="bob", MessageAction="SUPPRESS")
    c.create_user_pool(PoolName="later")
    c.admin_set_user_password(UserPoolId=ids["pool_id"], Username="alice",
                              Password=NEW_PASSWORD, Permanent=True)


def sign_in(c, ids: dict, password: str) -> dict:
    return c.initiate_auth(ClientId=ids["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                           AuthParameters={"USERNAME": "alice", "PASSWORD": password})


def assert_as_built(url: str, ids: dict) -> None:
    c = make_client(url)
    assert [p["Name"] for p in c.list_user_pools(MaxResults=60)["UserPools"]] == ["fixture"]
    assert [u["Username"] for u in c.list_users(UserPoolId=ids["pool_id"])["Users"]] == ["alice"]
    found = c.list_users(UserPoolId=ids["pool_id"], Filter='email = "alice@example.com"')
    assert [u["Username"] for u in found["Users"]] == ["alice"]  # the index came back
    assert sign_in(c, ids, PASSWORD)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(c.exceptions.NotAuthorizedException):
        sign_in(c, ids, NEW_PASSWORD)


@pytest.mark.parametrize("backend", ["sqlite", "memory"])
def test_http_snapshot_and_restore_round_trip(backend, tmp_path):
    args = ["--in-memory"] if backend == "memory" else ["--data-dir", str(tmp_path / "data")]
    with RunningServer([*args, "--log-level", "warning"]) as server:
        ids = build(server.url)
        snap = str(tmp_path / "fixture.snap")
        status, answer = post(server.url, "/_emulator/snapshot", {"path": snap})
        assert status == 200 and answer["path"] == snap and answer["bytes"] > 0
        for _ in range(2):  # the same file restores again and again
            change(server.url, ids)
            status, answer = post(server.url, "/_emulator/restore", {"path": snap})
            assert status == 200, answer
            assert_as_built(server.url, ids)


def test_http_refusals_say_why(tmp_path):
    with RunningServer(["--in-memory", "--log-level", "warning"]) as server:
        build(server.url)
        for route in ("/_emulator/snapshot", "/_emulator/restore"):
            for body in ({"path": "relative.snap"}, {"path": 3}, {}, [1]):
                status, answer = post(server.url, route, body)
                assert (status, answer["__type"]) == (400, "InvalidParameterException")
                assert "absolute" in answer["message"]
            status, answer = post(server.url, route, b"{not json")
            assert (status, answer["__type"]) == (400, "SerializationException")
        status, answer = post(server.url, "/_emulator/restore",
                              {"path": str(tmp_path / "missing")})
        assert (status, answer["__type"]) == (404, "ResourceNotFoundException")
        (tmp_path / "junk").write_text("hello")
        status, answer = post(server.url, "/_emulator/restore", {"path": str(tmp_path / "junk")})
        assert status == 400 and "not an emulator snapshot" in answer["message"]
        status, answer = post(server.url, "/_emulator/snapshot",
                              {"path": str(tmp_path / "no" / "dir" / "x")})
        assert status == 400 and "no directory" in answer["message"]
        # A memory snapshot does not load into the SQLite store (nor the other way round).
        assert post(server.url, "/_emulator/snapshot", {"path": str(tmp_path / "m")})[0] == 200
    with RunningServer(["--data-dir", str(tmp_path / "d"), "--log-level", "warning"]) as other:
        status, answer = post(other.url, "/_emulator/restore", {"path": str(tmp_path / "m")})
        assert status == 400
        assert "loads only into the backend that wrote it" in answer["message"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emulator", "snapshot", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_save_and_load_a_stopped_data_dir(tmp_path):
    data, snap = str(tmp_path / "data"), str(tmp_path / "fixture.snap")
    args = ["--data-dir", data, "--log-level", "warning"]
    with RunningServer(args) as server:
        ids = build(server.url)
    saved = cli("save", snap, "--data-dir", data)
    assert saved.returncode == 0 and "saved" in saved.stdout, saved.stderr
    with RunningServer(args) as server:
        change(server.url, ids)
    loaded = cli("load", snap, "--data-dir", data)
    assert loaded.returncode == 0 and "loaded" in loaded.stdout, loaded.stderr
    with RunningServer(args) as server:
        assert_as_built(server.url, ids)
    # Into a fresh data directory too: a suite's fixture, built once, copied where needed.
    fresh = str(tmp_path / "fresh")
    assert cli("load", snap, "--data-dir", fresh).returncode == 0
    with RunningServer(["--data-dir", fresh, "--log-level", "warning"]) as server:
        assert_as_built(server.url, ids)


def test_cli_refusals_say_why(tmp_path):
    empty = cli("save", str(tmp_path / "x.snap"), "--data-dir", str(tmp_path / "none"))
    assert empty.returncode == 1 and "no emulator store" in empty.stderr
    (tmp_path / "memory.snap").write_text('{"format": "cognito-emulator-memory-snapshot"}')
    wrong = cli("load", str(tmp_path / "memory.snap"), "--data-dir", str(tmp_path / "d"))
    assert wrong.returncode == 1 and "loads only into the backend that wrote it" in wrong.stderr
    missing = cli("load", str(tmp_path / "missing"), "--data-dir", str(tmp_path / "d"))
    assert missing.returncode == 1 and "no snapshot file" in missing.stderr
