"""Shared by the threat-protection API tests (tests/api/test_risk_*.py)."""
import json
from pathlib import Path

from tests.support.server import ROOT, RunningServer

CUSTOM_FUNCTION = "risk-custom"


def custom_auth_server(folder: Path, **settings) -> RunningServer:
    """An in-memory emulator whose config file declares the custom-auth test handler
    (tests/lambdas/custom_auth_py.py) as the Lambda function "risk-custom"; `settings` are
    further top-level keys of that config file. Use it as a context manager."""
    config = folder / "emulator.json"
    config.write_text(json.dumps({"functions": {
        CUSTOM_FUNCTION: f"{ROOT / 'tests' / 'lambdas' / 'custom_auth_py.py'}:handler"},
        **settings}))
    return RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)])
