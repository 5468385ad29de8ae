"""Settings for one emulator process, from command-line flags or environment variables.

Each flag `--some-flag` has the variable COGNITO_EMULATOR_SOME_FLAG; a flag wins over
the variable, the variable over the default.
"""
import argparse
import atexit
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "COGNITO_EMULATOR_"
_SCRATCH: dict[tuple[int, str], str] = {}  # (id(settings), name) -> temporary directory
MAX_BODY_BYTES = 1024 * 1024  # AWS rejects request bodies far smaller; 1 MiB is generous
# Seconds to wait for the next bytes of a request body (uvicorn itself waits for ever for a
# body shorter than its Content-Length); then 408.
BODY_TIMEOUT = 10.0


class ConfigError(ValueError):
    """A setting that can't be used; the CLI prints it and exits 1."""


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 9229
    data_dir: str = "./.cognito-emulator"
    in_memory: bool = False
    region: str = "us-east-1"
    config: str | None = None
    # "local": http://host:port/<pool>; "aws": https://cognito-idp.<region>.amazonaws.com/<pool>
    issuer_style: str = "local"
    public_url: str | None = None      # base URL clients use to reach us, if not http://host:port
    log_level: str = "info"
    max_body_bytes: int = MAX_BODY_BYTES
    body_timeout: float = BODY_TIMEOUT
    account_id: str = "000000000000"
    # Lambda functions by name -> handler spec (`path/file.py:handler`, `module:function`,
    # `file.js`/`file.mjs`), from the config file's `functions:` and COGNITO_EMULATOR_FUNCTIONS.
    functions: dict = field(default_factory=dict)
    lambda_endpoint: str | None = None  # Lambda Invoke API for functions not declared above
    # STS (LocalStack, moto_server) for GetCredentialsForIdentity's AssumeRoleWithWebIdentity;
    # None: credentials are minted locally.
    sts_endpoint: str | None = None
    # Where exported user auth events go (SetLogDeliveryConfiguration's local sink);
    # default <data_dir>/logs, or a temporary directory when in memory.
    log_dir: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def files_dir(self, name: str) -> Path:
        """Where the emulator keeps files of one kind (import uploads, log sinks) beside its
        store: <data_dir>/<name>, or a temporary directory removed at exit when in memory."""
        if not self.in_memory:
            return Path(self.data_dir) / name
        key = (id(self), name)
        if key not in _SCRATCH:
            _SCRATCH[key] = tempfile.mkdtemp(prefix=f"cognito-emulator-{name}-")
            atexit.register(shutil.rmtree, _SCRATCH[key], True)
        return Path(_SCRATCH[key])

    def issuer(self, pool_id: str) -> str:
        if self.issuer_style == "aws":
            region = pool_id.split("_", 1)[0]
            return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return f"{self.base_url}/{pool_id}"


def _env(name: str):
    return os.environ.get(ENV_PREFIX + name.upper().replace("-", "_"))


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to bind (default 9229; 0 picks a free one)")
    p.add_argument("--data-dir", help="where the SQLite store lives (default ./.cognito-emulator)")
    p.add_argument("--in-memory", action="store_true", default=None,
                   help="keep everything in memory; nothing survives a restart")
    p.add_argument("--region", help="region for new pools and unsigned calls (default us-east-1)")
    p.add_argument("--config", help="seed file (YAML or JSON) applied at start")
    p.add_argument("--issuer-style", choices=["local", "aws"],
                   help="token issuer: local http://host:port/<pool> or aws https://cognito-idp...")
    p.add_argument("--public-url", help="base URL clients use to reach the emulator")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    p.add_argument("--log-dir", help="where exported user auth events are written (default "
                                     "<data-dir>/logs; a temporary directory when in memory)")
    p.add_argument("--lambda-endpoint", metavar="URL",
                   help="Lambda Invoke API (sam local start-lambda, LocalStack) for trigger "
                        "functions not declared in the config file's functions:")
    p.add_argument("--sts-endpoint", metavar="URL",
                   help="STS (LocalStack, moto_server) on which GetCredentialsForIdentity calls "
                        "AssumeRoleWithWebIdentity (default: credentials minted locally)")
    p.add_argument("--body-timeout", type=float, metavar="SECONDS",
                   help="how long to wait for the missing bytes of a request body before "
                        "answering 408 (default 10)")


def settings_from(args: argparse.Namespace | None = None, **overrides) -> Settings:
    s = Settings()
    for name, kind in (("host", str), ("port", int), ("data_dir", str), ("in_memory", bool),
                       ("region", str), ("config", str), ("issuer_style", str),
                       ("public_url", str), ("log_level", str), ("lambda_endpoint", str),
                       ("log_dir", str), ("body_timeout", float), ("sts_endpoint", str)):
        value = getattr(args, name, None) if args is not None else None
        if value is None:
            raw = _env(name)
            if raw is not None and raw != "":
                value = _truthy(raw) if kind is bool else kind(raw)
        if value is not None:
            setattr(s, name, value)
    raw = _env("functions")
    if raw:
        try:
            functions = json.loads(raw)
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}FUNCTIONS is not JSON: {exc}") from None
        if not isinstance(functions, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in functions.items()):
            raise ConfigError(f"{ENV_PREFIX}FUNCTIONS: expected a JSON object of function "
                              "name to handler spec")
        s.functions = functions
    for k, v in overrides.items():
        setattr(s, k, v)
    return s
