"""The Lambda runners, called directly: real worker processes (python, node) and a real HTTP
server standing in for the Lambda Invoke API. Handlers live in tests/lambdas/."""
import logging
import os
import socket
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulator import lambdas
from emulator.config import Settings
from emulator.lambdas import LambdaError
from emulator.lambdas.workers import MAX_WORKERS
from emulator.service import Emulator
from tests.lambdas.invoke_server import InvokeServer
from tests.support.clients import requires

HERE = Path(__file__).resolve().parents[1] / "lambdas"
PY = f"{HERE}/handlers.py"
MJS = f"{HERE}/handlers.mjs"
CJS = f"{HERE}/callback_style.js"
EVENT = {"version": "1", "triggerSource": "PreSignUp_SignUp", "userName": "alice",
         "request": {"userAttributes": {"email": "alice@example.com"}}, "response": {}}

needs_node = requires("node")

FUNCTIONS = {
    "py-echo": f"{PY}:echo", "py-fail": f"{PY}:fail", "py-switch": f"{PY}:switch",
    "py-text": f"{PY}:text", "py-nothing": f"{PY}:nothing", "py-context": f"{PY}:context_info",
    "py-chatty": f"{PY}:chatty", "py-missing-name": f"{PY}:no_such",
    "py-meet": f"{PY}:rendezvous",
    "node-echo": MJS, "node-fail": f"{MJS}:fail", "node-switch": f"{MJS}:switcher",
    "node-text": f"{MJS}:text", "node-bigint": f"{MJS}:bigint",
    "node-context": f"{MJS}:contextInfo", "node-chatty": f"{MJS}:chatty",
    "node-late": f"{MJS}:lateThrow", "node-meet": f"{MJS}:rendezvous",
    "cjs-callback": CJS, "cjs-failing": f"{CJS}:failing",
    "cjs-failing-string": f"{CJS}:failingString", "cjs-async": f"{CJS}:asyncHandler",
    "cjs-legacy": f"{CJS}:legacySucceed", "cjs-never": f"{CJS}:neverCalls",
}


@pytest.fixture(scope="module")
def emu():
    e = Emulator(Settings(in_memory=True, functions=dict(FUNCTIONS)))
    yield e
    e.close()


def call(emu, name, event=None, timeout=5.0):
    return lambdas.invoke(emu, name, dict(EVENT) if event is None else event, timeout=timeout)


def error_of(emu, name, event=None, timeout=5.0) -> LambdaError:
    with pytest.raises(LambdaError) as info:
        call(emu, name, event, timeout)
    return info.value


def wait_for_file(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)
    return path.read_text()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and \
        Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


# -- Python ------------------------------------------------------------------------------

def test_python_echo_returns_the_event_with_its_response(emu):
    result = call(emu, "py-echo")
    assert result["userName"] == "alice" and result["request"] == EVENT["request"]
    assert result["response"]["echoed"] is True
    # The worker is persistent: a second call is answered by the same process.
    assert call(emu, "py-echo")["response"]["pid"] == result["response"]["pid"]


def test_python_exception_is_a_function_error_with_its_message(emu):
    err = error_of(emu, "py-fail")
    assert err.kind == "function_error"
    assert err.message == "Registration from this domain is not allowed."
    assert err.error_type == "ValueError"


def test_python_hang_times_out_and_the_next_call_gets_a_new_worker(emu):
    before = call(emu, "py-switch", {"n": 1})["pid"]
    started = time.monotonic()
    err = error_of(emu, "py-switch", {"do": "hang"}, timeout=1)
    elapsed = time.monotonic() - started
    # The handler sleeps 30 s: an error at all shows the runner stopped waiting; the lower
    # bound shows it waited out its 1 s timeout first (no upper bound: that is the clock).
    assert err.kind == "timeout" and "py-switch" in err.message
    assert elapsed >= 0.9
    after = call(emu, "py-switch", {"n": 2})
    assert after["n"] == 2 and after["pid"] != before
    assert not pid_alive(before)


def test_python_crash_is_reported_and_the_next_call_works(emu):
    before = call(emu, "py-switch", {"n": 1})["pid"]
    err = error_of(emu, "py-switch", {"do": "crash"})
    assert err.kind == "function_error" and err.error_type == "Runtime.ExitError"
    assert err.message.endswith("Error: Runtime exited with error: exit status 3")
    after = call(emu, "py-switch", {"n": 2})
    assert after["n"] == 2 and after["pid"] != before


