#!/usr/bin/env python3
"""Scale benchmark: import jobs, memory, disk, point lookups, sign-in and ListUsers on a pool
of N users (SQLite store).

Run from the repository root with the project's venv:

    .venv/bin/python benchmarks/scale.py                        # --users 1000,100000
    .venv/bin/python benchmarks/scale.py --million              # and 1,000,000 (see BENCHMARKS.md)
    .venv/bin/python benchmarks/scale.py --plot docs/benchmarks/scale.png   # needs matplotlib
    .venv/bin/python benchmarks/scale.py --tree /tmp/old        # another checkout, same load

For each N, one real server (`python -m emulator serve --data-dir <tmp>`) on a fresh data
directory: boto3 creates the pool (AutoVerifiedAttributes email) and a client, and the first 50
users by AdminCreateUser + AdminSetUserPassword (they sign in); the other N-50 go in through
user import jobs of at most 500,000 rows: CreateUserImportJob, the CSV PUT to its
PreSignedUrl (streamed, as the DG's `curl -T`), StartUserImportJob, and DescribeUserImportJob
every half second, whose counters draw the progress line. Rows/s counts from Start to the
job's end (the upload is timed apart). Then the server's RSS (/proc/<pid>/status VmRSS, and
VmHWM for the peak), the data directory's size, and the measured calls, one at a time: p50/p95
of AdminGetUser, USER_PASSWORD_AUTH sign-in, an unfiltered ListUsers page (Limit 60),
`email = "..."`, `username ^= "..."` (a prefix matching <= 10 users) and the 10th page
(Limit 60) of `username ^= "user"` (every user). Slow calls are sampled for at most
--budget seconds each (at least 5 samples), so a scanning build still finishes. The RSS is
read again after them, and in a server restarted on the same directory after a few calls.

`--load DIR POOL N` (used by benchmarks/snapshot.py) writes N users straight through
`users.create` in transactions of 5,000, without a server.
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
JOB_ROWS = 500_000  # the most rows one user import job takes (as AWS)
IMPORT_ROLE = "arn:aws:iam::000000000000:role/CognitoImportRole"
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


def rss_kib(pid: int) -> dict:
    """VmRSS (now) and VmHWM (peak) of a process, in KiB, from /proc (Linux)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out


def dir_bytes(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def write_csv(path: Path, header: list[str], start: int, stop: int) -> None:
    """Users start..stop-1 in the import-job format (GetCSVHeader's columns)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for i in range(start, stop):
            name = username(i)
            row = {"cognito:username": name, "cognito:mfa_enabled": "false",
                   "email": f"{name}@example.com", "email_verified": "true",
                   "given_name": NAMES[i % len(NAMES)], "family_name": f"Family{i % 997}"}
            f.write(",".join(row.get(column, "") for column in header) + "\n")


def put_file(url: str, path: Path) -> None:
    """The DG's upload: a PUT of the file to the pre-signed URL, streamed."""
    import httpx

    def blocks():
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                yield block
    resp = httpx.put(url, content=blocks(), timeout=600,
                     headers={"x-amz-server-side-encryption": "aws:kms",
                              "Content-Length": str(path.stat().st_size)})
    resp.raise_for_status()


def import_users(c, pool_id: str, n: int, first: int, work: Path) -> dict:
    """Users first..n-1 through user import jobs of at most JOB_ROWS rows each: CreateUser-
    ImportJob, the CSV PUT to its PreSignedUrl, StartUserImportJob, then DescribeUserImportJob
    every half second (the progress line) until it ends. Seconds spent importing (Start to
    the end, summed over the jobs) and uploading."""
    header = c.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    importing = uploading = 0.0
    jobs = range(first, n, JOB_ROWS)
    for number, start in enumerate(jobs, 1):
        stop = min(n, start + JOB_ROWS)
        path = work / f"users-{start}.csv"
        write_csv(path, header, start, stop)
        job = c.create_user_import_job(UserPoolId=pool_id, JobName=f"scale-{number}",
                                       CloudWatchLogsRoleArn=IMPORT_ROLE)["UserImportJob"]
        t = time.perf_counter()
        put_file(job["PreSignedUrl"], path)
        uploading += time.perf_counter() - t
        path.unlink()
        t = time.perf_counter()
        c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        while True:
            job = c.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
                "UserImportJob"]
            done = job["ImportedUsers"] + job["SkippedUsers"] + job["FailedUsers"]
            spent = time.perf_counter() - t
            print(f"\r  import job {number}/{len(jobs)}: {done:,} / {stop - start:,} rows "
                  f"({done / spent:,.0f} rows/s, {spent:.0f} s) {job['Status']}   ",
                  end="", file=sys.stderr, flush=True)
            if job["Status"] not in ("Pending", "InProgress"):
                break
            time.sleep(0.5)
        print(file=sys.stderr)
        importing += time.perf_counter() - t
        if job["Status"] != "Succeeded" or job["ImportedUsers"] != stop - start:
            raise RuntimeError(f"import job ended {job}")
    return {"import_s": importing, "upload_s": uploading}


