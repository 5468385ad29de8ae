"""The team emulator (docs/TEAM.md): docker-compose.yml's profile "team" and its load
balancer, deploy/team/nginx.conf. Docker does not run here, so the compose file is read
and checked against the nginx configuration; then that nginx configuration runs for real
(Debian's nginx) in front of two emulator processes on one store, and a sign-in goes
through it."""
import random
import re
import socket
import subprocess
import time
import uuid

import httpx
import jwt
import pytest
import yaml

from tests.conftest import make_client
from tests.support.clients import NGINX, requires
from tests.support.factories import PASSWORD, create_user
from tests.support.server import ROOT, RunningServer
from tests.support.srp_client import SrpClient

COMPOSE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "team" / "nginx.conf"
EMULATOR_PORT = 9229  # the Dockerfile's COGNITO_EMULATOR_PORT


def team_services() -> dict:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    return {name: s for name, s in services.items() if "team" in (s.get("profiles") or [])}


def upstreams(conf: str) -> list[tuple[str, int]]:
    block = re.search(r"upstream cognito \{(.*?)\}", conf, re.S).group(1)
    return [(host, int(port)) for host, port in re.findall(r"^\s*server ([\w.-]+):(\d+)", block,
                                                          re.M)]


def test_the_compose_profile_and_nginx_agree():
    team = team_services()
    assert set(team) == {"team-postgres", "team-emulator-1", "team-emulator-2", "team-lb"}
    emulators = {name: s for name, s in team.items() if name.startswith("team-emulator")}
    # nginx balances over exactly the emulator services, on the port they listen on.
    assert sorted(upstreams(NGINX_CONF.read_text())) == sorted(
        (name, EMULATOR_PORT) for name in emulators)
    postgres = team["team-postgres"]["environment"]
    expected_store = (f"postgresql://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
                      f"@team-postgres:5432/{postgres['POSTGRES_DB']}")
    lb = team["team-lb"]
    assert "./deploy/team/nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    listen = int(re.search(r"^\s*listen (\d+);", NGINX_CONF.read_text(), re.M).group(1))
    (published,) = lb["ports"]
    host_port, container_port = published.rsplit(":", 2)[-2:]
    assert int(container_port) == listen
    assert set(lb["depends_on"]) == set(emulators)
    for s in emulators.values():
        env = s["environment"]
        assert env["COGNITO_EMULATOR_STORE"] == expected_store
        # Tokens name the load balancer's URL, the one clients reach.
        assert env["COGNITO_EMULATOR_PUBLIC_URL"] == f"http://localhost:{host_port}"
        assert s["depends_on"]["team-postgres"]["condition"] == "service_healthy"
        assert "ports" not in s  # reached through nginx only
    assert len({repr(sorted(s.items())) for s in emulators.values()}) == 1  # identical replicas
    # The default service stays outside the profile: `docker compose up` is unchanged.
    assert "profiles" not in yaml.safe_load(COMPOSE.read_text())["services"]["cognito"]


def _free_port(*taken: int) -> int:
    """A free port below Linux's ephemeral range (32768-60999), so that no server started
    afterwards with --port 0 is handed the same one before nginx binds it."""
    for port in random.sample(range(20000, 32000), 200):
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 20000-32000")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires("postgresql"))])
def balanced(request, tmp_path):
    """deploy/team/nginx.conf on a free loopback port, in front of two emulator processes
    on one store; yields (the balancer's URL, the two servers)."""
    lb_port = _free_port()
    args = ["--data-dir", str(tmp_path / "data"), "--public-url", f"http://127.0.0.1:{lb_port}",
            "--log-level", "warning"]
    if request.param == "postgresql":
        args += ["--store", request.getfixturevalue("postgres_cluster").new_database()]
    # Fixed ports: with --public-url, the "listening on" line names the balancer's URL.
    ports = [_free_port(lb_port)]
    ports.append(_free_port(lb_port, *ports))
    servers = [RunningServer([*args, "--port", str(ports[0])])]
    servers.append(RunningServer([*args, "--port", str(ports[1])]))
    conf = NGINX_CONF.read_text()
    for (host, port), own in zip(upstreams(conf), ports, strict=True):
        conf = conf.replace(f"server {host}:{port} ", f"server 127.0.0.1:{own} ")
    conf = re.sub(r"^(\s*)listen \d+;", rf"\g<1>listen 127.0.0.1:{lb_port};", conf, flags=re.M)
    (tmp_path / "nginx" / "logs").mkdir(parents=True)
    (tmp_path / "nginx" / "nginx.conf").write_text(conf)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path / "nginx"), "-c", "nginx.conf", "-g",
                              f"daemon off; pid {tmp_path / 'nginx' / 'nginx.pid'}; "
                              f"error_log {tmp_path / 'nginx' / 'logs' / 'error.log'};"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{lb_port}"
    try:
        deadline = time.time() + 30
        while True:  # polling until nginx answers
            try:
                if httpx.get(url + "/_emulator/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert nginx.poll() is None, (tmp_path / "nginx" / "logs" / "error.log").read_text()
            assert time.time() < deadline, (tmp_path / "nginx" / "logs" / "error.log").read_text()
            time.sleep(0.05)
        yield url, servers
    finally:
        nginx.terminate()
        nginx.wait(10)
        for server in servers:
            server.stop()


@requires("nginx")
def test_a_sign_in_through_nginx_in_front_of_two_processes(balanced):
    url, servers = balanced
    pids = {httpx.get(url + "/_emulator/health", timeout=30).json()["pid"] for _ in range(20)}
    assert pids == {server.proc.pid for server in servers}  # round robin over both
    idp = make_client(url)
    pool_id = idp.create_user_pool(PoolName=f"team-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH",
                                                                 "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    name = create_user(idp, pool_id, "teammate")
    srp = SrpClient(pool_id, name, PASSWORD)
    started = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters=srp.auth_params())
    done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                         Session=started["Session"],
                                         ChallengeResponses=srp.answer(
                                             started["ChallengeParameters"]))
    token = done["AuthenticationResult"]["IdToken"]
    # The issuer is the balancer's URL, and its JWKS (from either process) verifies the token.
    jwks = jwt.PyJWKSet.from_dict(httpx.get(f"{url}/{pool_id}/.well-known/jwks.json",
                                            timeout=30).json())
    key = next(k for k in jwks.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=client_id,
                        issuer=f"{url}/{pool_id}", options={"verify_exp": False})
    assert claims["cognito:username"] == "teammate"
    refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": done["AuthenticationResult"][
                                      "RefreshToken"]})
    assert refreshed["AuthenticationResult"]["AccessToken"]