def test_python_result_that_is_not_json_is_an_invalid_response(emu):
    before = call(emu, "py-switch", {"n": 1})["pid"]
    err = error_of(emu, "py-switch", {"do": "garbage"})
    assert err.kind == "invalid_response"
    assert "Unable to marshal response" in err.message and "set" in err.message
    # Nothing wrong with the worker itself: it keeps serving.
    assert call(emu, "py-switch", {"n": 2})["pid"] == before


def test_python_leak_fails_inside_the_worker(emu):
    err = error_of(emu, "py-switch", {"do": "leak"})
    assert err.kind == "function_error" and err.error_type == "MemoryError"
    assert call(emu, "py-switch", {"n": 3})["n"] == 3


def test_python_json_values_other_than_objects_are_passed_through(emu):
    # A string or null is valid JSON, as Lambda returns it; the triggers layer judges it.
    assert call(emu, "py-text") == "just a string"
    assert call(emu, "py-nothing") is None


def test_python_missing_handler_function(emu):
    err = error_of(emu, "py-missing-name")
    assert err.kind == "function_error" and err.error_type == "Runtime.HandlerNotFound"
    assert err.message == "Handler 'no_such' missing on module 'handlers'"


def test_python_context_object(emu):
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:py-context:live"
    ctx = call(emu, arn, timeout=3)
    assert ctx["function_name"] == ctx["env_name"] == "py-context"
    assert ctx["invoked_function_arn"] == arn
    assert ctx["function_version"] == "$LATEST"
    assert ctx["memory_limit_in_mb"] == "128"
    assert len(ctx["aws_request_id"]) == 36
    assert ctx["log_group_name"] == "/aws/lambda/py-context"
    assert "[$LATEST]" in ctx["log_stream_name"]
    assert 0 < ctx["remaining"] <= 3000  # counted down from this call's 3 s, not the default
    assert ctx["cwd"] == str(HERE)


def test_python_output_goes_to_the_log_not_the_response(emu, caplog):
    caplog.set_level(logging.INFO, logger="emulator.lambdas")
    result = call(emu, "py-chatty", {"n": 7})
    assert result == {"n": 7, "response": {"said": "hello"}}
    lines = _wait_for_log(caplog, "a warning line")
    assert "[py-chatty] hello from the handler 7" in lines
    assert any("[py-chatty] [INFO]" in line and "an info line" in line for line in lines)


def _wait_for_log(caplog, text: str) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = [r.getMessage() for r in caplog.records]
        if any(text in line for line in lines):
            return lines
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not logged; got {[r.getMessage() for r in caplog.records]}")


def test_python_module_spec_uses_the_config_folder(tmp_path):
    (tmp_path / "mytriggers").mkdir()
    (tmp_path / "mytriggers" / "__init__.py").write_text("")
    (tmp_path / "mytriggers" / "verify.py").write_text(textwrap.dedent("""
        def handler(event, context):
            event["response"] = {"answerCorrect": event["request"]["challengeAnswer"] == "42"}
            return event
    """))
    config = tmp_path / "emulator.yaml"
    config.write_text("pools: []\n")
    e = Emulator(Settings(in_memory=True, config=str(config),
                          functions={"verify": "mytriggers.verify:handler"}))
    try:
        ok = lambdas.invoke(e, "verify", {"request": {"challengeAnswer": "42"}, "response": {}})
        bad = lambdas.invoke(e, "verify", {"request": {"challengeAnswer": "7"}, "response": {}})
        assert ok["response"] == {"answerCorrect": True}
        assert bad["response"] == {"answerCorrect": False}
    finally:
        e.close()


