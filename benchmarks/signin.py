#!/usr/bin/env python3
"""Sign-in benchmark: this emulator against moto_server and cognito-local.

Run from the repository root with the project's venv:

    .venv/bin/python benchmarks/signin.py            # full run (200 users, 500 sign-ins)
    .venv/bin/python benchmarks/signin.py --quick    # smaller numbers, for a smoke check
    .venv/bin/python benchmarks/signin.py --json out.json --only ours,moto

Each server runs as its own process on 127.0.0.1 (free port) and is measured the same way:
start-up (spawn -> first answered ListUserPools, median of 3 starts), RSS, USER_PASSWORD_AUTH
sign-ins with boto3 (sequential and 8 concurrent clients), and full SRP sign-ins. Every
sign-in must return an AccessToken; failures are counted and shown, never hidden.
The peers are installed on first use under benchmarks/.peers/ (gitignored).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "benchmarks" / ".peers"
MOTO_DIR = PEERS / "moto"
COGNITO_LOCAL_DIR = PEERS / "cognito-local"
COGNITO_LOCAL_JS = COGNITO_LOCAL_DIR / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js"
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"

sys.path.insert(0, str(ROOT))  # tests.support.srp_client

REGION = "us-east-1"
PASSWORD = "Bench-Passw0rd!x"
SERVERS = ("ours", "moto", "cognito-local")
START_TIMEOUT = 60.0      # seconds a server may take to answer its first request
REQUEST_TIMEOUT = 30.0
# A well-formed but meaningless SigV4 header: none of the three servers verifies signatures,
# and all of them read the region from the credential scope.
FAKE_AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/cognito-idp/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


# ---------------------------------------------------------------- peers ------------------

def ensure_peers(wanted: set[str]) -> None:
    """Install moto[server] into its own venv and cognito-local with npm, once."""
    if "moto" in wanted and not (MOTO_DIR / "bin" / "moto_server").exists():
        print("installing moto[server] into", MOTO_DIR, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(MOTO_DIR)], check=True)
        subprocess.run([str(MOTO_DIR / "bin" / "pip"), "install", "-q", "moto[server]"], check=True)
    if "cognito-local" in wanted and not COGNITO_LOCAL_JS.exists():
        print("installing cognito-local into", COGNITO_LOCAL_DIR, flush=True)
        COGNITO_LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        if not (COGNITO_LOCAL_DIR / "package.json").exists():
            (COGNITO_LOCAL_DIR / "package.json").write_text('{"private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "cognito-local"],
                       cwd=COGNITO_LOCAL_DIR, check=True)


def peer_versions() -> dict:
    out = {}
    try:
        out["moto"] = subprocess.run(
            [str(MOTO_DIR / "bin" / "python"), "-c", "import moto; print(moto.__version__)"],
            capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out["moto"] = "?"
    try:
        pkg = COGNITO_LOCAL_DIR / "node_modules" / "cognito-local" / "package.json"
        out["cognito-local"] = json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        out["cognito-local"] = "?"
    try:
        out["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True,
                                     timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out["node"] = "?"
    return out


# ---------------------------------------------------------------- processes --------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # field 4 (ppid) follows the ")" that closes the command name
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


def family(pid: int) -> list[int]:
    """pid and all its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p not in found:
            found.append(p)
            todo.extend(_children(p))
    return found


def rss_mib(pid: int) -> float:
    """VmRSS of pid plus all its descendants, in MiB."""
    total_kib = 0
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


_RUNNING: list[Server] = []   # everything we started, so that finally/atexit can stop it


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    log_path: str
    workdir: str | None = None
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self in _RUNNING:
            _RUNNING.remove(self)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        try:
            os.unlink(self.log_path)
        except OSError:
            pass


