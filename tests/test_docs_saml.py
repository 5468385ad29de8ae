"""docs/SAML.md is a walk-through a newcomer types in: run every shell block of it, in order,
against a fresh emulator (the AWS CLI, curl), then finish step 7 as a browser would - the
printed authorize URL, the built-in IdP's login form, the auto-posted response - with
httpx, and check the tokens. If the page goes stale, this fails."""
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.clients import requires
from tests.support.factories import claims
from tests.support.server import RunningServer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "SAML.md"

pytestmark = requires("curl", "awscli")


def shell_blocks() -> str:
    return "\n".join(re.findall(r"```sh\n(.*?)```", DOC.read_text(), re.S))


def hidden_fields(page: str) -> dict:
    return {html.unescape(n): html.unescape(v) for n, v in
            re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)}


@pytest.fixture
def emulator():
    """A fresh emulator each run: the page's fixed names (its domain prefix) are only free
    in an empty one."""
    running = RunningServer(["--in-memory"])
    yield running
    running.stop()


def test_the_walk_through_runs_and_signs_in(emulator, tmp_path):
    bin_dir = str(Path(sys.executable).parent)   # the venv's aws
    env = {**os.environ, "E": emulator.url, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", shell_blocks()], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    authorize = done.stdout.strip().splitlines()[-1]
    assert authorize.startswith(f"{emulator.url}/oauth2/authorize?")

    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        to_idp = browser.get(authorize)
        assert to_idp.status_code == 302
        assert "/_emulator/idp/sso?" in to_idp.headers["location"]
        assert "Signature=" in to_idp.headers["location"]       # RequestSigningAlgorithm
        login = browser.get(to_idp.headers["location"])
        assert login.status_code == 200, login.text
        posted = browser.post(f"{emulator.url}/_emulator/idp/sso", data={
            **hidden_fields(login.text), "username": "erin", "password": "Erin-Passw0rd!"})
        assert posted.status_code == 200, posted.text
        form = hidden_fields(posted.text)
        back = browser.post(f"{emulator.url}/saml2/idpresponse",
                            data={"SAMLResponse": form["SAMLResponse"],
                                  "RelayState": form["RelayState"]})
        assert back.status_code == 302, back.text
        location = back.headers["location"]
        assert location.startswith("https://app.example.com/callback?code=")
        client_id = parse_qs(urlsplit(authorize).query)["client_id"][0]
        tokens = browser.post(f"{emulator.url}/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": client_id,
            "code": parse_qs(urlsplit(location).query)["code"][0],
            "redirect_uri": "https://app.example.com/callback"}).json()
    id_claims = claims(tokens["id_token"])
    assert id_claims["cognito:username"] == "Corp_erin"
    assert id_claims["email"] == "erin@example.com"
    assert id_claims["identities"][0]["providerType"] == "SAML"