def test_an_edited_handler_file_is_loaded_again(tmp_path):
    handler = tmp_path / "define.py"
    handler.write_text("def handler(event, context):\n    return {'version': 1}\n")
    e = Emulator(Settings(in_memory=True, functions={"define": f"{handler}:handler"}))
    try:
        assert lambdas.invoke(e, "define", {}) == {"version": 1}
        handler.write_text("def handler(event, context):\n    return {'version': 2}\n")
        os.utime(handler, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
        assert lambdas.invoke(e, "define", {}) == {"version": 2}
        handler.write_text("def handler(event, context:\n")
        os.utime(handler, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
        with pytest.raises(LambdaError) as info:
            lambdas.invoke(e, "define", {})
        assert info.value.kind == "function_error"
        assert info.value.error_type == "Runtime.UserCodeSyntaxError"
        assert "Syntax error in module 'define'" in info.value.message
    finally:
        e.close()


def test_loading_a_handler_does_not_count_against_the_call_timeout(tmp_path):
    slow_import = tmp_path / "heavy.py"
    slow_import.write_text("import time\ntime.sleep(1.2)\n\n"
                           "def handler(event, context):\n    return {'loaded': True}\n")
    e = Emulator(Settings(in_memory=True, functions={"heavy": f"{slow_import}:handler"}))
    try:
        assert lambdas.invoke(e, "heavy", {}, timeout=1) == {"loaded": True}
    finally:
        e.close()


# -- Node.js -----------------------------------------------------------------------------

@needs_node
def test_node_esm_async_echo(emu):
    result = call(emu, "node-echo")
    assert result["userName"] == "alice"
    assert result["response"]["runtime"] == "node-esm"
    assert call(emu, "node-echo")["response"]["pid"] == result["response"]["pid"]


@needs_node
def test_node_thrown_error_message_is_the_function_error(emu):
    err = error_of(emu, "node-fail")
    assert err.kind == "function_error"
    assert err.message == "Registration from this domain is not allowed."
    assert err.error_type == "Error"


@needs_node
def test_node_hang_times_out_and_the_next_call_gets_a_new_worker(emu):
    before = call(emu, "node-switch", {"n": 1})["pid"]
    started = time.monotonic()
    err = error_of(emu, "node-switch", {"do": "hang"}, timeout=1)
    # The handler never answers: an error at all shows the runner stopped waiting; the lower
    # bound shows it waited out its 1 s timeout first.
    assert err.kind == "timeout"
    assert time.monotonic() - started >= 0.9
    after = call(emu, "node-switch", {"n": 2})
    assert after["n"] == 2 and after["pid"] != before
    assert not pid_alive(before)


@needs_node
def test_node_crash_is_reported_and_the_next_call_works(emu):
    before = call(emu, "node-switch", {"n": 1})["pid"]
    err = error_of(emu, "node-switch", {"do": "crash"})
    assert err.kind == "function_error"
    assert err.message.endswith("Runtime exited with error: exit status 3")
    after = call(emu, "node-switch", {"n": 2})
    assert after["n"] == 2 and after["pid"] != before


@needs_node
def test_node_results(emu):
    assert call(emu, "node-text") == "just a string"
    err = error_of(emu, "node-bigint")
    assert err.kind == "invalid_response" and "BigInt" in err.message
    err = error_of(emu, "node-switch", {"do": "fail"})
    assert (err.kind, err.message, err.error_type) == ("function_error", "asked to fail",
                                                       "TypeError")


@needs_node
def test_node_uncaught_exception_fails_the_call_and_the_worker_is_replaced(emu):
    for _ in range(2):
        err = error_of(emu, "node-late")
        assert err.kind == "function_error" and err.message == "thrown later"


@needs_node
def test_node_commonjs_callback_style(emu):
    result = call(emu, "cjs-callback")
    assert result["response"]["runtime"] == "node-cjs-callback"
    assert len(result["response"]["request"]) == 36
    err = error_of(emu, "cjs-failing")
    assert (err.kind, err.message) == ("function_error", "Bad answer")
    err = error_of(emu, "cjs-failing-string")
    assert (err.kind, err.message, err.error_type) == ("function_error", "plain string error",
                                                       "string")
    assert call(emu, "cjs-async")["response"]["runtime"] == "node-cjs-async"
    assert call(emu, "cjs-legacy") == {"legacy": True}


@needs_node
def test_node_callback_never_called_times_out(emu):
    assert error_of(emu, "cjs-never", timeout=1).kind == "timeout"


@needs_node
def test_node_context_object(emu):
    ctx = call(emu, "node-context", timeout=3)
    assert ctx["functionName"] == ctx["envName"] == "node-context"
    assert ctx["invokedFunctionArn"] == \
        "arn:aws:lambda:us-east-1:000000000000:function:node-context"
    assert ctx["functionVersion"] == "$LATEST" and ctx["memoryLimitInMB"] == "128"
    assert len(ctx["awsRequestId"]) == 36 and ctx["logGroupName"] == "/aws/lambda/node-context"
    assert 0 < ctx["remaining"] <= 3000  # counted down from this call's 3 s, not the default


@needs_node
def test_node_console_goes_to_the_log_not_the_response(emu, caplog):
    caplog.set_level(logging.INFO, logger="emulator.lambdas")
    assert call(emu, "node-chatty", {"n": 5}) == {"n": 5, "response": {"said": "hello"}}
    lines = _wait_for_log(caplog, "a warning from node")
    assert "[node-chatty] hello from node 5" in lines


@needs_node
def test_node_module_that_does_not_load(tmp_path):
    broken = tmp_path / "broken.mjs"
    broken.write_text("export const handler = async (event) => {\n")
    e = Emulator(Settings(in_memory=True, functions={
        "broken": str(broken), "unexported": f"{MJS}:nope"}))
    try:
        with pytest.raises(LambdaError) as info:
            lambdas.invoke(e, "broken", {})
        assert info.value.kind == "function_error"
        assert info.value.error_type == "Runtime.UserCodeSyntaxError"
        with pytest.raises(LambdaError) as info:
            lambdas.invoke(e, "unexported", {})
        assert info.value.error_type == "Runtime.HandlerNotFound"
        assert info.value.message == "handlers.nope is undefined or not exported"
    finally:
        e.close()


# -- resolution, concurrency, shutdown ---------------------------------------------------

def test_unknown_function_is_not_found(emu):
    err = error_of(emu, "arn:aws:lambda:us-east-1:000000000000:function:nobody")
    assert err.kind == "not_found" and "nobody" in err.message


def test_function_names_from_arns():
    assert lambdas.parse_function("arn:aws:lambda:eu-west-1:123456789012:function:define") == {
        "name": "define", "qualifier": None, "region": "eu-west-1", "account": "123456789012"}
    assert lambdas.parse_function(
        "arn:aws:lambda:us-east-1:123456789012:function:define:prod")["qualifier"] == "prod"
    assert lambdas.parse_function("123456789012:function:define")["name"] == "define"
    assert lambdas.parse_function("define") == {
        "name": "define", "qualifier": None, "region": None, "account": None}
    assert lambdas.parse_function("define:$LATEST")["qualifier"] == "$LATEST"


@pytest.mark.parametrize("name", ["py-meet", pytest.param("node-meet", marks=needs_node)])
def test_concurrent_calls_from_eight_threads(emu, name, tmp_path):
    # Each call leaves a mark and waits until `party` calls have left theirs: they can only
    # all meet if the pool runs that many workers at once (one at a time, the first call
    # would wait alone and give up). Events, not a clock: a slow machine only waits longer.
    party = min(8, MAX_WORKERS)

    def one(n):
        return call(emu, name, {"dir": str(tmp_path), "party": party, "within": 30, "n": n},
                    timeout=60)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    assert [r["n"] for r in results] == list(range(8))  # each caller got its own answer
    assert all(r["met"] >= party for r in results), results
    assert len({r["pid"] for r in results}) >= party


def test_concurrent_calls_get_their_own_answers(emu):
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: call(emu, "py-switch", {"n": n}), range(200)))
    assert [r["n"] for r in results] == list(range(200))