def command_for(name: str, port: int, ours_args: list[str] | None = None
                ) -> tuple[list[str], dict, str | None]:
    """(argv, extra env, cwd) for one server on one port; `ours_args` replace our
    `--in-memory` (processes.py: a store and --workers). node is started directly, not via
    npm, so that the pid we hold is the server itself."""
    if name == "ours":
        return ([str(OUR_PYTHON), "-m", "emulator", "serve", "--host", "127.0.0.1",
                 "--port", str(port), *(ours_args or ["--in-memory"])], {}, str(ROOT))
    if name == "moto":
        return ([str(MOTO_DIR / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                {}, None)
    if name == "cognito-local":
        # it keeps its data in ./.cognito of its working directory: give it a fresh one.
        # Its default config makes every pool sign users in by email (UsernameAttributes
        # ["email"]), unlike AWS; turn that off so that all three servers see the same pool.
        workdir = tempfile.mkdtemp(prefix="bench-cognito-local-")
        (Path(workdir) / ".cognito").mkdir()
        (Path(workdir) / ".cognito" / "config.json").write_text(
            '{"UserPoolDefaults": {"UsernameAttributes": []}}\n')
        return (["node", str(COGNITO_LOCAL_JS)], {"HOST": "127.0.0.1", "PORT": str(port)}, workdir)
    raise ValueError(name)


def probe(port: int, timeout: float = 2.0) -> int:
    """One ListUserPools call on a fresh connection; returns the HTTP status.
    The same readiness probe for every server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/", body=b'{"MaxResults":1}', headers=_headers("ListUserPools"))
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def start(name: str, ours_args: list[str] | None = None) -> Server:
    port = free_port()
    argv, env, cwd = command_for(name, port, ours_args)
    log = tempfile.NamedTemporaryFile("w", prefix=f"bench-{name}-", suffix=".log", delete=False)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    server = Server(name, proc, port, log.name, workdir=cwd if name == "cognito-local" else None)
    _RUNNING.append(server)
    deadline = t0 + START_TIMEOUT
    while True:
        try:
            status = probe(port)
            server.startup_s = time.perf_counter() - t0
            if status != 200:
                print(f"  note: {name} answered the readiness probe with HTTP {status}", flush=True)
            return server
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        if proc.poll() is not None or time.perf_counter() > deadline:
            tail = server.log_tail()
            server.stop()
            raise RuntimeError(f"{name} did not start (exit {proc.poll()}):\n{tail}")
        time.sleep(0.005)


def stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


# ---------------------------------------------------------------- clients ----------------

def boto3_client(url: str):
    import boto3
    from botocore.config import Config
    return boto3.client("cognito-idp", endpoint_url=url, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}, read_timeout=REQUEST_TIMEOUT,
                                      connect_timeout=REQUEST_TIMEOUT, max_pool_connections=2))


def _headers(target: str) -> dict:
    return {"Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}",
            "X-Amz-Date": "20240101T000000Z", "Authorization": FAKE_AUTH}


class LiteClient:
    """A keep-alive http.client connection that speaks the JSON 1.1 protocol: no botocore,
    so the client side costs little and the server's own limit shows."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def call(self, target: str, params: dict) -> dict:
        body = json.dumps(params).encode()
        for attempt in (1, 2):  # one reconnect if the server closed an idle keep-alive
            try:
                self.conn.request("POST", "/", body=body, headers=_headers(target))
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=REQUEST_TIMEOUT)
                if attempt == 2:
                    raise
        out = json.loads(data) if data else {}
        if resp.status >= 300:
            raise RuntimeError(f"HTTP {resp.status} {out.get('__type', '')}: "
                               f"{out.get('message', out.get('Message', data[:200]))}")
        return out

    def close(self):
        self.conn.close()


# ---------------------------------------------------------------- workload ---------------

@dataclass
class Setup:
    pool_id: str
    client_id: str
    users: list[str]
    method: str          # how users got a permanent password
    seconds: float
    # moto answers USER_ID_FOR_SRP = the user's sub but then looks the USERNAME of the
    # challenge response up by user name, so a real client (which echoes USER_ID_FOR_SRP)
    # gets UserNotFoundException. With this set we answer with the user name instead.
    srp_answer_username: bool = False


def setup_pool(url: str, n_users: int) -> Setup:
    from botocore.exceptions import ClientError
    c = boto3_client(url)
    t0 = time.perf_counter()
    pool_id = c.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id = c.create_user_pool_client(
        UserPoolId=pool_id, ClientName="bench", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    users = [f"user{i:04d}" for i in range(n_users)]
    method = "admin_create_user + admin_set_user_password(Permanent=True)"
    for i, name in enumerate(users):
        attrs = [{"Name": "email", "Value": f"{name}@example.com"}]
        if method.startswith("admin_create_user"):
            try:
                c.admin_create_user(UserPoolId=pool_id, Username=name, UserAttributes=attrs,
                                    MessageAction="SUPPRESS")
                c.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                          Permanent=True)
                continue
            except ClientError as err:
                if i != 0:
                    raise
                print(f"  note: admin_create_user/admin_set_user_password failed "
                      f"({err.response['Error'].get('Code')}); using sign_up + "
                      f"admin_confirm_sign_up", flush=True)
                method = "sign_up + admin_confirm_sign_up"
                try:
                    c.admin_delete_user(UserPoolId=pool_id, Username=name)
                except ClientError:
                    pass
        c.sign_up(ClientId=client_id, Username=name, Password=PASSWORD, UserAttributes=attrs)
        c.admin_confirm_sign_up(UserPoolId=pool_id, Username=name)
    return Setup(pool_id, client_id, users, method, time.perf_counter() - t0)


@dataclass
class Run:
    ok: int = 0
    failures: int = 0
    errors: dict = field(default_factory=dict)    # message -> count
    wall_s: float = 0.0
    latencies_s: list = field(default_factory=list)
    fake: bool = False   # the server accepted an SRP proof it cannot have checked

    def fail(self, message: str) -> None:
        self.failures += 1
        self.errors[message] = self.errors.get(message, 0) + 1

    @property
    def per_s(self) -> float | None:
        return self.ok / self.wall_s if self.ok and self.wall_s else None

    def pct(self, q: float) -> float | None:
        if not self.latencies_s:
            return None
        xs = sorted(self.latencies_s)
        return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] * 1000

    def summary(self) -> dict:
        return {"ok": self.ok, "failures": self.failures, "errors": self.errors,
                "wall_s": self.wall_s, "per_s": self.per_s, "p50_ms": self.pct(0.5),
                "p99_ms": self.pct(0.99), "fake": self.fake}


