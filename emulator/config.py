"""Settings for one emulator process, from command-line flags or environment variables.

Each flag `--some-flag` has the variable COGNITO_EMULATOR_SOME_FLAG; a flag wins over
the variable, the variable over the default.
"""
import argparse
import atexit
import json
import os
import secrets
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
    # --store postgresql://...: the PostgreSQL store (emulator/store/postgres.py) instead of
    # SQLite in data_dir; data_dir still holds the other files (logs, tls).
    store: str | None = None
    region: str = "us-east-1"
    config: str | None = None
    # "local": http://host:port/<pool>; "aws": https://cognito-idp.<region>.amazonaws.com/<pool>
    issuer_style: str = "local"
    public_url: str | None = None      # base URL clients use to reach us, if not http://host:port
    # --tls: an HTTPS listener on tls_port beside the HTTP one, certificates from a local CA
    # kept in <data_dir>/tls (emulator/tls.py; docs/TLS.md). It implies issuer_style "aws"
    # unless an issuer style is given.
    tls: bool = False
    tls_port: int = 9230
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
    # Relay every email the outbox records to this SMTP server (docs/MAIL.md); None: outbox only.
    smtp_url: str | None = None
    smtp_ca_file: str | None = None     # PEM CAs to trust for smtps:// / smtp+starttls://
    # PEM CAs trusted, beside the system's and SSL_CERT_FILE, when the emulator calls out over
    # HTTPS (OIDC and social providers, metadata URLs, identity-pool issuers): trust.py.
    trust_ca: str | None = None
    smtp_insecure: bool = False         # TLS without certificate checks (a local catcher)
    # Point-in-time recovery: how many days of user, group and membership history the store
    # keeps (domain/pitr_history.py). Default 14: the Plus plan's recovery period, the longest
    # the docs name (Essentials: 1 day; a pool's period is the shorter of its plan's and this).
    pitr_window_days: float = 14.0
    # Seconds between sweeps that delete expired records (emulator/sweep.py); 0: no sweep.
    sweep_interval: float = 60.0
    # serve --workers N: N processes on one listening socket, each with its own Emulator on
    # the same durable store (cli.py; docs/ARCHITECTURE.md, Processes). Not with in_memory.
    workers: int = 1
    # The console at /_emulator/ (docs/CONSOLE.md): "on" or "off" (404). Clients not on
    # loopback need console_token (printed at start; random unless given).
    console: str = "on"
    console_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
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

    def issuer(self, pool_id: str, issuer_type: str | None = None) -> str:
        """The `iss` of the pool's tokens. In the aws style, a pool whose IssuerConfiguration
        Type is UPDATED gets https://issuer-cognito-idp.<region>.amazonaws.com/<pool>."""
        if self.issuer_style == "aws":
            region = pool_id.split("_", 1)[0]
            host = "issuer-cognito-idp" if issuer_type == "UPDATED" else "cognito-idp"
            return f"https://{host}.{region}.amazonaws.com/{pool_id}"
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
    p.add_argument("--store", metavar="URL",
                   help="keep the store in PostgreSQL, postgresql://user:pass@host:port/db "
                        "(default: SQLite in --data-dir)")
    p.add_argument("--region", help="region for new pools and unsigned calls (default us-east-1)")
    p.add_argument("--config", help="seed file (YAML or JSON) applied at start")
    p.add_argument("--issuer-style", choices=["local", "aws"],
                   help="token issuer: local http://host:port/<pool> or aws https://cognito-idp...")
    p.add_argument("--public-url", help="base URL clients use to reach the emulator")
    p.add_argument("--tls", action="store_true", default=None,
                   help="also serve HTTPS on --tls-port, with certificates from a local CA "
                        "kept in the data dir (implies --issuer-style aws; docs/TLS.md)")
    p.add_argument("--tls-port", type=int, help="port of the HTTPS listener (default 9230)")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    p.add_argument("--log-dir", help="where exported user auth events are written (default "
                                     "<data-dir>/logs; a temporary directory when in memory)")
    p.add_argument("--lambda-endpoint", metavar="URL",
                   help="Lambda Invoke API (sam local start-lambda, LocalStack) for trigger "
                        "functions not declared in the config file's functions:")
    p.add_argument("--sts-endpoint", metavar="URL",
                   help="STS (LocalStack, moto_server) on which GetCredentialsForIdentity calls "
                        "AssumeRoleWithWebIdentity (default: credentials minted locally)")
    p.add_argument("--smtp-url", metavar="URL",
                   help="also send every email as real mail through this SMTP server: "
                        "smtp://[user:pass@]host[:port] (plain, port 25), smtp+starttls://... "
                        "(port 587) or smtps://... (TLS, port 465); see docs/MAIL.md")
    p.add_argument("--smtp-ca-file", metavar="PEM",
                   help="trust the CA certificates in this file (instead of the system's) "
                        "for smtps:// and smtp+starttls://")
    p.add_argument("--trust-ca", metavar="PEM",
                   help="also trust the CA certificates in this file (beside the system's and "
                        "SSL_CERT_FILE) when calling OIDC/social providers, metadata URLs "
                        "and identity-pool issuers over HTTPS (docs/FEDERATION.md)")
    p.add_argument("--smtp-insecure", action="store_true", default=None,
                   help="TLS to the SMTP server without checking its certificate")
    p.add_argument("--body-timeout", type=float, metavar="SECONDS",
                   help="how long to wait for the missing bytes of a request body before "
                        "answering 408 (default 10)")
    p.add_argument("--pitr-window-days", type=float, metavar="DAYS",
                   help="days of user, group and membership history kept for point-in-time "
                        "recovery (default 14, the Plus plan's period; Essentials pools "
                        "recover at most 1 day)")
    p.add_argument("--sweep-interval", type=float, metavar="SECONDS",
                   help="seconds between sweeps that delete expired records (challenge "
                        "sessions, codes, SAML requests; default 60, 0 = never)")
    p.add_argument("--console", choices=["on", "off"],
                   help="the console at /_emulator/ (default on; loopback clients only, others "
                        "need the console token printed at start; docs/CONSOLE.md)")
    p.add_argument("--console-token", metavar="TOKEN",
                   help="the console token for clients not on loopback (default: random)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="serve from N processes sharing the port and the store (default 1; "
                        "not with --in-memory)")


def settings_from(args: argparse.Namespace | None = None, **overrides) -> Settings:
    s = Settings()
    given: set[str] = set()
    for name, kind in (("host", str), ("port", int), ("data_dir", str), ("in_memory", bool),
                       ("store", str),
                       ("region", str), ("config", str), ("issuer_style", str),
                       ("public_url", str), ("log_level", str), ("lambda_endpoint", str),
                       ("log_dir", str), ("body_timeout", float), ("sts_endpoint", str),
                       ("tls", bool), ("tls_port", int),
                       ("smtp_url", str), ("smtp_ca_file", str), ("smtp_insecure", bool),
                       ("trust_ca", str),
                       ("pitr_window_days", float), ("sweep_interval", float),
                       ("workers", int),
                       ("console", str),
                       ("console_token", str)):
        value = getattr(args, name, None) if args is not None else None
        if value is None:
            raw = _env(name)
            if raw is not None and raw != "":
                value = _truthy(raw) if kind is bool else kind(raw)
        if value is not None:
            setattr(s, name, value)
            given.add(name)
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
    # Over TLS, clients reach the emulator by the AWS host names, and the verifiers they
    # use (aws-jwt-verify's CognitoJwtVerifier) want the AWS issuer.
    if s.tls and "issuer_style" not in given and "issuer_style" not in overrides:
        s.issuer_style = "aws"
    if s.console not in ("on", "off"):
        raise ConfigError(f"{ENV_PREFIX}CONSOLE: expected on or off, not {s.console!r}")
    if s.store is not None and not s.store.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"--store: expected a postgresql://user:pass@host:port/db URL, not "
                          f"{s.store.split('://')[0]}://...")
    if s.store and s.in_memory:
        raise ConfigError("--store and --in-memory contradict each other: choose one")
    if s.workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {s.workers}")
    if s.workers > 1 and s.in_memory:
        raise ConfigError("--workers needs a durable store (--data-dir or --store): processes "
                          "cannot share an in-memory store")
    if s.trust_ca and not os.path.isfile(s.trust_ca):
        raise ConfigError(f"--trust-ca {s.trust_ca}: no such file")
    smtp_target(s)  # a bad SMTP setting stops the start, not the first mail
    return s