@needs_node
def test_shutdown_stops_every_worker():
    e = Emulator(Settings(in_memory=True, functions={"py": f"{PY}:pid", "node": f"{MJS}:pid"}))
    pids = [lambdas.invoke(e, "py", {})["pid"], lambdas.invoke(e, "node", {})["pid"]]
    assert all(pid_alive(pid) for pid in pids)
    e.close()
    assert not any(pid_alive(pid) for pid in pids)


def test_shutdown_kills_a_call_in_progress(tmp_path):
    e = Emulator(Settings(in_memory=True, functions={"sw": f"{PY}:switch"}))
    pid = lambdas.invoke(e, "sw", {})["pid"]
    started = tmp_path / "started"
    errors = []

    def hang():
        try:
            lambdas.invoke(e, "sw", {"do": "hang", "started": str(started)}, timeout=60)
        except LambdaError as exc:
            errors.append(exc)
    thread = threading.Thread(target=hang)
    thread.start()
    # The handler writes its pid before it hangs: the call is under way in that worker.
    assert wait_for_file(started) == str(pid)
    e.close()
    thread.join(30)  # only a guard against a hang: the handler itself sleeps 30 s
    assert not thread.is_alive()
    # Killed, not timed out (timeout=60) nor answered (after 30 s): close() ended the call.
    assert errors and errors[0].kind == "function_error" and "signal: killed" in errors[0].message
    assert not pid_alive(pid)


# -- specs -------------------------------------------------------------------------------