def _error_text(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    if isinstance(resp, dict) and "Error" in resp:
        return f"{resp['Error'].get('Code')}: {resp['Error'].get('Message')}"[:200]
    return f"{type(exc).__name__}: {exc}"[:200]


def _password_signin(client, s: Setup, username: str, lite: bool) -> bool:
    params = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
              "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}
    out = client.call("InitiateAuth", params) if lite else client.initiate_auth(**params)
    if not out.get("AuthenticationResult", {}).get("AccessToken"):
        raise RuntimeError(f"no AccessToken (ChallengeName={out.get('ChallengeName')})")
    return False


def _list_pools(client, s: Setup, username: str, lite: bool) -> bool:
    """The cheapest call there is: what the client and HTTP layer alone cost."""
    params = {"MaxResults": 1}
    out = client.call("ListUserPools", params) if lite else client.list_user_pools(**params)
    if "UserPools" not in out:
        raise RuntimeError("no UserPools in the answer")
    return False


def _srp_signin(client, s: Setup, username: str, lite: bool) -> bool:
    """One full SRP sign-in. Returns True when the proof cannot have been checked (the server
    answered with tokens to a proof made for a different password)."""
    from tests.support.srp_client import SrpClient

    srp = SrpClient(s.pool_id, username, PASSWORD, client_id=s.client_id)
    params = {"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
              "AuthParameters": srp.auth_params()}
    first = client.call("InitiateAuth", params) if lite else client.initiate_auth(**params)
    if first.get("ChallengeName") != "PASSWORD_VERIFIER":
        raise RuntimeError(f"expected PASSWORD_VERIFIER, got {first.get('ChallengeName')}")
    answer = {"ClientId": s.client_id, "ChallengeName": "PASSWORD_VERIFIER",
              "ChallengeResponses": srp.answer(first["ChallengeParameters"])}
    if s.srp_answer_username:
        answer["ChallengeResponses"]["USERNAME"] = username
    if first.get("Session"):
        answer["Session"] = first["Session"]
    out = (client.call("RespondToAuthChallenge", answer) if lite
           else client.respond_to_auth_challenge(**answer))
    if not out.get("AuthenticationResult", {}).get("AccessToken"):
        raise RuntimeError(f"no AccessToken (ChallengeName={out.get('ChallengeName')})")
    return False


def srp_is_fake(url: str, s: Setup) -> bool:
    """Does the server hand out tokens for an SRP proof made with the wrong password?"""
    from tests.support.srp_client import SrpClient
    c = boto3_client(url)
    srp = SrpClient(s.pool_id, s.users[0], "Wrong-Passw0rd!", client_id=s.client_id)
    try:
        first = c.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=s.client_id,
                                AuthParameters=srp.auth_params())
        answer = {"ClientId": s.client_id, "ChallengeName": "PASSWORD_VERIFIER",
                  "ChallengeResponses": srp.answer(first["ChallengeParameters"])}
        if s.srp_answer_username:
            answer["ChallengeResponses"]["USERNAME"] = s.users[0]
        if first.get("Session"):
            answer["Session"] = first["Session"]
        out = c.respond_to_auth_challenge(**answer)
        return bool(out.get("AuthenticationResult", {}).get("AccessToken"))
    except Exception:
        return False