# --- the SMTP relay's target (--smtp-url, docs/MAIL.md) -------------------------------------

# scheme -> (security, default port)
SMTP_SCHEMES = {"smtp": ("none", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: str                 # "none", "starttls" or "tls" (see SMTP_SCHEMES)
    username: str | None = None   # percent-decoded from the URL
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    verify: bool = True

    def __str__(self) -> str:  # for logs and the outbox: the URL without the password
        from urllib.parse import quote

        scheme = {v[0]: k for k, v in SMTP_SCHEMES.items()}[self.security]
        who = f"{quote(self.username, safe='')}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{who}{host}:{self.port}"


def smtp_target(s: Settings) -> SmtpTarget | None:
    """The relay target the settings name (None: no relay); ConfigError for a URL or TLS
    option it can't use."""
    from urllib.parse import unquote, urlsplit

    if not s.smtp_url:
        if s.smtp_ca_file or s.smtp_insecure:
            raise ConfigError("--smtp-ca-file and --smtp-insecure need --smtp-url")
        return None
    forms = "smtp://[user:pass@]host[:port], smtp+starttls://... or smtps://..."
    try:
        url = urlsplit(s.smtp_url)
        port = url.port
    except ValueError as exc:
        raise ConfigError(f"--smtp-url {s.smtp_url!r}: {exc}; expected {forms}") from None
    if url.scheme not in SMTP_SCHEMES:
        raise ConfigError(f"--smtp-url: unknown scheme {url.scheme!r}; expected {forms}")
    if not url.hostname or url.path not in ("", "/") or url.query or url.fragment:
        raise ConfigError(f"--smtp-url {s.smtp_url!r}: expected {forms} (a host, and no path "
                          "or query)")
    security, default_port = SMTP_SCHEMES[url.scheme]
    if security == "none" and (s.smtp_ca_file or s.smtp_insecure):
        raise ConfigError("--smtp-ca-file and --smtp-insecure apply to smtps:// and "
                          "smtp+starttls:// only")
    if s.smtp_ca_file and s.smtp_insecure:
        raise ConfigError("--smtp-ca-file and --smtp-insecure contradict each other: "
                          "choose one")
    if s.smtp_ca_file and not os.path.isfile(s.smtp_ca_file):
        raise ConfigError(f"--smtp-ca-file {s.smtp_ca_file}: no such file")
    username = unquote(url.username) if url.username is not None else None
    password = unquote(url.password) if url.password is not None else None
    return SmtpTarget(url.hostname, port or default_port, security, username or None,
                      password if username else None, s.smtp_ca_file, not s.smtp_insecure)
