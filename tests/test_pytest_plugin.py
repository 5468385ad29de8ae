"""The pytest plugin as a user gets it: tests/plugin_project is a separate project (no
conftest) run in a subprocess, from its own folder, with the package as installed in this
environment, so the fixtures can only come from the `pytest11` entry point."""
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

PROJECT = Path(__file__).resolve().parent / "plugin_project"


def run_project(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
                          "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-p", "no:randomly", "-q", *args],
                          cwd=PROJECT, env={**clean, **(env or {})}, capture_output=True,
                          text=True, timeout=300)


def test_entry_point_is_registered():
    [ep] = [ep for ep in entry_points(group="pytest11") if ep.name == "cognito_emulator"]
    assert ep.value == "emulator.testing.pytest_plugin"


def test_example_project_passes():
    result = run_project()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 passed" in result.stdout, result.stdout


def test_example_project_passes_with_an_emulator_per_module_on_a_data_dir():
    result = run_project("--cognito-emulator-scope=module", "--cognito-emulator-data-dir=tmp")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 passed" in result.stdout, result.stdout


def test_without_plugin_autoload_the_fixtures_are_missing():
    # Shows the fixtures above came from the entry point and nothing else.
    result = run_project("test_clock.py", env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert result.returncode != 0
    assert "fixture 'cognito_idp' not found" in result.stdout, result.stdout


def test_bad_scope_is_a_usage_error():
    result = run_project("-o", "cognito_emulator_scope=forever", "test_sign_up.py")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "cognito_emulator_scope must be one of" in result.stderr