def run_signins(url: str, port: int, s: Setup, total: int, workers: int, kind: str,
                lite: bool) -> Run:
    """`total` sign-ins round-robin over the users, spread over `workers` threads, each with
    its own client (boto3 or LiteClient). Every client makes one untimed warm-up call first."""
    fn = {"password": _password_signin, "srp": _srp_signin, "floor": _list_pools}[kind]
    clients = [LiteClient(port) if lite else boto3_client(url) for _ in range(workers)]
    run = Run()
    lock = threading.Lock()
    for k, c in enumerate(clients):  # warm-up: model loading, connection setup
        try:
            fn(c, s, s.users[k % len(s.users)], lite)
        except Exception as exc:  # counted by the timed run anyway
            run.errors[f"(warm-up) {_error_text(exc)}"] = 1
    start_gate = threading.Barrier(workers + 1)

    def worker(k: int) -> None:
        client, lats, fails = clients[k], [], []
        start_gate.wait()
        for i in range(k, total, workers):
            t0 = time.perf_counter()
            try:
                fn(client, s, s.users[i % len(s.users)], lite)
                lats.append(time.perf_counter() - t0)
            except Exception as exc:
                fails.append(_error_text(exc))
        with lock:
            run.latencies_s.extend(lats)
            run.ok += len(lats)
            for f in fails:
                run.fail(f)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(workers)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(REQUEST_TIMEOUT * total)
    run.wall_s = time.perf_counter() - t0
    for c in clients:
        if lite:
            c.close()
    return run


# ---------------------------------------------------------------- one server -------------