def run_one(n: int, tree: Path, samples: int, budget: float, keep: bool) -> dict:
    """One pool of n users on a fresh data directory, one server for the whole run: the
    first WITH_PASSWORD users by AdminCreateUser + AdminSetUserPassword, the rest through
    import jobs; then the server's RSS, the directory's size, and the measured calls."""
    data_dir = tempfile.mkdtemp(prefix=f"scale-{n}-")
    server = None
    try:
        server = Server(tree, data_dir)
        c = client(server.url)
        pool_id = c.create_user_pool(PoolName="scale", AutoVerifiedAttributes=["email"])[
            "UserPool"]["Id"]
        rss = {"start": rss_kib(server.proc.pid)}  # after its first call
        client_id = c.create_user_pool_client(
            UserPoolId=pool_id, ClientName="scale",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        with_password = min(n, WITH_PASSWORD)
        for i in range(with_password):
            name = username(i)
            c.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                                UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                                {"Name": "email_verified", "Value": "true"}])
            c.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                      Permanent=True)
        loaded = import_users(c, pool_id, n, with_password, Path(data_dir))
        rss["loaded"] = rss_kib(server.proc.pid)
        size = dir_bytes(data_dir)
        wal = sum(p.stat().st_size for p in Path(data_dir).glob("*-wal"))
        rng = random.Random(n)
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
                AuthParameters={"USERNAME": username(rng.randrange(with_password)),
                                "PASSWORD": PASSWORD}),
            "ListUsers, first page (60)": lambda: c.list_users(UserPoolId=pool_id, Limit=60),
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
        rss["measured"] = rss_kib(server.proc.pid)
        server.stop()
        server = None
        t = time.perf_counter()
        server = Server(tree, data_dir)
        start_s = time.perf_counter() - t
        load_s = loaded["import_s"]
        imported = n - with_password
        c = client(server.url)
        for fn in list(rows.values())[:4]:  # a few calls, then the fresh process's RSS
            fn()
        rss["restarted"] = rss_kib(server.proc.pid)
        rate = imported / load_s if load_s else 0
        mib = ", ".join(f"{k} {v['VmRSS'] / 1024:,.0f}" for k, v in rss.items())
        print(f"  imported {imported:,} users in {load_s:.1f} s ({rate:,.0f} rows/s; upload "
              f"{loaded['upload_s']:.1f} s); data directory {size / 2**20:,.0f} MiB "
              f"({size / n:,.0f} bytes/user); RSS MiB: {mib} (peak "
              f"{rss['measured']['VmHWM'] / 1024:,.0f})", file=sys.stderr, flush=True)
        return {"users": n, "imported": imported, "load_s": load_s,
                "load_rate": imported / load_s if load_s else 0, "upload_s": loaded["upload_s"],
                "db_bytes": size, "wal_bytes": wal, "db_mib": size / 2**20,
                "bytes_per_user": size / n,
                "rss_kib": rss, "start_s": start_s, "calls": results,
                "loadavg": os.getloadavg()}
    finally:
        if server is not None:
            server.stop()
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

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    for label in labels:
        row(label, lambda r, label=label: (
            f"{r['calls'][label]['p50_ms']:.1f} / {r['calls'][label]['p95_ms']:.1f}"
            if label in r["calls"] else "-"))
    row("import jobs (rows/s)", lambda r: f"{r['load_rate']:,.0f}")
    row("import time (s)", lambda r: f"{r['load_s']:,.1f}")
    for when in ("start", "loaded", "measured", "restarted"):
        row(f"server RSS, {when} (MiB)",
            lambda r, when=when: f"{r['rss_kib'][when]['VmRSS'] / 1024:,.0f}")
    row("server RSS, peak (MiB)", lambda r: f"{r['rss_kib']['measured']['VmHWM'] / 1024:,.0f}")
    row("data directory (MiB)", lambda r: f"{r['db_mib']:,.0f}")
    row("of which the SQLite WAL (MiB)", lambda r: f"{r['wal_bytes'] / 2**20:,.0f}")
    row("data directory per user (bytes)", lambda r: f"{r['bytes_per_user']:,.0f}")
    row("server start on the loaded data (s)", lambda r: f"{r['start_s']:.2f}")
    row("1-minute load average at the end", lambda r: f"{r['loadavg'][0]:.1f}")
    return "\n".join(lines)


