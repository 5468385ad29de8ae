"""Run the emulator from a test suite in one line.

    from emulator.testing import CognitoEmulator

    with CognitoEmulator() as emu:                 # a real server on a free loopback port
        idp = emu.client()                          # boto3 cognito-idp, already pointed at it
        ...
        code = emu.messages(username="alice")[-1]["code"]
        emu.clock.advance(3600)                     # expire tokens without sleeping

The pytest fixtures built on this live in emulator.testing.pytest_plugin (registered by
entry point, so installing the package is enough). Only runtime dependencies are used here:
HTTP to the emulator's /_emulator endpoints goes through http.client.
"""
import collections
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import weakref

__all__ = ["CognitoEmulator", "EmulatorClock", "EmulatorError"]

_LISTENING = re.compile(r"listening on (http://\S+)")
DUMMY_KEY = "testing"
# Filter names messages() accepts in Python style, mapped to the outbox's query parameters.
_FILTERS = {"pool_id": "poolId", "username": "username", "purpose": "purpose",
            "medium": "medium", "destination": "destination"}


class EmulatorError(RuntimeError):
    """The emulator could not start, or an /_emulator call failed."""


def _terminate(proc: subprocess.Popen, temp_dir: str | None) -> None:
    """Stop the server process (SIGTERM, then SIGKILL) and remove a temporary data dir.
    Module-level so weakref.finalize can call it at interpreter exit as well."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # proc.stdout is closed by the thread reading it, at end of file.
    if temp_dir:
        shutil.rmtree(temp_dir, ignore_errors=True)


class CognitoEmulator:
    """A real emulator server for one test session, module or test.

    It runs as a subprocess (`python -m emulator serve --port 0`), not a thread, because:
    - isolation: the server has its own interpreter, store, Lambda workers and logging, so
      nothing a test does to its own process (monkeypatching, time mocks like freezegun,
      `gevent` patches, os.environ changes) leaks into the server, and a crash in either
      side is reported rather than taking the other down;
    - it is the same program users run (real uvicorn, uvloop, signal handling), so tests
      exercise what ships;
    - no event-loop clash: pytest-asyncio / anyio tests own their loop; the server's loop
      is elsewhere;
    - a clean stop is a SIGTERM: no threads left running in the test process.
    A thread would start faster (no interpreter + imports, ~0.2 s), but the start-up cost is
    paid once per fixture scope; docs/BENCHMARKS.md has the measured figure.

    Arguments:
      port: 0 picks a free port (the default); the server prints the one it bound.
      in_memory: keep everything in memory (default). With in_memory=False the SQLite store
        lives in data_dir, or in a temporary directory removed on stop when data_dir is None;
        giving data_dir implies in_memory=False.
      region, issuer_style ("local" | "aws"), config (a seed file), log_level: as the
        `serve` flags of the same names.
      args: extra `serve` command-line arguments; env: extra environment variables.
        COGNITO_EMULATOR_* variables of the calling process are NOT inherited (a developer's
        shell setting would otherwise change what tests see); pass them in env= if wanted.
      start_timeout: seconds to wait for the "listening on" line.
    """

    def __init__(self, port: int = 0, *, in_memory: bool = True, data_dir: str | None = None,
                 region: str = "us-east-1", issuer_style: str = "local",
                 config: str | os.PathLike | None = None, log_level: str = "warning",
                 args: list[str] | tuple = (), env: dict | None = None,
                 host: str = "127.0.0.1", start_timeout: float = 30.0):
        if issuer_style not in ("local", "aws"):
            raise ValueError("issuer_style must be 'local' or 'aws'")
        self.port = port
        self.in_memory = in_memory and data_dir is None
        self.data_dir = os.fspath(data_dir) if data_dir is not None else None
        self.region = region
        self.issuer_style = issuer_style
        self.config = os.fspath(config) if config is not None else None
        self.log_level = log_level
        self.extra_args = list(args)
        self.extra_env = dict(env or {})
        self.host = host
        self.start_timeout = start_timeout
        self.endpoint_url: str | None = None
        self.clock = EmulatorClock(self)
        self._proc: subprocess.Popen | None = None
        self._finalizer = None
        self._output: collections.deque = collections.deque(maxlen=200)

    # --- life cycle -----------------------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "emulator", "serve", "--host", self.host,
               "--port", str(self.port), "--region", self.region,
               "--issuer-style", self.issuer_style, "--log-level", self.log_level]
        if self.in_memory:
            cmd.append("--in-memory")
        elif self.data_dir:
            cmd += ["--data-dir", self.data_dir]
        if self.config:
            cmd += ["--config", self.config]
        return cmd + self.extra_args

    def start(self) -> "CognitoEmulator":
        if self._proc is not None:
            return self
        temp_dir = None
        if not self.in_memory and self.data_dir is None:
            temp_dir = tempfile.mkdtemp(prefix="cognito-emulator-")
            self.data_dir = temp_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith("COGNITO_EMULATOR_")}
        env.update(PYTHONUNBUFFERED="1", **self.extra_env)
        proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, text=True, bufsize=1)
        self._proc = proc
        # Stops the process even if nobody calls stop() (a fixture torn down by a crash,
        # a forgotten emulator): at garbage collection or at interpreter exit.
        self._finalizer = weakref.finalize(self, _terminate, proc, temp_dir)
        ready = threading.Event()
        found: list[str] = []
        # The pipe must be drained for the server's whole life, or a chatty log would fill it
        # and block the server; the last lines are kept for error messages.
        threading.Thread(target=self._drain, args=(proc, ready, found), daemon=True,
                         name="cognito-emulator-output").start()
        if not ready.wait(self.start_timeout) or not found:
            self.stop()
            raise EmulatorError(f"the emulator did not start (exit code {proc.poll()}):\n"
                                + self.output())
        self.endpoint_url = found[0]
        return self

    def _drain(self, proc, ready: threading.Event, found: list) -> None:
        try:
            for line in proc.stdout:
                self._output.append(line)
                if not found:
                    m = _LISTENING.search(line)
                    if m:
                        found.append(m.group(1))
                        ready.set()
        except (ValueError, OSError):
            pass
        finally:
            proc.stdout.close()
        ready.set()  # the process ended: wake start() so it reports instead of waiting

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self._finalizer is not None:
            self._finalizer()   # runs _terminate once; later calls do nothing

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def output(self) -> str:
        """The server's last log lines (it logs at log_level, 'warning' by default)."""
        return "".join(self._output)

    def __enter__(self) -> "CognitoEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<CognitoEmulator {self.endpoint_url or 'not started'}>"

    # --- clients --------------------------------------------------------------------------

    def client(self, **kwargs):
        """A boto3 cognito-idp client pointed at the emulator, with dummy credentials and
        this emulator's region; keyword arguments go to boto3.client and win. Retries are
        off by default so an error surfaces at once."""
        import boto3
        from botocore.config import Config

        self._require_started()
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs.setdefault("region_name", self.region)
        kwargs.setdefault("aws_access_key_id", DUMMY_KEY)
        kwargs.setdefault("aws_secret_access_key", DUMMY_KEY)
        kwargs.setdefault("config", Config(retries={"max_attempts": 1, "mode": "standard"}))
        return boto3.client("cognito-idp", **kwargs)

    def sdk_environment(self) -> dict:
        """Environment variables that point any AWS SDK (or a child process) at us."""
        self._require_started()
        return {"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": DUMMY_KEY, "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
                "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}

    def issuer(self, pool_id: str) -> str:
        """The `iss` claim of this pool's tokens."""
        if self.issuer_style == "aws":
            return f"https://cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"
        self._require_started()
        return f"{self.endpoint_url}/{pool_id}"

    def jwks_url(self, pool_id: str) -> str:
        self._require_started()
        return f"{self.endpoint_url}/{pool_id}/.well-known/jwks.json"

    # --- emulator-only endpoints ----------------------------------------------------------

    def messages(self, **filters) -> list[dict]:
        """The outbox (GET /_emulator/messages), oldest first. Filters: pool_id, username,
        purpose (SIGN_UP, FORGOT_PASSWORD, ...), medium (EMAIL/SMS), destination; the
        camelCase query names (poolId) work too."""
        query = {}
        for name, value in filters.items():
            if value is not None:
                query[_FILTERS.get(name, name)] = value
        path = "/_emulator/messages"
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return self._call("GET", path)["messages"]

    def last_code(self, username: str, **filters) -> str:
        """The code in the newest message sent to `username` (matching the filters)."""
        found = [m for m in self.messages(username=username, **filters) if m.get("code")]
        if not found:
            raise EmulatorError(f"no message with a code for {username!r} ({filters})")
        return found[-1]["code"]

    def reset(self) -> None:
        """Wipe all state (pools, users, outbox), put the clock back, re-apply the seed file."""
        self._call("POST", "/_emulator/reset")

    def snapshot(self, path) -> dict:
        """Save the whole state to `path`, a file on this machine (POST /_emulator/snapshot):
        SQLite database file or, in memory, JSON. The clock is not part of it."""
        return self._call("POST", "/_emulator/snapshot", {"path": os.path.abspath(path)})

    def restore(self, path) -> dict:
        """Replace the whole state with a snapshot() of the same store kind
        (POST /_emulator/restore): milliseconds for a small fixture."""
        return self._call("POST", "/_emulator/restore", {"path": os.path.abspath(path)})

    def health(self) -> dict:
        return self._call("GET", "/_emulator/health")

    def _require_started(self) -> None:
        if self.endpoint_url is None:
            raise EmulatorError("the emulator is not started: use `with CognitoEmulator() as "
                                "emu:` or call start()")

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        # http.client rather than urllib: urllib would route loopback calls through an
        # HTTP(S)_PROXY set in CI.
        self._require_started()
        url = urllib.parse.urlsplit(self.endpoint_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            raise EmulatorError(f"{method} {path}: {exc}\n{self.output()}") from exc
        finally:
            conn.close()
        if resp.status >= 400:
            text = data.decode(errors="replace")
            raise EmulatorError(f"{method} {path}: HTTP {resp.status} {text}")
        return json.loads(data)


class EmulatorClock:
    """The emulator's clock (/_emulator/clock). Every expiry (codes, sessions, tokens) reads
    it, so tests move time instead of sleeping. Methods return the emulator's new time."""

    def __init__(self, emu: CognitoEmulator):
        self._emu = emu

    def state(self) -> dict:
        """{"now": epoch, "pinned": bool, "offset": seconds}"""
        return self._emu._call("GET", "/_emulator/clock")

    def now(self) -> float:
        return self.state()["now"]

    def pin(self, at: float | None = None) -> float:
        """Stop the clock, at `at` (epoch seconds) or at the current time."""
        return self._emu._call("POST", "/_emulator/clock", {"pin": at})["now"]

    def advance(self, seconds: float) -> float:
        """Move time forward (pinned or running)."""
        return self._emu._call("POST", "/_emulator/clock", {"advance": seconds})["now"]

    def release(self) -> float:
        """Let a pinned clock run again from where it stands."""
        return self._emu._call("POST", "/_emulator/clock", {"release": True})["now"]

    def reset(self) -> float:
        """Back to real time."""
        return self._emu._call("POST", "/_emulator/clock", {"reset": True})["now"]
