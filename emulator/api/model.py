"""Access to the service models that botocore ships, one per AWS service the emulator serves.

A model (``service-2``) is the single source of truth for operation names, input/output
shapes, auth requirements and the constraints that the request validator enforces. Each is
loaded once per process. A request names its service by the X-Amz-Target prefix (TARGETS);
every function here takes the botocore service name, cognito-idp unless told otherwise.
"""
from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import botocore

SERVICE_NAME = "cognito-idp"
IDENTITY_SERVICE = "cognito-identity"  # identity pools (handlers/identity, domain/identity)
# X-Amz-Target prefix -> botocore service name.
TARGETS = {"AWSCognitoIdentityProviderService.": SERVICE_NAME,
           "AWSCognitoIdentityService.": IDENTITY_SERVICE}


def resolve_target(target: str) -> tuple[str, str] | None:
    """(service, operation) an X-Amz-Target names, None for an unknown service or operation."""
    prefix, dot, op = target.rpartition(".")
    service = TARGETS.get(prefix + dot)
    if service is None or not has_operation(op, service):
        return None
    return service, op


@functools.cache
def load_model(service: str = SERVICE_NAME) -> dict:
    """The parsed service model: a dict with 'metadata', 'operations', 'shapes'.

    Read straight from botocore's data directory (the newest API version there):
    botocore.loaders pulls in botocore.utils, urllib3 and pyOpenSSL, ~80 ms of every
    emulator start, to read one JSON file."""
    folder_of_service = Path(botocore.__file__).parent / "data" / service
    version = max(p.name for p in folder_of_service.iterdir() if p.is_dir())
    folder = folder_of_service / version
    plain = folder / "service-2.json"
    if plain.exists():
        return json.loads(plain.read_text(encoding="utf-8"))
    with gzip.open(folder / "service-2.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def operation_names(service: str = SERVICE_NAME) -> list[str]:
    """All operation names in model order (153 for cognito-idp in botocore 1.44.x)."""
    return list(load_model(service)["operations"])


def has_operation(op: str, service: str = SERVICE_NAME) -> bool:
    """Cheap membership test for the per-request path (a dict lookup, well under 0.1 us;
    ``op in operation_names()`` copies and scans a 153-item list, ~3 us)."""
    return op in load_model(service)["operations"]


def _operation(op: str, service: str) -> dict:
    return load_model(service)["operations"][op]


def input_shape_name(op: str, service: str = SERVICE_NAME) -> str | None:
    return _operation(op, service).get("input", {}).get("shape")


def output_shape_name(op: str, service: str = SERVICE_NAME) -> str | None:
    return _operation(op, service).get("output", {}).get("shape")


def is_unsigned(op: str, service: str = SERVICE_NAME) -> bool:
    """True for operations callable without SigV4 (InitiateAuth, SignUp, ...).

    Older models mark them ``authtype: none``, newer Smithy-derived ones list
    ``smithy.api#noAuth`` under ``auth``; accept either.
    """
    spec = _operation(op, service)
    return spec.get("authtype") == "none" or "smithy.api#noAuth" in spec.get("auth", ())


def error_shape_names(service: str = SERVICE_NAME) -> set[str]:
    """Names of the model's exception shapes (e.g. 'NotAuthorizedException')."""
    return {n for n, s in load_model(service)["shapes"].items() if s.get("exception")}
