#!/usr/bin/env python3
"""Snapshot benchmark: POST /_emulator/snapshot and /_emulator/restore on a pool of N users
(SQLite store), issue 18 item 4.

    .venv/bin/python benchmarks/snapshot.py                 # --users 1000,100000

For each N, the pool is built as benchmarks/scale.py builds it (a server creates pool and
client; the users are written straight through `users.create` in a child process), then a
server on that data directory is timed, one request at a time, over --repeat rounds: a
snapshot to a file in the same temporary directory, a restore of it, and a sign-in after
each restore (the state works). Times are wall-clock per HTTP request, client included.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the sibling benchmark's loader and server)


def post(port: int, path: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = json.loads(resp.read())
    finally:
        conn.close()
    if resp.status != 200:
        raise RuntimeError(f"{path}: {resp.status} {data}")
    return data


def run_one(n: int, repeat: int) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"snapshot-{n}-")
    try:
        server = scale.Server(scale.ROOT, data_dir)
        try:
            c = scale.client(server.url)
            pool_id = c.create_user_pool(PoolName="scale")["UserPool"]["Id"]
            client_id = c.create_user_pool_client(
                UserPoolId=pool_id, ClientName="scale",
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        finally:
            server.stop()
        t = time.perf_counter()
        subprocess.run([str(scale.PYTHON), str(Path(scale.__file__)), "--load", data_dir,
                        pool_id, str(n)], cwd=scale.ROOT, check=True, stdout=subprocess.PIPE)
        load_s = time.perf_counter() - t
        snap = os.path.join(data_dir, "fixture.snapshot")
        server = scale.Server(scale.ROOT, data_dir)
        saves, restores = [], []
        try:
            c = scale.client(server.url)
            for _ in range(repeat):
                t = time.perf_counter()
                size = post(server.port, "/_emulator/snapshot", {"path": snap})["bytes"]
                saves.append(time.perf_counter() - t)
                c.admin_delete_user(UserPoolId=pool_id, Username=scale.username(1))
                t = time.perf_counter()
                post(server.port, "/_emulator/restore", {"path": snap})
                restores.append(time.perf_counter() - t)
                c.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": scale.username(1),
                                                "PASSWORD": scale.PASSWORD})
        finally:
            server.stop()
        row = {"users": n, "load_s": load_s, "snapshot_mib": size / 2**20,
               "save_ms": statistics.median(saves) * 1000, "save_max_ms": max(saves) * 1000,
               "restore_ms": statistics.median(restores) * 1000,
               "restore_max_ms": max(restores) * 1000, "repeat": repeat}
        print(json.dumps(row), flush=True)
        return row
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", default="1000,100000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for n in (int(x.replace("_", "")) for x in args.users.split(",")):
        run_one(n, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
