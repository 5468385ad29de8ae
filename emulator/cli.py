"""`cognito-emulator serve` (also `python -m emulator serve`)."""
import argparse
import asyncio
import logging
import socket
import sys

from .config import ConfigError, add_serve_arguments, settings_from

log = logging.getLogger("emulator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator", description="A local, offline Amazon Cognito user-pool emulator.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the emulator (the default command)")
    add_serve_arguments(serve)
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
    parser.print_help()
    return 2


def serve_forever(settings) -> int:
    import uvicorn

    from . import lambdas, seed
    from .app import create_app
    from .service import Emulator

    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Bind first so that --port 0 yields a real port before the issuer URL is fixed.
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # IPPROTO_TCP matters: uvicorn only sets TCP_NODELAY on TCP sockets it recognises,
    # and without it every answer waits ~40 ms for delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"cognito-emulator: cannot bind {settings.host}:{settings.port}: {exc}",
              file=sys.stderr)
        return 1
    # Listen now: clients that connect as soon as they read the "listening on" line
    # queue up instead of being refused while uvicorn starts.
    sock.listen(2048)
    settings.port = sock.getsockname()[1]
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
    except (seed.SeedError, OSError) as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 1
    store_desc = "in memory" if settings.in_memory else f"data dir {settings.data_dir}"
    print(f"cognito-emulator listening on {settings.base_url} ({store_desc}, region "
          f"{settings.region})", flush=True)
    config = uvicorn.Config(app, log_level=settings.log_level, access_log=False,
                            lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    finally:
        emu.close()
    return 0
