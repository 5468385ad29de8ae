#!/usr/bin/env python3
"""Instructions per call of one operation through the whole ASGI app (dispatcher, validation,
handler, output), in-process, counted by callgrind: a figure machine noise hardly moves, for
comparing two versions of the code (the wall-clock rows of signin.py swing by 20-30 % on a
shared 2-core VM).

    .venv/bin/python benchmarks/instructions.py InitiateAuth                # this checkout
    .venv/bin/python benchmarks/instructions.py InitiateAuth --tree DIR     # another one
    (operations: InitiateAuth - USER_PASSWORD_AUTH -, DescribeUserPool, ListUserPools)

It runs itself under `valgrind --tool=callgrind` with N=0 and N=200 calls and divides the
difference. Both runs do the same work: the randomness the emulator draws (salts, session
secrets) is seeded, the pool's RSA keys are handed in instead of generated (a prime search
costs a different number of instructions every time), hash randomization is off and the
garbage collector paused. Needs valgrind (Debian's package).
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile

CALLS = 200
SIGNED = {"content-type": "application/x-amz-json-1.1",
          "authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cognito-idp/"
                           "aws4_request, SignedHeaders=host, Signature=0"}


def _fixed_keys(path: str) -> None:
    """The pool's signing keys, read from `path` (PEMs the parent made once) instead of
    generated."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    with open(path, "rb") as f:
        pems = f.read().split(b"\n\n")
    keys = iter([serialization.load_pem_private_key(pem, None) for pem in pems if pem])
    rsa.generate_private_key = lambda public_exponent, key_size: next(keys)  # noqa: E731


def _seed_randomness() -> None:
    """Salts and secrets from a seeded generator: the same work in every run."""
    seeded = random.Random(7)

    def token_bytes(n: int = 32) -> bytes:
        return seeded.randbytes(n)

    secrets.token_bytes = token_bytes
    secrets.token_hex = lambda n=32: token_bytes(n).hex()  # noqa: E731 - a stand-in
    secrets.token_urlsafe = lambda n=32: base64.urlsafe_b64encode(  # noqa: E731
        token_bytes(n)).rstrip(b"=").decode()
    secrets.randbelow = seeded.randrange


async def _calls(op: str, count: int) -> None:
    import httpx

    from emulator.app import create_app
    from emulator.config import Settings
    app = create_app(Settings(in_memory=True, log_level="warning"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as client:
        async def call(name: str, body: dict) -> dict:
            answer = await client.post("/", content=json.dumps(body), headers={
                **SIGNED, "x-amz-target": f"AWSCognitoIdentityProviderService.{name}"})
            assert answer.status_code == 200, answer.text
            return answer.json()
        pool = (await call("CreateUserPool", {"PoolName": "bench"}))["UserPool"]["Id"]
        app_client = (await call("CreateUserPoolClient", {
            "UserPoolId": pool, "ClientName": "bench",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}))["UserPoolClient"]["ClientId"]
        await call("AdminCreateUser", {"UserPoolId": pool, "Username": "u",
                                       "MessageAction": "SUPPRESS"})
        await call("AdminSetUserPassword", {"UserPoolId": pool, "Username": "u",
                                            "Password": "Bench-Passw0rd!x", "Permanent": True})
        bodies = {
            "InitiateAuth": {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app_client,
                             "AuthParameters": {"USERNAME": "u",
                                                "PASSWORD": "Bench-Passw0rd!x"}},
            "DescribeUserPool": {"UserPoolId": pool},
            "ListUserPools": {"MaxResults": 10}}
        gc.collect()
        gc.disable()
        for _ in range(10 + count):  # 10 warm-up calls in both runs
            await call(op, bodies[op])


def instructions(op: str, tree: str) -> int:
    """Instructions per call of `op` in the checkout at `tree`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    counts = []
    with tempfile.NamedTemporaryFile(suffix=".pem") as keys:
        for _ in range(4):  # a pool's ID and access keys, and spares
            keys.write(rsa.generate_private_key(public_exponent=65537, key_size=2048)
                       .private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()) + b"\n")
        keys.flush()
        for count in (0, CALLS):
            with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
                done = subprocess.run(
                    ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}",
                     sys.executable, os.path.abspath(__file__), op, "--run", str(count),
                     "--keys", keys.name],
                    cwd=tree, env={**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": tree},
                    capture_output=True, text=True, check=True)
            counts.append(int(re.search(r"Collected : (\d+)", done.stderr).group(1)))
    return (counts[1] - counts[0]) // CALLS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operation", choices=["InitiateAuth", "DescribeUserPool",
                                              "ListUserPools"])
    parser.add_argument("--tree", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="the checkout to measure")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the measured child
    parser.add_argument("--keys", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run is not None:
        _seed_randomness()
        _fixed_keys(args.keys)
        asyncio.run(_calls(args.operation, args.run))
        return
    print(f"{args.operation}: {instructions(args.operation, args.tree):,} instructions per "
          f"call ({args.tree})")


if __name__ == "__main__":
    main()