def bench_server(name: str, args) -> dict:
    res: dict = {"name": name}
    print(f"== {name}", flush=True)
    starts = []
    server = None
    for i in range(args.starts):
        if server is not None:
            server.stop()
        server = start(name)
        starts.append(server.startup_s)
        print(f"  start-up #{i + 1}: {server.startup_s * 1000:.0f} ms", flush=True)
    res["startup_s"] = starts
    res["startup_median_s"] = statistics.median(starts)
    try:
        time.sleep(1.0)  # let lazy start-up work settle before reading memory
        res["rss_idle_mib"] = rss_mib(server.proc.pid)
        s = setup_pool(server.url, args.users)
        res["setup"] = {"users": len(s.users), "method": s.method, "seconds": s.seconds}
        time.sleep(0.5)
        res["rss_after_setup_mib"] = rss_mib(server.proc.pid)
        print(f"  setup: {len(s.users)} users in {s.seconds:.1f} s ({s.method}); "
              f"RSS idle {res['rss_idle_mib']:.0f} MiB, after setup "
              f"{res['rss_after_setup_mib']:.0f} MiB", flush=True)
        plan = [("floor_seq", "floor", 1, False),
                ("password_seq", "password", 1, False),
                ("password_conc", "password", args.concurrency, False)]
        if not args.no_lite:
            plan += [("floor_lite_seq", "floor", 1, True),
                     ("password_lite_seq", "password", 1, True),
                     ("password_lite_conc", "password", args.concurrency, True)]
        srp_plan = [("srp_seq", "srp", 1, False), ("srp_conc", "srp", args.concurrency, False)]
        if not args.no_lite:
            srp_plan += [("srp_lite_seq", "srp", 1, True),
                         ("srp_lite_conc", "srp", args.concurrency, True)]
        for key, kind, workers, lite in plan:
            run = run_signins(server.url, server.port, s, args.signins, workers, kind, lite)
            res[key] = run.summary()
            _print_run(key, run)
        s.srp_answer_username = name == "moto"
        res["srp_answer_username"] = s.srp_answer_username
        res["srp_fake"] = srp_is_fake(server.url, s) if name != "cognito-local" else False
        for key, kind, workers, lite in srp_plan:
            n = args.srp_signins
            run = run_signins(server.url, server.port, s, n, workers, kind, lite)
            run.fake = res["srp_fake"]
            res[key] = run.summary()
            _print_run(key, run)
            if run.ok == 0:  # unsupported: do not spend time on the other variants
                for k2, *_ in srp_plan:
                    res.setdefault(k2, {**run.summary(), "errors": {}, "skipped": True})
                break
        res["rss_after_signins_mib"] = rss_mib(server.proc.pid)
    finally:
        server.stop()
    return res


def _print_run(key: str, run: Run) -> None:
    rate = f"{run.per_s:.0f}/s" if run.per_s else "-"
    p50, p99 = run.pct(0.5), run.pct(0.99)
    lat = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms" if p50 is not None else ""
    print(f"  {key}: {run.ok} ok, {run.failures} failed, {rate} {lat}"
          f"{' (FAKE: proof not checked)' if run.fake else ''}", flush=True)
    for msg, n in list(run.errors.items())[:5]:
        print(f"      {n} x {msg}", flush=True)


# ---------------------------------------------------------------- report -----------------

