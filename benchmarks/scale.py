#!/usr/bin/env python3
"""Scale benchmark: point lookups, sign-in and ListUsers on a pool of N users (SQLite store).

Run from the repository root with the project's venv:

    .venv/bin/python benchmarks/scale.py                        # --users 1000,100000
    .venv/bin/python benchmarks/scale.py --users 1000000        # the long run (see BENCHMARKS.md)
    .venv/bin/python benchmarks/scale.py --tree /tmp/old        # another checkout, same load

For each N: a real server (`python -m emulator serve --data-dir <tmp>`) creates the pool and
client and stops; the N users are then written straight through the domain
(`users.create`, the call AdminCreateUser ends in: record, aliases, index entries, point-in-
time history) in transactions of 5,000, in a child process running the measured checkout.
Only the first 50 users get a password (an SRP verifier costs ~5 ms to derive): the others
are FORCE_CHANGE_PASSWORD with no password, which no measured call depends on. A server is
then started on that data directory and measured with boto3, one call at a time: p50/p95
of AdminGetUser, USER_PASSWORD_AUTH sign-in, an unfiltered ListUsers page (Limit 60),
`email = "..."`, `username ^= "..."` (a prefix matching <= 10 users) and the 10th page
(Limit 60) of `username ^= "user"` (every user). Slow calls are sampled for at most
--budget seconds each (at least 5 samples), so a scanning build still finishes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PASSWORD = "Bench-Passw0rd!x"
WITH_PASSWORD = 50
CHUNK = 5000
NAMES = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
         "Tim")


def username(i: int) -> str:
    return f"user{i:07d}"


# ---------------------------------------------------------------- loading (child) -------

def load(data_dir: str, pool_id: str, n: int) -> None:
    """Runs in a child process with the measured checkout on sys.path."""
    import uuid

    from emulator.config import Settings
    from emulator.domain import pools, users
    from emulator.service import Emulator

    settings = Settings()
    settings.data_dir, settings.in_memory = data_dir, False
    emu = Emulator(settings)
    store = emu.store
    if hasattr(users, "ensure_indexes"):  # older checkouts have no indexes
        users.ensure_indexes(store)  # what create_app does at start (the index version mark)
    pool = store.get(pools.KIND, "", pool_id)
    now = time.time()
    t0 = time.perf_counter()
    for start in range(0, n, CHUNK):
        with store.transaction():
            for i in range(start, min(n, start + CHUNK)):
                name = username(i)
                user = {"Username": name,
                        "Attributes": {"sub": str(uuid.UUID(int=i, version=4)),
                                       "email": f"{name}@example.com", "email_verified": "true",
                                       "given_name": NAMES[i % len(NAMES)],
                                       "family_name": f"Family{i % 997}"},
                        "UserStatus": "FORCE_CHANGE_PASSWORD", "Enabled": True,
                        "UserCreateDate": now, "UserLastModifiedDate": now}
                if i < WITH_PASSWORD:
                    user["UserStatus"] = "CONFIRMED"
                    users.set_password(pool, user, PASSWORD, temporary=False, now=now)
                users.create(store, pool, user)
        done = min(n, start + CHUNK)
        if done % 100_000 == 0 or done == n:
            rate = done / (time.perf_counter() - t0)
            print(f"  loaded {done:,} users ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    emu.close()
    print(json.dumps({"seconds": time.perf_counter() - t0}))


# ---------------------------------------------------------------- server ----------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tree: Path, data_dir: str):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="scale-", suffix=".log",
                                               delete=False)
        self.proc = subprocess.Popen(
            [str(PYTHON), "-m", "emulator", "serve", "--host", "127.0.0.1", "--port",
             str(self.port), "--data-dir", data_dir, "--log-level", "warning"],
            cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, stdout=self.log,
            stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        os.unlink(self.log.name)


def client(url: str):
    import boto3
    from botocore.config import Config
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 0}, read_timeout=600))


# ---------------------------------------------------------------- measuring -------------

def timed(fn, samples: int, budget: float) -> dict:
    times = []
    spent = 0.0
    fn()  # warm-up (connection, page cache)
    while len(times) < samples and (spent < budget or len(times) < 5):
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        times.append(dt)
        spent += dt
    times.sort()
    return {"p50_ms": statistics.median(times) * 1000,
            "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
            "n": len(times)}


def run_one(n: int, tree: Path, samples: int, budget: float, keep: bool) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"scale-{n}-")
    try:
        server = Server(tree, data_dir)
        try:
            c = client(server.url)
            pool_id = c.create_user_pool(PoolName="scale")["UserPool"]["Id"]
            client_id = c.create_user_pool_client(
                UserPoolId=pool_id, ClientName="scale",
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]["ClientId"]
        finally:
            server.stop()
        out = subprocess.run(
            [str(PYTHON), str(Path(__file__).resolve()), "--load", data_dir, pool_id, str(n)],
            cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
            stdout=subprocess.PIPE, text=True)
        load_s = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
        db = Path(data_dir, "emulator.sqlite3")
        size = sum(p.stat().st_size for p in db.parent.glob("emulator.sqlite3*"))
        t = time.perf_counter()
        server = Server(tree, data_dir)
        start_s = time.perf_counter() - t
        rng = random.Random(n)
        try:
            c = client(server.url)
            some = lambda: username(rng.randrange(n))  # noqa: E731

            def page10():
                """The token of the 10th page of a filter every user matches."""
                more: dict = {}
                for _ in range(9):
                    more = {"PaginationToken": c.list_users(
                        UserPoolId=pool_id, Limit=60, Filter='username ^= "user"',
                        **more)["PaginationToken"]}
                return more["PaginationToken"]

            token10 = page10() if n > 600 else None
            rows = {
                "AdminGetUser": lambda: c.admin_get_user(UserPoolId=pool_id, Username=some()),
                "sign-in (USER_PASSWORD_AUTH)": lambda: c.initiate_auth(
                    ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username(rng.randrange(min(n, WITH_PASSWORD))),
                                    "PASSWORD": PASSWORD}),
                "ListUsers, first page (60)": lambda: c.list_users(UserPoolId=pool_id,
                                                                    Limit=60),
                'ListUsers email = "..."': lambda: c.list_users(
                    UserPoolId=pool_id, Filter=f'email = "{some()}@example.com"'),
                'ListUsers username ^= "..." (<=10)': lambda: c.list_users(
                    UserPoolId=pool_id, Filter=f'username ^= "{some()[:-1]}"'),
            }
            if token10:
                rows['ListUsers ^= "user", 10th page'] = lambda: c.list_users(
                    UserPoolId=pool_id, Limit=60, Filter='username ^= "user"',
                    PaginationToken=token10)
            results = {}
            for label, fn in rows.items():
                results[label] = timed(fn, samples, budget)
                r = results[label]
                print(f"  {label:38} p50 {r['p50_ms']:9.2f} ms  p95 {r['p95_ms']:9.2f} ms"
                      f"  (n={r['n']})", file=sys.stderr, flush=True)
        finally:
            server.stop()
        return {"users": n, "load_s": load_s, "load_rate": n / load_s if load_s else 0,
                "db_mib": size / 2**20, "start_s": start_s, "calls": results}
    finally:
        if keep:
            print(f"  kept {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def table(results: list[dict]) -> str:
    labels = list(results[0]["calls"])
    for r in results[1:]:
        labels += [label for label in r["calls"] if label not in labels]
    head = "| call | " + " | ".join(f"{r['users']:,} users p50 / p95 (ms)" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for label in labels:
        cells = []
        for r in results:
            c = r["calls"].get(label)
            cells.append(f"{c['p50_ms']:.1f} / {c['p95_ms']:.1f}" if c else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| load (users/s, through `users.create`) | " + " | ".join(
        f"{r['load_rate']:,.0f}" for r in results) + " |")
    lines.append("| server start on the loaded data (s) | " + " | ".join(
        f"{r['start_s']:.2f}" for r in results) + " |")
    lines.append("| data directory (MiB) | " + " | ".join(
        f"{r['db_mib']:,.0f}" for r in results) + " |")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--load":
        sys.path.insert(0, os.getcwd())
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", default="1000,100000", help="comma-separated pool sizes")
    ap.add_argument("--tree", default=str(ROOT), help="the emulator checkout to measure")
    ap.add_argument("--samples", type=int, default=200, help="samples per call (max)")
    ap.add_argument("--budget", type=float, default=10.0,
                    help="seconds of sampling per call before stopping early (min 5 samples)")
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}; "
          f"tree {args.tree}", file=sys.stderr)
    results = []
    for n in (int(x.replace("_", "")) for x in args.users.split(",")):
        print(f"{n:,} users", file=sys.stderr, flush=True)
        results.append(run_one(n, Path(args.tree).resolve(), args.samples, args.budget,
                               args.keep))
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