def plot(results: list[dict], path: str) -> None:
    """p50 against pool size, one line per call, log x (matplotlib: requirements-bench.txt)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["users"])
    labels = list(dict.fromkeys(label for r in results for label in r["calls"]))
    fig, ax = plt.subplots(figsize=(8, 5.6), dpi=110)
    for label in labels:
        points = [(r["users"], r["calls"][label]["p50_ms"]) for r in results
                  if label in r["calls"]]
        ax.plot([x for x, _ in points], [y for _, y in points], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xticks([r["users"] for r in results], [f"{r['users']:,}" for r in results])
    ax.set_xlabel("users in the pool (SQLite store)")
    ax.set_ylabel("p50 latency (ms), boto3 client included")
    highest = max(r["calls"][label]["p50_ms"] for r in results for label in r["calls"])
    ax.set_ylim(0, max(25.0, highest * 1.15))  # the 20 ms line always in view
    ax.axhline(20, color="grey", linestyle=":", linewidth=1)
    ax.text(results[-1]["users"], 20.3, "20 ms: issue 18's bound for filtered ListUsers",
            fontsize=7, color="grey", horizontalalignment="right")
    ax.set_title("Cognito emulator: p50 against pool size (benchmarks/scale.py)", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--load":
        sys.path.insert(0, os.getcwd())
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", default="1000,100000", help="comma-separated pool sizes")
    ap.add_argument("--million", action="store_true",
                    help="add 1,000,000 users (two import jobs of 500,000) to --users")
    ap.add_argument("--tree", default=str(ROOT), help="the emulator checkout to measure")
    ap.add_argument("--samples", type=int, default=200, help="samples per call (max)")
    ap.add_argument("--budget", type=float, default=10.0,
                    help="seconds of sampling per call before stopping early (min 5 samples)")
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--merge", action="append", default=[], metavar="JSON",
                    help="add the results of an earlier --json run to the table and plot")
    ap.add_argument("--plot", metavar="PNG", help="draw p50 against pool size here")
    args = ap.parse_args()
    sizes = [int(x.replace("_", "")) for x in args.users.split(",") if x.strip()]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}; "
          f"tree {args.tree}", file=sys.stderr)
    results = []
    for n in sizes:
        print(f"{n:,} users (1-minute load average {os.getloadavg()[0]:.1f})", file=sys.stderr,
              flush=True)
        results.append(run_one(n, Path(args.tree).resolve(), args.samples, args.budget,
                               args.keep))
        if args.json:  # after each size: a long run that stops keeps what it measured
            Path(args.json).write_text(json.dumps(results, indent=1))
    for path in args.merge:
        results += json.loads(Path(path).read_text())
    results.sort(key=lambda r: r["users"])
    print(table(results))
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