def _fmt(v, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "/s":
        return f"{v:,.0f}/s"
    if unit == "ms":
        return f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"
    if unit == "MiB":
        return f"{v:.0f} MiB"
    if unit == "s":
        return f"{v:.1f} s"
    return str(v)


def rows_for(results: dict, concurrency: int) -> list[list[str]]:
    """rows: metric | ours | moto | cognito-local | ours vs moto | target"""
    def get(name, *path):
        v = results.get(name)
        for p in path:
            if not isinstance(v, dict):
                return None
            v = v.get(p)
        return v

    def run_cell(name, key, field_, unit):
        run = get(name, key)
        if not run:
            return "-"
        if run.get("ok", 0) == 0:
            return "fails" if run.get("failures") or run.get("skipped") else "-"
        cell = _fmt(run.get(field_), unit)
        if run.get("failures"):
            cell += f" ({run['failures']} failed)"
        if run.get("fake"):
            cell += " FAKE"
        return cell

    def ratio(a, b):
        return f"{a / b:.2f}x" if a and b else "-"

    rows = []

    def add(label, key_or_fn, field_, unit, higher_better, target=None, target_fn=None):
        if callable(key_or_fn):
            vals = {n: key_or_fn(n) for n in SERVERS}
            cells = [_fmt(vals[n], unit) if vals[n] is not None else "-" for n in SERVERS]
        else:
            vals = {n: (get(n, key_or_fn, field_) if (get(n, key_or_fn) or {}).get("ok") else None)
                    for n in SERVERS}
            cells = [run_cell(n, key_or_fn, field_, unit) for n in SERVERS]
        if get("moto", key_or_fn, "fake") if not callable(key_or_fn) else False:
            r = "- (moto fake)"
        else:
            r = (ratio(vals["ours"], vals["moto"]) if higher_better
                 else ratio(vals["moto"], vals["ours"]))
        check = ""
        if target_fn is not None:
            ok = target_fn(vals)
            check = f"{target}: {'PASS' if ok else 'MISS' if ok is False else 'n/a'}"
        rows.append([label, *cells, r, check])

    add("start-up, spawn -> first answer (median of 3)",
        lambda n: (get(n, "startup_median_s") or 0) * 1000 or None, None, "ms", False,
        "<= moto", lambda v: (v["ours"] <= v["moto"]) if v["ours"] and v["moto"] else None)
    add("RSS idle after start", lambda n: get(n, "rss_idle_mib"), None, "MiB", False)
    add("RSS after setup (pool, client, users)", lambda n: get(n, "rss_after_setup_mib"),
        None, "MiB", False)
    add("setup time (users, boto3 sequential)", lambda n: get(n, "setup", "seconds"), None,
        "s", False)
    add("ListUserPools boto3, 1 client: calls/s (client+HTTP floor)", "floor_seq", "per_s",
        "/s", True)

    def x3(v):
        return (v["ours"] >= 3 * v["moto"]) if v["ours"] and v["moto"] else None

    add("USER_PASSWORD_AUTH boto3, 1 client: sign-ins/s", "password_seq", "per_s", "/s", True,
        ">= 3x moto", x3)
    add("  p50 latency", "password_seq", "p50_ms", "ms", False)
    add("  p99 latency", "password_seq", "p99_ms", "ms", False)
    add(f"USER_PASSWORD_AUTH boto3, {concurrency} clients: sign-ins/s", "password_conc", "per_s",
        "/s", True, ">= 3x moto", x3)
    add("  p50 latency", "password_conc", "p50_ms", "ms", False)
    add("  p99 latency", "password_conc", "p99_ms", "ms", False)
    if any(get(n, "password_lite_seq") for n in SERVERS):
        add("ListUserPools light client, 1 conn: calls/s (HTTP floor)", "floor_lite_seq",
            "per_s", "/s", True)
        add("USER_PASSWORD_AUTH light client, 1 conn: sign-ins/s", "password_lite_seq",
            "per_s", "/s", True)
        add(f"USER_PASSWORD_AUTH light client, {concurrency} conns: sign-ins/s",
            "password_lite_conc", "per_s", "/s", True)
        add("  p99 latency", "password_lite_conc", "p99_ms", "ms", False)

    def ge200(v):
        return (v["ours"] >= 200) if v["ours"] else (False if results.get("ours") else None)

    add("full SRP sign-in boto3, 1 client: sign-ins/s", "srp_seq", "per_s", "/s", True)
    add("  p50 latency", "srp_seq", "p50_ms", "ms", False)
    add("  p99 latency", "srp_seq", "p99_ms", "ms", False)
    add(f"full SRP sign-in boto3, {concurrency} clients: sign-ins/s", "srp_conc", "per_s", "/s",
        True, ">= 200/s", ge200)
    add("  p99 latency", "srp_conc", "p99_ms", "ms", False)
    if any(get(n, "srp_lite_seq") for n in SERVERS):
        add("full SRP sign-in light client, 1 conn: sign-ins/s", "srp_lite_seq", "per_s", "/s",
            True)
        add(f"full SRP sign-in light client, {concurrency} conns: sign-ins/s", "srp_lite_conc",
            "per_s", "/s", True, ">= 200/s", ge200)
    return rows


def render(rows: list[list[str]]) -> str:
    head = ["metric", "ours", "moto", "cognito-local", "ours vs moto (>1: ours better)", "target"]
    table = [head, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]

    def line(r):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(r) for r in rows)])


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "loadavg_at_start": loadavg(),
            "cpus": os.cpu_count(), "cpu": cpu, "memory": mem,
            "python": platform.python_version()}


