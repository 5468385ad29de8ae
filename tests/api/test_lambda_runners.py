"""The emulator process with functions declared in its --config file: it starts with them,
and refuses to start (exit 1, a clear message naming the function) when one can't run."""
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from tests.support.server import ROOT, RunningServer

HANDLERS = Path(__file__).resolve().parents[1] / "lambdas"


def _config(tmp_path: Path, functions: str) -> Path:
    (tmp_path / "lambdas").mkdir(exist_ok=True)
    (tmp_path / "lambdas" / "define.py").write_text(
        "def handler(event, context):\n    return event\n")
    (tmp_path / "lambdas" / "create.mjs").write_text(
        "export const handler = async (event) => event;\n")
    config = tmp_path / "emulator.yaml"
    config.write_text(textwrap.dedent("""
        pools:
          - Id: us-east-1_Lambda001
            PoolName: with-triggers
        functions:
    """) + textwrap.indent(textwrap.dedent(functions), "  "))
    return config


def _serve(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port",
                           "0", *args], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env=env)


def test_starts_with_functions_from_the_config_file(tmp_path):
    config = _config(tmp_path, f"""
        define-auth: lambdas/define.py:handler
        create-auth: lambdas/create.mjs
        verify-auth: {HANDLERS}/callback_style.js
        module-fn: json:loads
    """)
    with RunningServer(["--in-memory", "--config", str(config), "--log-level", "info",
                        "--lambda-endpoint", "http://127.0.0.1:3001"]) as srv:
        assert httpx.get(srv.url + "/_emulator/health").status_code == 200
        out = srv.output()
        # Paths are taken from the config file's folder, whatever the current directory.
        assert f"function define-auth: {tmp_path}/lambdas/define.py:handler" in out
        assert f"function create-auth: {tmp_path}/lambdas/create.mjs:handler" in out
        assert "function module-fn: json:loads" in out
        assert "Lambda Invoke API at http://127.0.0.1:3001" in out


def test_refuses_to_start_when_a_function_file_is_missing(tmp_path):
    config = _config(tmp_path, """
        define-auth: lambdas/define.py:handler
        verify-auth: lambdas/verify.py:handler
    """)
    out = _serve("--config", str(config))
    assert out.returncode == 1
    assert "function verify-auth: file not found:" in out.stderr
    assert str(tmp_path / "lambdas" / "verify.py") in out.stderr
    assert "Traceback" not in out.stderr


def test_refuses_to_start_with_a_spec_it_cannot_run(tmp_path):
    config = _config(tmp_path, """
        define-auth: lambdas/define.rb
    """)
    out = _serve("--config", str(config))
    assert out.returncode == 1
    assert "function define-auth: cannot tell how to run 'lambdas/define.rb'" in out.stderr
    assert "Traceback" not in out.stderr


def test_functions_from_the_environment(tmp_path):
    import os
    env = {**os.environ, "COGNITO_EMULATOR_FUNCTIONS":
           f'{{"pre-signup": "{HANDLERS}/handlers.py:echo"}}'}
    with RunningServer(["--in-memory", "--log-level", "info"], env=env) as srv:
        assert f"function pre-signup: {HANDLERS}/handlers.py:echo" in srv.output()
    env["COGNITO_EMULATOR_FUNCTIONS"] = '{"pre-signup": "nowhere.py:handler"}'
    out = _serve(env=env)
    assert out.returncode == 1
    assert "COGNITO_EMULATOR_FUNCTIONS: function pre-signup: file not found" in out.stderr
    env["COGNITO_EMULATOR_FUNCTIONS"] = "{not json"
    out = _serve(env=env)
    assert out.returncode == 1 and "COGNITO_EMULATOR_FUNCTIONS is not JSON" in out.stderr
    assert "Traceback" not in out.stderr


def test_help_lists_the_lambda_endpoint_flag():
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--help"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "--lambda-endpoint" in out.stdout


def test_workers_stop_when_the_emulator_stops(tmp_path):
    """A PreSignUp function runs in a worker the server started; stopping the server (SIGTERM,
    as docker and RunningServer do) stops the worker too."""
    import os
    import time

    from tests.conftest import make_client
    (tmp_path / "pre_signup.py").write_text(textwrap.dedent("""
        import os
        def handler(event, context):
            with open(os.environ["PID_FILE"], "w") as f:
                f.write(str(os.getpid()))
            return event
    """))
    config = tmp_path / "emulator.yaml"
    config.write_text("functions:\n  pre-signup: pre_signup.py:handler\n")
    pid_file = tmp_path / "worker.pid"
    with RunningServer(["--in-memory", "--config", str(config)],
                       env={"PID_FILE": str(pid_file)}) as srv:
        cognito = make_client(srv.url)
        pool_id = cognito.create_user_pool(PoolName="p", LambdaConfig={
            "PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:pre-signup"})[
                "UserPool"]["Id"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="alice",
                                  MessageAction="SUPPRESS")
        pid = int(pid_file.read_text())
        os.kill(pid, 0)                  # the worker is running
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"worker {pid} still running after the emulator stopped")
