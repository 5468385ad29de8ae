#!/usr/bin/env python3
"""Several emulator processes: sign-ins per second with 1 and 2 processes on SQLite and on
PostgreSQL, against moto_server in the same run (issue 19).

Run from the repository root with the project's venv:

    .venv/bin/python benchmarks/processes.py             # 200 users, 600 / 300 sign-ins a row
    .venv/bin/python benchmarks/processes.py --quick     # smaller numbers, a smoke check
    .venv/bin/python benchmarks/processes.py --plot docs/benchmarks/processes.png

Configurations, each a real server on 127.0.0.1 measured the same way (signin.py's pool set-up,
clients and timing): moto_server; ours on SQLite (`serve --data-dir`) with 1 and 2 processes
(`--workers 2`); ours on PostgreSQL (`--store postgresql://...`, a throwaway cluster of
Debian's binaries, tests/support/postgres.py, fsync off like SQLite's synchronous=NORMAL
it does not wait for the disk) with 1 and 2 processes. Rows: USER_PASSWORD_AUTH with 8 boto3
clients (target: >= 4x moto), the same with 8 light keep-alive clients, and full SRP sign-ins
with 8 light clients (target: >= 300/s).

The cost split: CPU seconds (utime + stime from /proc) of the emulator's processes, of the
PostgreSQL server's processes and of this client process, around each row, per sign-in. With
the wall time per sign-in they say what bounds a row: CPU (2 cores here) or waiting.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import signin  # noqa: E402  (benchmarks/signin.py: set-up, clients, timing)

CONFIGS = ("moto", "sqlite-1", "sqlite-2", "postgresql-1", "postgresql-2")
ROWS = (("password_boto3", "password", False, "USER_PASSWORD_AUTH, 8 boto3 clients"),
        ("password_lite", "password", True, "USER_PASSWORD_AUTH, 8 light clients"),
        ("srp_lite", "srp", True, "full SRP sign-in, 8 light clients"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and all its descendants."""
    total = 0
    for p in signin.family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / TICK


def postmaster_pid(cluster) -> int:
    return int(Path(cluster.data, "postmaster.pid").read_text().split()[0])


def start_ours(store_args: list[str], workers: int) -> signin.Server:
    """Our server with the given store and number of processes (signin.start)."""
    return signin.start("ours", ["--workers", str(workers), *store_args])


def measure(name: str, server: signin.Server, db_pid: int | None, args) -> dict:
    res: dict = {"name": name}
    s = signin.setup_pool(server.url, args.users)
    s.srp_answer_username = name == "moto"
    for key, kind, lite, _label in ROWS:
        total = args.srp_signins if kind == "srp" else args.signins
        before = (cpu_seconds(server.proc.pid), cpu_seconds(db_pid) if db_pid else 0.0,
                  time.process_time())
        run = signin.run_signins(server.url, server.port, s, total, args.concurrency, kind, lite)
        after = (cpu_seconds(server.proc.pid), cpu_seconds(db_pid) if db_pid else 0.0,
                 time.process_time())
        summary = run.summary()
        if run.ok:
            summary["cpu_ms_per_signin"] = {
                part: (b - a) * 1000 / run.ok
                for part, a, b in zip(("server", "database", "client"), before, after,
                                      strict=True)}
            summary["wall_ms_per_signin"] = run.wall_s * 1000 / run.ok
        if name == "moto" and kind == "srp":
            summary["fake"] = signin.srp_is_fake(server.url, s)
        res[key] = summary
        signin._print_run(key, run)
        if run.ok:
            split = summary["cpu_ms_per_signin"]
            print(f"      CPU per sign-in: server {split['server']:.2f} ms, database "
                  f"{split['database']:.2f} ms, client {split['client']:.2f} ms; wall "
                  f"{summary['wall_ms_per_signin']:.2f} ms", flush=True)
    return res