# ---------------------------------------------------------------- main -------------------

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20 users, 100 sign-ins, 40 SRP sign-ins")
    p.add_argument("--json", metavar="FILE", nargs="?", const="-",
                   help="also dump raw numbers as JSON to FILE (or stdout with no FILE)")
    p.add_argument("--only", default=",".join(SERVERS),
                   help="comma-separated subset of: " + ", ".join(SERVERS))
    p.add_argument("--users", type=int)
    p.add_argument("--signins", type=int)
    p.add_argument("--srp-signins", type=int)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--starts", type=int, default=3, help="start-ups to take the median of")
    p.add_argument("--no-lite", action="store_true",
                   help="skip the light-HTTP-client runs (boto3 only)")
    args = p.parse_args(argv)
    args.users = args.users or (20 if args.quick else 200)
    args.signins = args.signins or (100 if args.quick else 500)
    args.srp_signins = args.srp_signins or (40 if args.quick else 500)
    for v in ("users", "signins", "srp_signins", "concurrency", "starts"):
        if not 1 <= getattr(args, v) <= 100_000:
            p.error(f"--{v.replace('_', '-')} out of range")
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    if unknown := set(wanted) - set(SERVERS):
        p.error(f"unknown server(s): {', '.join(sorted(unknown))}")

    # SIGTERM/SIGHUP -> SystemExit, so that the finally below stops the servers
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))
    results: dict = {"machine": machine(), "params": {
        "users": args.users, "signins": args.signins, "srp_signins": args.srp_signins,
        "concurrency": args.concurrency, "starts": args.starts}}
    if float(results["machine"]["loadavg_at_start"].split()[0].replace("?", "0")) > 0.5:
        print(f"warning: the machine is busy (load {results['machine']['loadavg_at_start']}); "
              f"numbers will be lower and noisier", flush=True)
    try:
        ensure_peers(set(wanted))
        results["versions"] = peer_versions()
        for name in wanted:
            try:
                results[name] = bench_server(name, args)
            except RuntimeError as exc:
                print(f"  {name} FAILED: {exc}", flush=True)
                results[name] = {"name": name, "error": str(exc)}
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        stop_all()

    m = results["machine"]
    m["loadavg_at_end"] = loadavg()
    print()
    print(f"{m['date']}; {m['cpus']} CPUs ({m['cpu']}), {m['memory']} RAM; Python {m['python']}; "
          f"moto {results['versions'].get('moto')}, cognito-local "
          f"{results['versions'].get('cognito-local')} (node {results['versions'].get('node')}); "
          f"load {m['loadavg_at_start']} at start, {m['loadavg_at_end']} at end")
    print(f"{args.users} users, {args.signins} password sign-ins and {args.srp_signins} SRP "
          f"sign-ins per row; every sign-in must return an AccessToken")
    print()
    print(render(rows_for(results, args.concurrency)))
    for name in wanted:
        errs = {}
        for k, v in results.get(name, {}).items():
            if isinstance(v, dict) and v.get("errors"):
                errs[k] = v["errors"]
        if errs:
            print(f"\nfailures, {name}:")
            for k, e in errs.items():
                for msg, n in list(e.items())[:3]:
                    print(f"  {k}: {n} x {msg}")
    if args.json:
        text = json.dumps(results, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
