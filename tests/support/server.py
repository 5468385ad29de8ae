"""Start a real emulator process (uvicorn on 127.0.0.1) for tests and benchmarks."""
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (http://\S+)")
_TLS = re.compile(r"TLS on (https://\S+) \(CA certificate: (.+?);")


class RunningServer:
    def __init__(self, args: list[str], env: dict | None = None):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="emulator-", suffix=".log",
                                               delete=False)
        # Strict output: a handler answering a member its output shape doesn't declare is an
        # error (emulator/api/serialize.py), so every API test checks the output shape too.
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1",
                    "COGNITO_EMULATOR_STRICT_OUTPUT": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                                      *args], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=full_env)
        self.url = self._wait_for_url()
        # With --tls: the HTTPS listener and the CA file (printed before the line above).
        tls = _TLS.search(self.output())
        self.tls_url, self.ca_file = (tls.group(1), tls.group(2)) if tls else (None, None)

    def _wait_for_url(self, timeout: float = 30) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = Path(self.log.name).read_text()
            m = _LISTENING.search(text)
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.02)
        raise RuntimeError("emulator did not start:\n" + Path(self.log.name).read_text())

    def output(self) -> str:
        return Path(self.log.name).read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def own_loopback_address(tag: int) -> str:
    """An address of this test process's own in 127.0.0.0/8, for a listener on a fixed port
    such as 443 (real AWS URLs): only a wildcard listener could be in its way, and two
    modules (different `tag`) or two test processes never meet. Linux answers on all of
    127.0.0.0/8 without configuration."""
    pid = os.getpid()
    return f"127.{tag}.{zlib.crc32(str(pid).encode()) % 200 + 20}.{pid % 250 + 2}"


def tls_on_port_443(tag: int, *args: str) -> RunningServer:
    """An in-memory emulator with --tls on port 443 of own_loopback_address(tag), the port
    real AWS URLs name (`server.address` is that address). Binding 443 needs root, as CI
    has: a failure to bind fails the test, it never skips."""
    import pytest

    address = own_loopback_address(tag)
    try:
        server = RunningServer(["--in-memory", "--host", address, "--tls", "--tls-port", "443",
                                "--log-level", "warning", *args])
    except RuntimeError as exc:
        pytest.fail(f"the TLS listener must bind {address}:443 for this test (run as root, "
                    f"as CI does): {exc}")
    server.address = address
    return server
