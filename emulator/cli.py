"""`cognito-emulator serve` (also `python -m emulator serve`), and `snapshot save|load FILE`."""
import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
import sys

from .config import ConfigError, add_serve_arguments, settings_from

log = logging.getLogger("emulator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator", description="A local, offline Amazon Cognito user-pool emulator.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the emulator (the default command)")
    add_serve_arguments(serve)
    snap = sub.add_parser("snapshot", help="save a data directory's store to a file, or load "
                                           "one into it (docs/ARCHITECTURE.md, Store)")
    snap.add_argument("action", choices=("save", "load"))
    snap.add_argument("file", help="the snapshot file (a SQLite database file)")
    snap.add_argument("--data-dir", default="./.cognito-emulator",
                      help="the emulator's data directory (default ./.cognito-emulator)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            settings = settings_from(args)
        except ConfigError as exc:
            print(f"cognito-emulator: {exc}", file=sys.stderr)
            return 1
        return serve_forever(settings)
    if args.command == "snapshot":
        return snapshot(args.action, args.file, args.data_dir)
    parser.print_help()
    return 2


def snapshot(action: str, file: str, data_dir: str) -> int:
    """Save or load the SQLite store of a data directory. Meant for a stopped emulator: no
    lock marks a running one. A save is consistent even so (SQLite's online backup); a load
    under a running server would leave its caches stale: use POST /_emulator/restore."""

    from .store.base import SnapshotError
    from .store.sqlite import SchemaMismatch, SqliteStore

    db = os.path.join(data_dir, "emulator.sqlite3")
    if action == "save" and not os.path.isfile(db):
        print(f"cognito-emulator: no emulator store in {data_dir} ({db} is missing)",
              file=sys.stderr)
        return 1
    try:
        store = SqliteStore(db)
    except (SchemaMismatch, OSError, sqlite3.Error) as exc:
        print(f"cognito-emulator: cannot open {db}: {exc}", file=sys.stderr)
        return 1
    try:
        if action == "save":
            store.snapshot(file)
        else:
            store.restore(file)
    except SnapshotError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    done = f"saved {data_dir} to {file}" if action == "save" else f"loaded {file} into {data_dir}"
    print(f"cognito-emulator: {done} ({os.path.getsize(file):,} bytes)")
    return 0


def serve_forever(settings) -> int:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Bind first so that --port 0 yields a real port before the issuer URL is fixed.
    sock = _listen(settings.host, settings.port)
    if sock is None:
        return 1
    settings.port = sock.getsockname()[1]
    tls_sock = None
    if settings.tls:
        tls_sock = _listen(settings.host, settings.tls_port)
        if tls_sock is None:
            sock.close()
            return 1
        settings.tls_port = tls_sock.getsockname()[1]
    if settings.workers > 1:
        return _serve_workers(settings, sock, tls_sock)
    built = _build(settings)
    if built is None:
        return 1
    emu, app, certificates = built
    emu.start_sweeper()  # --sweep-interval; emu.close() below stops it
    _banners(settings, certificates)
    try:
        _run(settings, app, certificates, sock, tls_sock)
    finally:
        emu.close()
    return 0


def _build(settings):
    """(emulator, app, TLS certificates or None), the seed file applied; None after printing
    why the emulator cannot start."""
    from . import lambdas, seed
    from .app import create_app
    from .service import Emulator
    from .store.base import SchemaMismatch, StoreUnavailable

    seeder = None
    try:
        if settings.config:
            seeder = seed.from_file(settings.config)
        # Functions: the config file's, then COGNITO_EMULATOR_FUNCTIONS (relative to the
        # current directory) on top; all checked now rather than at the first sign-in.
        try:
            functions = lambdas.resolve_all(settings.functions)
        except lambdas.SpecError as exc:
            raise seed.SeedError(f"COGNITO_EMULATOR_FUNCTIONS: {exc}") from None
        if settings.config:
            functions = {**seed.functions_from_file(settings.config), **functions}
            risk_world = seed.risk_from_file(settings.config)
            if risk_world:
                settings.extra["risk"] = risk_world
        settings.functions = functions
        for name, spec in functions.items():
            log.info("function %s: %s", name, spec)
        if settings.lambda_endpoint:
            log.info("other functions: Lambda Invoke API at %s", settings.lambda_endpoint)
        emu = Emulator(settings)
        app = create_app(settings, emu=emu, seed=seeder)
        certificates = _certificates(settings, emu) if settings.tls else None
    except (seed.SeedError, OSError, ValueError, SchemaMismatch, StoreUnavailable) as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return None
    return emu, app, certificates


def _banners(settings, certificates) -> None:
    store_desc = "in memory" if settings.in_memory else f"data dir {settings.data_dir}"
    if settings.store and not settings.in_memory:
        from .store.postgres import describe
        store_desc = f"store {describe(settings.store)}, data dir {settings.data_dir}"
    if certificates is not None:
        # Before the "listening on" line: tests and scripts read up to that one.
        print(f"cognito-emulator TLS on https://{_url_host(settings.host)}:{settings.tls_port} "
              f"(CA certificate: {certificates.ca.path}; also GET /_emulator/ca.pem)",
              flush=True)
    if settings.console == "on":
        # Before the "listening on" line too. Clients not on loopback need the token
        # (emulator/web/console/guard.py).
        print(f"cognito-emulator console on {settings.base_url}/_emulator/ (loopback; from "
              f"other addresses: {settings.base_url}/_emulator/?token={settings.console_token})",
              flush=True)
    workers = f", {settings.workers} worker processes" if settings.workers > 1 else ""
    print(f"cognito-emulator listening on {settings.base_url} ({store_desc}, region "
          f"{settings.region}{workers})", flush=True)


def _run(settings, app, certificates, sock, tls_sock) -> None:
    """Serve until SIGINT/SIGTERM: one uvicorn server, or two with --tls."""
    import uvicorn

    config = uvicorn.Config(app, log_level=settings.log_level, access_log=False,
                            lifespan="off", server_header=False)
    try:
        if certificates is None:
            asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
        else:
            # A second server rather than a second socket: uvicorn gives all the sockets of
            # one server the same SSLContext. Its ssl_context_factory hands over ours.
            context = certificates.context()
            tls_config = uvicorn.Config(app, log_level=settings.log_level, access_log=False,
                                        lifespan="off", server_header=False,
                                        ssl_context_factory=lambda _config, _default: context)
            server = _quiet_server(config)
            asyncio.run(_serve_both(server, _quiet_server(tls_config, leader=server),
                                    sock, tls_sock))
    except KeyboardInterrupt:
        pass


def _serve_workers(settings, sock, tls_sock) -> int:
    """--workers N: the listening sockets are bound here, then N forked processes accept on
    them (the kernel hands each connection to one), each with its own Emulator and store
    connection. This process only prepares and supervises: it applies the seed file and
    makes the TLS CA once (before any fork, so no two workers race to create them; each
    worker's own seed run then finds everything), prints the banners, forwards SIGINT and
    SIGTERM to the workers and, when one exits by itself, stops the others. Only worker 0
    runs the expiry sweeper."""
    import copy
    import signal

    # The store is opened and closed again here: a fork must not inherit an open connection.
    built = _build(copy.deepcopy(settings))
    if built is None:
        return 1
    emu, _app, certificates = built
    emu.close()
    children: dict[int, int] = {}  # pid -> worker index
    for index in range(settings.workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _worker(settings, index, sock, tls_sock)
            except BaseException:
                log.exception("worker %d failed", index)
            finally:
                os._exit(code)
        children[pid] = index
    sock.close()
    if tls_sock is not None:
        tls_sock.close()
    _banners(settings, certificates)
    stopping = False

    def stop(signum=None, frame=None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while children:
        pid, status = os.wait()
        index = children.pop(pid, None)
        if index is not None and not stopping:
            log.error("worker %d (pid %d) exited (status %d): stopping the others",
                      index, pid, status)
            code = 1
            stop()
    return code


def _worker(settings, index: int, sock, tls_sock) -> int:
    """One worker process of --workers N (forked by _serve_workers)."""
    built = _build(settings)
    if built is None:
        return 1
    emu, app, certificates = built
    if index == 0:
        emu.start_sweeper()  # one is enough: the others would find nothing left to delete
    log.info("worker %d: pid %d", index, os.getpid())
    try:
        _run(settings, app, certificates, sock, tls_sock)
    finally:
        emu.close()
    return 0


def _listen(host: str, port: int) -> socket.socket | None:
    """A listening TCP socket, or None after printing why it can't be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP matters: uvicorn only sets TCP_NODELAY on TCP sockets it recognises,
    # and without it every answer waits ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        print(f"cognito-emulator: cannot bind {host}:{port}: {exc}", file=sys.stderr)
        return None
    # Listen now: clients that connect as soon as they read the "listening on" line
    # queue up instead of being refused while uvicorn starts.
    sock.listen(2048)
    return sock


def _url_host(host: str) -> str:
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"[{host}]" if ":" in host else host


def _certificates(settings, emu):
    """The --tls listener's certificates: the CA kept in <data-dir>/tls, leaves for the
    default names and, on demand, for the AWS names and the pools' domains (emulator/tls.py)."""
    from urllib.parse import urlsplit

    from . import tls
    from .domain import domains

    ca = tls.LocalCA.load_or_create(settings.files_dir("tls"))
    public = urlsplit(settings.public_url).hostname if settings.public_url else None
    names = ["localhost", "127.0.0.1", "::1", public, *tls.aws_names(settings.region)]
    if settings.host not in ("0.0.0.0", "::", ""):
        names.append(settings.host)
    return tls.ServerCertificates(
        ca, names, known=lambda name: domains.by_host(emu.store, name) is not None)


def _quiet_server(config, leader=None):
    """A uvicorn server that leaves the signal handlers to its caller and, given a `leader`,
    stops when the leader is told to: two of them share one event loop (_serve_both)."""
    import uvicorn

    class Quiet(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            yield

        async def on_tick(self, counter: int) -> bool:
            stop = await super().on_tick(counter)
            return stop or (leader is not None and leader.should_exit)

    return Quiet(config)


async def _serve_both(server, companion, sock, tls_sock) -> None:
    """The HTTP and HTTPS listeners, one uvicorn server each in this loop. SIGINT/SIGTERM go
    to the first (uvicorn's own handler, set here), the second follows it, and uvicorn's
    re-raise of the signal waits until both have shut down. If one stops by itself (it
    could not start), the other is stopped too."""
    import uvicorn

    with uvicorn.Server.capture_signals(server):
        first = asyncio.ensure_future(server.serve(sockets=[sock]))
        second = asyncio.ensure_future(companion.serve(sockets=[tls_sock]))
        await asyncio.wait([first, second], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await asyncio.gather(first, second)