def test_specs_are_checked_and_made_absolute(tmp_path):
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "define.py").write_text("def handler(e, c):\n    return e\n")
    (tmp_path / "lambdas" / "create.mjs").write_text("export const handler = async (e) => e;\n")
    resolved = lambdas.resolve_all({"define-auth": "lambdas/define.py:handler",
                                    "create-auth": "lambdas/create.mjs",
                                    "verify-auth": "json:loads"}, str(tmp_path))
    assert resolved == {"define-auth": f"{tmp_path}/lambdas/define.py:handler",
                        "create-auth": f"{tmp_path}/lambdas/create.mjs:handler",
                        "verify-auth": "json:loads"}
    with pytest.raises(lambdas.SpecError) as info:
        lambdas.resolve_all({"define-auth": "lambdas/missing.py:handler"}, str(tmp_path))
    assert str(info.value) == (f"function define-auth: file not found: "
                               f"{tmp_path}/lambdas/missing.py")
    with pytest.raises(lambdas.SpecError, match="function odd: cannot tell how to run"):
        lambdas.resolve_all({"odd": "lambdas/define.rb"}, str(tmp_path))
    with pytest.raises(lambdas.SpecError, match="function m: module 'no_such_pkg' not found"):
        lambdas.resolve_all({"m": "no_such_pkg.triggers:verify"}, str(tmp_path))


# -- the Lambda Invoke API ---------------------------------------------------------------

@pytest.fixture(scope="module")
def invoke_server():
    with InvokeServer() as server:
        yield server


@pytest.fixture
def api_emu(invoke_server):
    e = Emulator(Settings(in_memory=True, lambda_endpoint=invoke_server.url,
                          functions={"echo": f"{PY}:pid"}))
    yield e
    e.close()


def test_invoke_api_success(api_emu, invoke_server):
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:echo"
    # Declared functions win over the endpoint; others go to it.
    assert "pid" in lambdas.invoke(api_emu, arn, {})
    result = lambdas.invoke(api_emu, "arn:aws:lambda:eu-west-1:123456789012:function:chatty",
                            {"n": 1})
    assert result == {"n": 1, "response": {"said": "hello"}}
    sent = invoke_server.requests[-1]
    assert sent["path"] == "/2015-03-31/functions/chatty/invocations"
    assert sent["headers"]["X-Amz-Invocation-Type"] == "RequestResponse"
    # A SigV4 header with the ARN's region and account, which LocalStack routes by.
    assert sent["headers"]["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=123456789012/")
    assert "/eu-west-1/lambda/aws4_request" in sent["headers"]["Authorization"]


def test_invoke_api_qualifier(api_emu, invoke_server):
    lambdas.invoke(api_emu, "arn:aws:lambda:us-east-1:000000000000:function:text:prod", {})
    assert invoke_server.requests[-1]["query"] == {"Qualifier": ["prod"]}


def test_invoke_api_function_error(api_emu):
    err = error_of(api_emu, "fail")
    assert err.kind == "function_error"
    assert err.message == "Registration from this domain is not allowed."
    assert err.error_type == "ValueError"


def test_invoke_api_unknown_function(api_emu):
    err = error_of(api_emu, "arn:aws:lambda:us-east-1:000000000000:function:nobody")
    assert err.kind == "not_found" and "nobody" in err.message


def test_invoke_api_timeout():
    release, answered = threading.Event(), threading.Event()

    class Functions:
        @staticmethod
        def held(event, context):
            """Answers only once the test lets it (or after a minute, so no thread leaks)."""
            release.wait(60)
            answered.set()
            return event

    with InvokeServer(Functions) as server:
        e = Emulator(Settings(in_memory=True, lambda_endpoint=server.url))
        try:
            started = time.monotonic()
            err = error_of(e, "held", {"n": 1}, timeout=1)
            elapsed = time.monotonic() - started
            # The function could not have answered yet: the runner gave up on it.
            assert not answered.is_set()
        finally:
            release.set()
            e.close()
    assert err.kind == "timeout" and "held" in err.message
    assert elapsed >= 0.9  # it waited out its 1 s timeout first


def test_invoke_api_endpoint_down():
    # A port we hold bound but never listen on: connections are refused, and no other
    # process can start listening there while the test runs.
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        port = refusing.getsockname()[1]
        e = Emulator(Settings(in_memory=True, lambda_endpoint=f"http://127.0.0.1:{port}"))
        try:
            err = error_of(e, "anything")
            assert err.kind == "invoke_failed" and f"127.0.0.1:{port}" in err.message
        finally:
            e.close()
