"""Persistent worker processes that run one function each, and a small pool per function.

A worker is a child process (python_worker.py or node_worker.mjs) that loads the handler once
and then answers requests, one at a time:
- requests go to its stdin as JSON lines;
- replies come back on a separate pipe (its fd number is passed on the command line), so
  whatever the handler prints can never be mistaken for a reply;
- its stdout and stderr (print, console.log, logging, tracebacks) are copied line by line to
  the emulator's log, prefixed with the function name.
Each worker runs in its own session, so a timeout kills the handler and anything it started.
"""
import json
import logging
import os
import queue
import signal
import subprocess
import threading
import time
import uuid

from .errors import LambdaError

log = logging.getLogger("emulator.lambdas")

INIT_TIMEOUT = 10.0       # loading the handler (Lambda's own init phase limit is 10 s)
MAX_WORKERS = 4           # per function: concurrent calls beyond this wait for a free worker
MEMORY_LIMIT_MB = 1024    # a leaking handler fails inside its worker instead of hurting the host


class Worker:
    def __init__(self, name: str, argv_for_fd, env: dict, cwd: str | None):
        self.name = name
        self.alive = True
        self.replies: queue.SimpleQueue = queue.SimpleQueue()
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(argv_for_fd(write_fd), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         pass_fds=(write_fd,), env=env, cwd=cwd,
                                         start_new_session=True)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        threading.Thread(target=self._read_replies, args=(os.fdopen(read_fd, "rb"),),
                         name=f"lambda-{name}-replies", daemon=True).start()
        threading.Thread(target=self._copy_output, name=f"lambda-{name}-output",
                         daemon=True).start()

    # -- threads -------------------------------------------------------------------------
    def _read_replies(self, channel) -> None:
        with channel:
            for line in channel:
                self.replies.put(line)
        self.replies.put(None)

    def _copy_output(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                log.info("[%s] %s", self.name, line)
        self.proc.stdout.close()

    # -- life cycle ----------------------------------------------------------------------
    def wait_ready(self, timeout: float) -> None:
        """Wait until the handler is loaded; a load error is the function's error."""
        reply = self._next(timeout, "start")
        if reply is None:
            raise self._exited("init")
        if reply.get("error"):
            self.kill()
            raise _function_error(reply["error"])

    def call(self, request: dict, timeout: float):
        """Send one request; return the function's JSON result or raise LambdaError."""
        try:
            self.proc.stdin.write(json.dumps(request, separators=(",", ":")).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._exited(request["id"]) from None
        while True:
            reply = self._next(timeout, "answer")
            if reply is None:
                raise self._exited(request["id"])
            if reply.get("id") == request["id"]:
                break
        if reply.get("exiting"):        # the runtime is going down after this reply
            self.alive = False
        if "error" in reply:
            raise _function_error(reply["error"])
        if "invalid" in reply:
            raise LambdaError("invalid_response", reply["invalid"])
        return reply.get("result")

    def _next(self, timeout: float, what: str):
        try:
            line = self.replies.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            self.kill()
            log.warning("function %s did not %s within %.3g s; its worker was stopped",
                        self.name, what, timeout)
            raise LambdaError("timeout", f"function {self.name} did not {what} within "
                                         f"{timeout:.3g} seconds") from None
        if line is None:
            return None
        try:
            return json.loads(line)
        except ValueError:
            self.kill()
            raise LambdaError("invoke_failed", f"function {self.name}: its worker sent a "
                                               f"malformed reply: {line[:200]!r}") from None

    def _exited(self, request_id: str) -> LambdaError:
        """The runtime died (os._exit, a crash, a signal): what Lambda reports for it."""
        self.alive = False
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        if code is not None and code < 0:
            try:
                status = "signal: " + signal.strsignal(-code).lower()
            except (ValueError, AttributeError):
                status = f"signal: {-code}"
        else:
            status = f"exit status {code}"
        log.warning("function %s: its worker exited (%s); the next call starts a new one",
                    self.name, status)
        return LambdaError("function_error",
                           f"RequestId: {request_id} Error: Runtime exited with error: {status}",
                           error_type="Runtime.ExitError")

    def kill(self) -> None:
        self.alive = False
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._close_stdin()

    def stop(self) -> None:
        """Ask politely (end of input makes the worker exit), then make sure."""
        self.alive = False
        self._close_stdin()

    def finish_stop(self, deadline: float) -> None:
        try:
            self.proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def _close_stdin(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass


def _function_error(error: dict) -> LambdaError:
    message = error.get("errorMessage")
    if not isinstance(message, str):
        message = json.dumps(message)
    return LambdaError("function_error", message, error_type=error.get("errorType"))


class Launcher:
    """How to start one function's worker (python_runner / node_runner provide these)."""
    name: str
    runtime: str          # AWS_EXECUTION_ENV value
    root: str             # the function's working directory
    watch: str | None     # a file whose change means: start fresh workers

    def argv(self, fd: int) -> list[str]:
        raise NotImplementedError

    def env(self, region: str, log_stream: str, extra: dict | None = None) -> dict:
        env = dict(os.environ)
        for name, value in (extra or {}).items():
            env.setdefault(name, value)  # the developer's own setting wins
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_EXECUTION_ENV": self.runtime,
            "LAMBDA_TASK_ROOT": self.root,
        })
        # As in Lambda, unless the developer's environment says otherwise.
        env.setdefault("AWS_REGION", region)
        env.setdefault("AWS_DEFAULT_REGION", region)
        env.setdefault("TZ", "UTC")
        return env


class WorkerPool:
    """Up to MAX_WORKERS workers for one function, started on demand and reused."""

    def __init__(self, launcher: Launcher, region: str, max_workers: int = MAX_WORKERS,
                 extra_env: dict | None = None):
        self.launcher = launcher
        self.name = launcher.name
        self.region = region
        self.extra_env = extra_env
        self.max_workers = max_workers
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._count = 0
        self._closed = False
        self._cond = threading.Condition()
        self._stamp = self._file_stamp()
        self._generation = 0

    def invoke(self, event, invoked_arn: str, timeout: float):
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        worker, fresh = self._acquire(started + timeout)
        try:
            # Time spent waiting for a busy worker counts; loading a new one doesn't (it has
            # its own INIT_TIMEOUT), so a slow first import can't fail the first sign-in.
            remaining = timeout if fresh else timeout - (time.monotonic() - started)
            return worker.call({"id": request_id, "event": event, "arn": invoked_arn,
                                "deadline_ms": int((time.time() + remaining) * 1000)},
                               remaining)
        finally:
            self._release(worker)

    def _acquire(self, deadline: float) -> tuple[Worker, bool]:
        with self._cond:
            self._reload_if_changed()
            while True:
                if self._closed:
                    raise LambdaError("invoke_failed", "the emulator is shutting down")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive and worker.proc.poll() is None:
                        self._busy.add(worker)
                        return worker, False
                    self._count -= 1
                if self._count < self.max_workers:
                    self._count += 1
                    generation = self._generation
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    if deadline - time.monotonic() <= 0:
                        raise LambdaError(
                            "timeout", f"function {self.name}: all {self.max_workers} workers "
                                       "stayed busy until the timeout")
        try:
            worker = self._start()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise
        worker.generation = generation
        with self._cond:
            if self._closed:
                self._count -= 1
                worker.kill()
                raise LambdaError("invoke_failed", "the emulator is shutting down")
            self._busy.add(worker)
        return worker, True

    def _start(self) -> Worker:
        log_stream = time.strftime("%Y/%m/%d", time.gmtime()) + "/[$LATEST]" + uuid.uuid4().hex
        try:
            env = self.launcher.env(self.region, log_stream, self.extra_env)
            worker = Worker(self.name, self.launcher.argv, env, self.launcher.root)
        except OSError as exc:
            raise LambdaError("invoke_failed",
                              f"function {self.name}: cannot start its worker: {exc}") from None
        worker.wait_ready(INIT_TIMEOUT)
        return worker

    def _release(self, worker: Worker) -> None:
        with self._cond:
            self._busy.discard(worker)
            keep = (worker.alive and not self._closed and worker.proc.poll() is None
                    and worker.generation == self._generation)
            if keep:
                self._idle.append(worker)
            else:
                self._count -= 1
            self._cond.notify()
        if not keep:
            worker.kill()

    def _file_stamp(self):
        if not self.launcher.watch:
            return None
        try:
            st = os.stat(self.launcher.watch)
            return (st.st_mtime_ns, st.st_size)
        except OSError:
            return None

    def _reload_if_changed(self) -> None:
        """The handler file was edited: new calls get workers that load the new code."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._generation += 1
        stale, self._idle = self._idle, []
        self._count -= len(stale)
        for worker in stale:
            worker.stop()
        if stale:
            log.info("function %s: %s changed; loading it again", self.name, self.launcher.watch)

    def close(self) -> list[Worker]:
        """Stop accepting calls and kill calls in progress; return the idle workers, asked
        to stop (the caller waits for them with finish_stop)."""
        with self._cond:
            self._closed = True
            stale, self._idle = self._idle, []
            busy = list(self._busy)
            self._count -= len(stale)
            self._cond.notify_all()
        for worker in busy:
            worker.kill()
        for worker in stale:
            worker.stop()
        return stale
