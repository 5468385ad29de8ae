"""Access to the cognito-idp service model that botocore ships.

The model (``service-2``) is the single source of truth for operation names,
input/output shapes, auth requirements and the constraints that the request
validator enforces. It is loaded once per process.
"""
from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import botocore

SERVICE_NAME = "cognito-idp"


@functools.cache
def load_model() -> dict:
    """The parsed service model: a dict with 'metadata', 'operations', 'shapes'.

    Read straight from botocore's data directory (the newest API version there):
    botocore.loaders pulls in botocore.utils, urllib3 and pyOpenSSL, ~80 ms of every
    emulator start, to read one JSON file."""
    service = Path(botocore.__file__).parent / "data" / SERVICE_NAME
    version = max(p.name for p in service.iterdir() if p.is_dir())
    folder = service / version
    plain = folder / "service-2.json"
    if plain.exists():
        return json.loads(plain.read_text(encoding="utf-8"))
    with gzip.open(folder / "service-2.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def operation_names() -> list[str]:
    """All operation names in model order (153 in botocore 1.44.x)."""
    return list(load_model()["operations"])


def has_operation(op: str) -> bool:
    """Cheap membership test for the per-request path (a dict lookup, well under 0.1 us;
    ``op in operation_names()`` copies and scans a 153-item list, ~3 us)."""
    return op in load_model()["operations"]


def _operation(op: str) -> dict:
    return load_model()["operations"][op]


def input_shape_name(op: str) -> str | None:
    return _operation(op).get("input", {}).get("shape")


def output_shape_name(op: str) -> str | None:
    return _operation(op).get("output", {}).get("shape")


def is_unsigned(op: str) -> bool:
    """True for operations callable without SigV4 (InitiateAuth, SignUp, ...).

    Older models mark them ``authtype: none``, newer Smithy-derived ones list
    ``smithy.api#noAuth`` under ``auth``; accept either.
    """
    spec = _operation(op)
    return spec.get("authtype") == "none" or "smithy.api#noAuth" in spec.get("auth", ())


def error_shape_names() -> set[str]:
    """Names of the model's exception shapes (e.g. 'NotAuthorizedException')."""
    return {n for n, s in load_model()["shapes"].items() if s.get("exception")}
