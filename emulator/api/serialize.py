"""Responses written from the model's output shapes, the way LocalStack serializes against
botocore's shapes: what leaves the server is what the model declares, in the model's order.

- A structure keeps only the members its shape declares, in declaration order: a private
  `_field` of a stored record, or anything else a handler returns by mistake, can't leave.
- Lists and maps are walked member by member; scalars pass as they are (JSON 1.1 writes
  timestamps as epoch seconds, which is what the domain keeps).
- A member whose value is None is left out: the service never sends JSON null.

Strict mode (COGNITO_EMULATOR_STRICT_OUTPUT=1, set by the test suite's server) raises
OutputShapeError instead of dropping an undeclared member, and checks scalar types, so every
API test is also a test of the output shape. Each shape is compiled once into a closure, as
the validator does with input shapes.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Callable
from typing import Any

from .model import SERVICE_NAME, load_model, output_shape_name

Writer = Callable[[Any, str], Any]   # (value, where) -> JSON-ready value

STRICT = os.environ.get("COGNITO_EMULATOR_STRICT_OUTPUT", "") not in ("", "0")
_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "float": (int, float), "double": (int, float), "timestamp": (int, float),
    "blob": (bytes, str),
}


class OutputShapeError(Exception):
    """Strict mode: a handler returned something its operation's output shape doesn't say."""


_writers: dict[tuple[str, str], Writer] = {}   # (service, shape) -> writer


def serialize(op: str, result: dict | None, service: str = SERVICE_NAME) -> dict:
    """The output of `op` as the model shapes it (an operation without output: {})."""
    name = output_shape_name(op, service)
    if name is None or not result:
        if result and STRICT:
            raise OutputShapeError(f"{op} has no output shape but returned {sorted(result)}")
        return {}
    return _writer(service, name)(result, op)


def _writer(service: str, name: str) -> Writer:
    writer = _writers.get((service, name))
    if writer is None:  # members are looked up when written, so recursive shapes are fine
        shape = load_model(service)["shapes"][name]
        if shape.get("document"):  # free-form JSON (branding Settings): written as it is
            writer = _as_is
        else:
            writer = _COMPILERS.get(shape["type"], _scalar)(service, shape)
        _writers[(service, name)] = writer
    return writer


def _passes(service: str, name: str) -> bool:
    """A scalar other than a blob: outside strict mode it is written as it is, no call."""
    kind = load_model(service)["shapes"][name]["type"]
    return kind in _SCALARS and kind != "blob"


def _as_is(value, where):
    return value


def _structure(service: str, shape: dict) -> Writer:
    members = [(member, ref["shape"]) for member, ref in shape.get("members", {}).items()]
    declared = {member for member, _ in members}
    # (member, writer, passes as it is), filled on first use: shapes may recurse
    writers: list[tuple[str, Writer, bool]] = []

    def write(value, where):
        if not isinstance(value, dict):
            return _wrong(value, where, "an object")
        if not writers:
            writers.extend((member, _writer(service, name), _passes(service, name))
                           for member, name in members)
        out = {}
        for member, member_writer, passes in writers:
            item = value.get(member)
            if item is not None:
                # The path only names a member in an error (strict mode): not built otherwise.
                if STRICT:
                    out[member] = member_writer(item, f"{where}.{member}")
                else:
                    out[member] = item if passes else member_writer(item, where)
        if STRICT and len(out) != len(value):
            extra = sorted(k for k in value if k not in declared)
            if extra:
                raise OutputShapeError(f"{where}: members the model doesn't declare: {extra}")
        return out
    return write


def _list(service: str, shape: dict) -> Writer:
    member_shape = shape["member"]["shape"]

    def write(value, where):
        if not isinstance(value, (list, tuple)):
            return _wrong(value, where, "a list")
        item_writer = _writer(service, member_shape)
        if not STRICT:
            return [item_writer(item, where) for item in value]
        return [item_writer(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return write


def _map(service: str, shape: dict) -> Writer:
    value_shape = shape["value"]["shape"]

    def write(value, where):
        if not isinstance(value, dict):
            return _wrong(value, where, "an object")
        item_writer = _writer(service, value_shape)
        return {key: item_writer(item, f"{where}.{key}" if STRICT else where)
                for key, item in value.items() if item is not None}
    return write


def _scalar(service: str, shape: dict) -> Writer:
    kind = shape["type"]
    allowed = _SCALARS.get(kind, (object,))

    def write(value, where):
        if isinstance(value, bytes) and kind == "blob":
            return base64.b64encode(value).decode("ascii")
        if STRICT and (not isinstance(value, allowed)
                       or (isinstance(value, bool) and kind != "boolean")):
            return _wrong(value, where, kind)
        return value
    return write


def _wrong(value, where: str, expected: str):
    if STRICT:
        raise OutputShapeError(f"{where}: expected {expected}, got {type(value).__name__}")
    return value


_COMPILERS: dict[str, Callable[[str, dict], Writer]] = {
    "structure": _structure, "list": _list, "map": _map}
