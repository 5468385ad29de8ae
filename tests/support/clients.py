"""The outside programs the suite drives, and what a test does when one is missing.

A test that needs one says so with `requires("node_modules")` (a skipif mark). On a developer
machine a missing program skips its tests loudly: the session header and the summary name it.
With REQUIRE_ALL=1 (set by .ci/run) every skip is a failure instead (tests/conftest.py), so
a CI machine without, say, Chromium cannot pass quietly.

    pytestmark = requires("node_modules")
    result = run_node("identity_js_signin.mjs", endpoint, ...)   # the script's last JSON line
"""
from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "node"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AWS_CLI = Path(sys.executable).with_name("aws")
NGINX = "/usr/sbin/nginx"
INSTALL = "scripts/bootstrap --test installs it"


@dataclass(frozen=True)
class Client:
    what: str                 # shown in messages
    present: callable         # () -> bool
    install: str = INSTALL


CLIENTS: dict[str, Client] = {
    "node": Client("Node.js (`node`)", lambda: shutil.which("node") is not None),
    "node_modules": Client(
        "the Node.js test clients (tests/node/node_modules: amazon-cognito-identity-js, "
        "AWS SDK v3, aws-jwt-verify, samlify, oidc-provider, openid-client, aws-amplify)",
        lambda: shutil.which("node") is not None
        and (NODE_DIR / "node_modules" / ".package-lock.json").exists(),
        "cd tests/node && npm ci"),
    "chromium": Client(f"Chromium ({CHROMIUM})", lambda: shutil.which(CHROMIUM) is not None,
                       "apt-get install chromium"),
    "playwright": Client("Playwright (Python)",
                         lambda: importlib.util.find_spec("playwright") is not None),
    "awscli": Client("the AWS CLI in the venv", AWS_CLI.exists),
    "curl": Client("curl", lambda: shutil.which("curl") is not None, "apt-get install curl"),
    "moto_server": Client("moto_server (moto[server] in the venv: an STS and S3 for the "
                          "identity-pool credential tests)",
                          lambda: Path(sys.executable).with_name("moto_server").exists()),
    "xmlsec1": Client("xmlsec1 (pysaml2 signs and encrypts with it)",
                      lambda: shutil.which("xmlsec1") is not None, "apt-get install xmlsec1"),
    "openssl": Client("the openssl program (examples/oidc-federation/make-certs.sh)",
                      lambda: shutil.which("openssl") is not None, "apt-get install openssl"),
    "nginx": Client("nginx (/usr/sbin/nginx: the team emulator's load balancer, "
                    "tests/api/test_team_deploy.py)", lambda: Path(NGINX).exists(),
                    "apt-get install nginx"),
    "postgresql": Client("PostgreSQL's server binaries (initdb, pg_ctl in /usr/lib/postgresql/"
                         "*/bin: the PostgreSQL store's tests, tests/support/postgres.py)",
                         lambda: bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
                         "apt-get install postgresql"),
}


def require_all() -> bool:
    """CI mode: a missing client fails its tests instead of skipping them."""
    return os.environ.get("REQUIRE_ALL", "") not in ("", "0")


def missing(*names: str) -> list[str]:
    """Which of `names` (default: all) are not installed, as "what (how to install)"."""
    return [f"{CLIENTS[n].what} ({CLIENTS[n].install})"
            for n in (names or CLIENTS) if not CLIENTS[n].present()]


def requires(*names: str) -> pytest.MarkDecorator:
    """A mark that skips the test (a failure under REQUIRE_ALL=1) unless every client in
    `names` is installed."""
    for name in names:
        if name not in CLIENTS:
            raise KeyError(f"unknown client {name!r}: add it to CLIENTS")
    absent = missing(*names)
    return pytest.mark.skipif(bool(absent), reason="not installed: " + "; ".join(absent))


def run_node(script: str, *args: str, timeout: float = 60) -> dict:
    """Run tests/node/<script> with node; the last line it prints, as JSON."""
    out = subprocess.run(["node", str(NODE_DIR / script), *args], capture_output=True,
                         text=True, timeout=timeout, cwd=NODE_DIR)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])