def run_config(name: str, args, cluster) -> dict:
    print(f"== {name}  (load average {signin.loadavg()})", flush=True)
    if name == "moto":
        signin.ensure_peers({"moto"})
        server = signin.start("moto")
        try:
            return measure(name, server, None, args)
        finally:
            server.stop()
    store, workers = name.rsplit("-", 1)
    with tempfile.TemporaryDirectory(prefix="bench-procs-") as data_dir:
        store_args = ["--data-dir", data_dir]
        if store == "postgresql":
            store_args += ["--store", cluster.new_database()]
        server = start_ours(store_args, int(workers))
        try:
            return measure(name, server, postmaster_pid(cluster) if store == "postgresql"
                           else None, args)
        finally:
            server.stop()


def table(results: dict, concurrency: int) -> str:
    names = [n for n in CONFIGS if n in results]
    head = ["row", *names]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, _kind, _lite, label in ROWS:
        label = label.replace("8 ", f"{concurrency} ")
        cells, cpu = [], []
        for n in names:
            r = results[n].get(key) or {}
            rate = r.get("per_s")
            cell = f"{rate:,.0f}/s" if rate else "fails"
            if r.get("failures"):
                cell += f" ({r['failures']} failed)"
            if r.get("fake"):
                cell += " FAKE"
            cells.append(cell)
            split = r.get("cpu_ms_per_signin")
            cpu.append(f"{split['server']:.2f} / {split['database']:.2f} / "
                       f"{split['client']:.2f} / {r['wall_ms_per_signin']:.2f}" if split else "-")
        lines.append(f"| {label}: sign-ins/s | " + " | ".join(cells) + " |")
        lines.append("| &nbsp; CPU ms per sign-in: server / database / client / wall | "
                     + " | ".join(cpu) + " |")
    moto = (results.get("moto") or {}).get("password_boto3", {}).get("per_s")
    if moto:
        ratios = [f"{(results[n].get('password_boto3') or {}).get('per_s', 0) / moto:.2f}x"
                  for n in names]
        lines.append("| USER_PASSWORD_AUTH boto3: x moto (target >= 4x) | " + " | ".join(ratios)
                     + " |")
    return "\n".join(lines)


def plot(results: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [n for n in CONFIGS if n in results]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    width = 0.8 / len(ROWS)
    hatches = ("", "//", "..")
    for i, (key, _kind, _lite, label) in enumerate(ROWS):
        values = [(results[n].get(key) or {}).get("per_s") or 0 for n in names]
        xs = [j + i * width for j in range(len(names))]
        bars = ax.bar(xs, values, width, label=label, hatch=hatches[i], edgecolor="black")
        ax.bar_label(bars, fmt="%.0f", fontsize=7)
    ax.set_xticks([j + width for j in range(len(names))], names)
    ax.set_ylabel("sign-ins per second")
    ax.set_title("Sign-ins/s by store and number of emulator processes (2-core machine)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot written to {path}", flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20 users, 100 / 40 sign-ins a row")
    p.add_argument("--only", default=",".join(CONFIGS), help="subset of " + ", ".join(CONFIGS))
    p.add_argument("--users", type=int)
    p.add_argument("--signins", type=int)
    p.add_argument("--srp-signins", type=int)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    p.add_argument("--plot", metavar="PNG", help="draw the sign-ins/s bars (matplotlib: "
                   "requirements-bench.txt)")
    args = p.parse_args(argv)
    args.users = args.users or (20 if args.quick else 200)
    args.signins = args.signins or (100 if args.quick else 600)
    args.srp_signins = args.srp_signins or (40 if args.quick else 300)
    wanted = [n for n in args.only.split(",") if n]
    unknown = set(wanted) - set(CONFIGS)
    if unknown:
        p.error(f"unknown configuration(s): {', '.join(sorted(unknown))}")
    cluster = None
    results: dict = {"machine": signin.machine()}
    try:
        if any(n.startswith("postgresql") for n in wanted):
            from tests.support.postgres import Cluster
            cluster = Cluster.start()
        for name in CONFIGS:
            if name in wanted:
                results[name] = run_config(name, args, cluster)
    finally:
        signin.stop_all()
        if cluster is not None:
            cluster.stop()
    results["machine"]["loadavg_at_end"] = signin.loadavg()
    print()
    print(table(results, args.concurrency))
    print(f"\nload average at start {results['machine']['loadavg_at_start']}, at end "
          f"{results['machine']['loadavg_at_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
