#!/usr/bin/env python3
"""Custom-auth sign-ins per second for each kind of function runner.

    .venv/bin/python benchmarks/custom_auth.py              # 400 sign-ins per row (about 30 s)
    .venv/bin/python benchmarks/custom_auth.py --quick      # 60 sign-ins per row: a smoke check
    .venv/bin/python benchmarks/custom_auth.py --only py,node --signins 1000 --json out.json

A sign-in is the two-round CUSTOM_AUTH loop through boto3: InitiateAuth (the pool calls
Define, then Create) and one RespondToAuthChallenge (Verify, then Define, then tokens) - four
function calls and two HTTP requests. The trivial Define/Create/Verify below run:

    py      as Python handlers in the emulator's worker processes (`functions:` in the config)
    node    as Node.js handlers in node workers (the same logic, in NODE_HANDLERS)
    invoke  behind the Lambda Invoke API: tests/lambdas/invoke_server.py's InvokeServer, in its
            own process, standing in for `sam local start-lambda` (this measures the protocol
            and the emulator's side of it; sam itself adds a container start per call)

Each row runs sequentially (1 client) and with --concurrency boto3 clients in threads, one
emulator for all runners; every sign-in must end with an AccessToken, failures are counted.
A USER_PASSWORD_AUTH row (one request, no functions) is measured the same way for scale.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNERS = ("py", "node", "invoke")
LABELS = {"py": "Python worker", "node": "Node.js worker",
          "invoke": "Lambda Invoke API (InvokeServer)",
          "password": "USER_PASSWORD_AUTH, no functions"}
PASSWORD = "Bench-Passw0rd!x"
ANSWER = "42"


# --- the trivial handlers (Python; also served by the InvokeServer) ---------------------------

def bench_define(event, context):
    session = event["request"]["session"]
    response = event["response"]
    response["issueTokens"] = bool(session) and session[-1]["challengeResult"]
    response["failAuthentication"] = bool(session) and not session[-1]["challengeResult"]
    if not session:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def bench_create(event, context):
    event["response"]["publicChallengeParameters"] = {"question": "the answer?"}
    event["response"]["privateChallengeParameters"] = {"answer": ANSWER}
    return event


def bench_verify(event, context):
    request = event["request"]
    event["response"]["answerCorrect"] = \
        request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event


NODE_HANDLERS = {
    "define.mjs": """export const handler = async (event) => {
  const s = event.request.session, r = event.response;
  r.issueTokens = s.length > 0 && s.at(-1).challengeResult;
  r.failAuthentication = s.length > 0 && !s.at(-1).challengeResult;
  if (!s.length) r.challengeName = "CUSTOM_CHALLENGE";
  return event;
};
""",
    "create.mjs": """export const handler = async (event) => {
  event.response.publicChallengeParameters = { question: "the answer?" };
  event.response.privateChallengeParameters = { answer: "42" };
  return event;
};
""",
    "verify.mjs": """export const handler = async (event) => {
  const q = event.request;
  event.response.answerCorrect = q.challengeAnswer === q.privateChallengeParameters.answer;
  return event;
};
""",
}
STEPS = ("define", "create", "verify")


def functions_config(folder: Path) -> dict:
    """`functions:` for the py and node runners (the invoke ones are not declared)."""
    here = Path(__file__).resolve()
    functions = {f"py-{step}": f"{here}:bench_{step}" for step in STEPS}
    for file, text in NODE_HANDLERS.items():
        (folder / file).write_text(text)
        functions[f"node-{file.split('.')[0]}"] = str(folder / file)
    return functions


def serve_invoke() -> None:
    """--invoke-server: serve invoke-define/-create/-verify until stdin closes."""
    sys.path.insert(0, str(ROOT))
    from tests.lambdas.invoke_server import InvokeServer

    handlers = types.SimpleNamespace()
    for step in STEPS:
        setattr(handlers, f"invoke-{step}", globals()[f"bench_{step}"])
    server = InvokeServer(handlers)
    server.httpd.requests = _Discard()   # don't keep every request in memory
    print(server.url, flush=True)
    sys.stdin.read()
    server.close()


class _Discard(list):
    def append(self, item):
        pass


# --- measuring ------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


class Target:
    """One pool + app client + users for one runner (or the password baseline)."""

    def __init__(self, idp, kind: str, users: int):
        lambda_config = {} if kind == "password" else {
            trigger: f"arn:aws:lambda:us-east-1:000000000000:function:{kind}-{step}"
            for trigger, step in (("DefineAuthChallenge", "define"),
                                  ("CreateAuthChallenge", "create"),
                                  ("VerifyAuthChallengeResponse", "verify"))}
        self.kind = kind
        self.pool_id = idp.create_user_pool(PoolName=f"bench-{kind}",
                                            LambdaConfig=lambda_config)["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="bench",
            ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        self.users = [f"user{i:04d}" for i in range(users)]
        for name in self.users:
            idp.admin_create_user(UserPoolId=self.pool_id, Username=name,
                                  MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=self.pool_id, Username=name,
                                        Password=PASSWORD, Permanent=True)

    def sign_in(self, idp, i: int) -> bool:
        name = self.users[i % len(self.users)]
        if self.kind == "password":
            done = idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
        else:
            started = idp.initiate_auth(ClientId=self.client_id, AuthFlow="CUSTOM_AUTH",
                                        AuthParameters={"USERNAME": name})
            done = idp.respond_to_auth_challenge(
                ClientId=self.client_id, ChallengeName="CUSTOM_CHALLENGE",
                Session=started["Session"],
                ChallengeResponses={"USERNAME": started["ChallengeParameters"]["USERNAME"],
                                    "ANSWER": ANSWER})
        return "AccessToken" in done.get("AuthenticationResult", {})


def run(make_client, target: Target, count: int, concurrency: int) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(count))
    clients = [make_client() for _ in range(concurrency)]

    def worker(idp):
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                ok = target.sign_in(idp, i)
                problem = None if ok else "no AccessToken"
            except Exception as exc:   # counted and shown, never hidden
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    failures.append(problem)
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    return {"signins": len(latencies), "failures": len(failures),
            "first_failure": failures[0] if failures else None,
            "per_second": len(latencies) / wall if wall else 0.0,
            "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p99_ms": percentile(latencies, 99) * 1000 if latencies else None}


def machine() -> dict:
    def sh(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": sh("date", "-u", "+%Y-%m-%d %H:%M UTC"), "nproc": sh("nproc"),
            "cpu": model, "python": platform.python_version(), "node": sh("node", "--version"),
            "load": os.getloadavg()[0]}


def table(results: dict, concurrency: int) -> str:
    head = ("| runner | 1 client: sign-ins/s | p50 | p99 | "
            f"{concurrency} clients: sign-ins/s | p50 | p99 | failures |")
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for kind, rows in results.items():
        seq, par = rows["sequential"], rows["concurrent"]

        def ms(v):
            return f"{v:.1f} ms" if v is not None else "-"
        lines.append(f"| {LABELS[kind]} | {seq['per_second']:,.0f}/s | {ms(seq['p50_ms'])} | "
                     f"{ms(seq['p99_ms'])} | {par['per_second']:,.0f}/s | {ms(par['p50_ms'])} | "
                     f"{ms(par['p99_ms'])} | {seq['failures'] + par['failures']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="custom-auth sign-ins per second per runner")
    parser.add_argument("--signins", type=int, default=400, help="sign-ins per row (default 400)")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the concurrent rows")
    parser.add_argument("--users", type=int, default=20, help="users per pool (round-robin)")
    parser.add_argument("--only", default=",".join(RUNNERS) + ",password",
                        help="comma-separated: py,node,invoke,password")
    parser.add_argument("--quick", action="store_true", help="60 sign-ins per row")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--invoke-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.invoke_server:
        return serve_invoke()
    if args.quick:
        args.signins = 60

    sys.path.insert(0, str(ROOT))
    import boto3
    from botocore.config import Config

    from tests.support.server import RunningServer

    kinds = [k for k in args.only.split(",") if k]
    info = machine()
    print(f"{info['date']}, {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
          f"Node {info['node']}, load {info['load']:.2f}", flush=True)

    invoke = subprocess.Popen([sys.executable, __file__, "--invoke-server"], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        invoke_url = invoke.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="bench-custom-auth-") as folder:
            config = Path(folder) / "emulator.json"
            config.write_text(json.dumps({"functions": functions_config(Path(folder))}))
            with RunningServer(["--in-memory", "--log-level", "warning", "--config",
                                str(config), "--lambda-endpoint", invoke_url]) as server:

                def make_client():
                    return boto3.client("cognito-idp", endpoint_url=server.url,
                                        region_name="us-east-1", aws_access_key_id="bench",
                                        aws_secret_access_key="bench",
                                        config=Config(retries={"max_attempts": 1},
                                                      max_pool_connections=4))
                idp = make_client()
                results = {}
                for kind in kinds:
                    target = Target(idp, kind, args.users)
                    # Warm up: start every worker (up to 4 per function) before measuring.
                    warm = run(make_client, target, max(40, 4 * args.concurrency),
                               args.concurrency)
                    if warm["failures"]:
                        print(f"{kind}: warm-up failed: {warm['first_failure']}", flush=True)
                    results[kind] = {
                        "sequential": run(make_client, target, args.signins, 1),
                        "concurrent": run(make_client, target, args.signins, args.concurrency)}
                    for mode, row in results[kind].items():
                        print(f"{kind:8} {mode:10} {row['per_second']:8.0f}/s  "
                              f"p50 {row['p50_ms'] or 0:6.1f} ms  p99 {row['p99_ms'] or 0:6.1f} ms"
                              f"  failures {row['failures']}"
                              + (f" ({row['first_failure']})" if row["failures"] else ""),
                              flush=True)
    finally:
        invoke.stdin.close()
        try:
            invoke.wait(10)
        except subprocess.TimeoutExpired:
            invoke.kill()
    print()
    print(table(results, args.concurrency))
    print(f"\n{args.signins} sign-ins per row, {args.users} users per pool; "
          f"load at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "signins": args.signins,
                                               "concurrency": args.concurrency,
                                               "results": results}, indent=2))


if __name__ == "__main__":
    main()
