"""A throwaway PostgreSQL cluster for the suite, on Debian's binaries.

One cluster per test session (tests/conftest.py: `postgres_cluster`), in a temporary directory,
listening on a free port of 127.0.0.1 and on a unix socket in that directory; each test takes
a fresh schema of its own from it (`postgres_url`). PostgreSQL refuses to run as root, so as
root (CI) initdb and pg_ctl run as the `postgres` user through runuser; as anyone else they
run directly.
Durability is off (fsync): the cluster dies with the session, and tests want speed.

    cluster = Cluster.start()
    url = cluster.new_database()     # postgresql://postgres@127.0.0.1:PORT/postgres?options=...
    cluster.stop()
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile

import psycopg


def bin_dir() -> str | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, if any."""
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin")
             if os.path.exists(os.path.join(d, "initdb")) and
             os.path.exists(os.path.join(d, "pg_ctl"))]
    return max(found, key=lambda d: int(d.split("/")[-2]), default=None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, root: str, port: int, bin: str):
        self.root, self.port, self.bin = root, port, bin
        self._names = itertools.count(1)

    @property
    def data(self) -> str:
        return os.path.join(self.root, "data")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @staticmethod
    def _run(*cmd: str) -> None:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")

    @classmethod
    def start(cls) -> Cluster:
        bin = bin_dir()
        if bin is None:
            raise RuntimeError("no PostgreSQL binaries in /usr/lib/postgresql/*/bin "
                               "(apt-get install postgresql)")
        root = tempfile.mkdtemp(prefix="emulator-pg-")
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = cls(root, _free_port(), bin)
        try:
            cls._run(f"{bin}/initdb", "-D", cluster.data, "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--locale=C", "--no-sync")
            options = (f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            cls._run(f"{bin}/pg_ctl", "-D", cluster.data, "-o", options,
                     "-l", os.path.join(root, "server.log"), "-w", "-t", "60", "start")
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cluster

    def new_database(self) -> str:
        """The URL of a fresh, empty place for a store. A schema of its own (the URL sets
        search_path), not a database: CREATE DATABASE costs 0.3-0.5 s here, a schema ~2 ms."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def log(self) -> str:
        try:
            with open(os.path.join(self.root, "server.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
