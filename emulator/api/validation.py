"""Request validation against the cognito-idp service model, the way AWS does it.

AWS (Coral) handles a JSON 1.1 request in two stages, and so do we:

1. Deserialisation. A value of the wrong JSON type (a string where an integer
   is expected, a list where a map is, ...) stops the request at once with
   ``SerializationException`` ("Invalid type for member 'Limit': expected
   integer, got string"; Coral's own texts don't name the member, ours do).
   Unknown members are dropped silently, and a JSON ``null`` counts as "member
   absent": validate() removes such members from the body, so a handler's
   ``params.get("Limit", 60)`` never sees a None. (botocore never sends null; a
   null inside a list or as a map value has no "absent" reading and is a
   constraint violation: "Value '[null]' at 'attributesToGet' failed to satisfy
   constraint: Member must satisfy constraint: [Member must not be null]", or
   "Value null at 'userAttributes.1.member'" for a list of structures.)
2. Constraint validation over the whole input: required members, length and
   value ranges, enums, patterns. All violations are collected and reported in
   one ``InvalidParameterException`` (the user-pool service's code for Coral's
   ValidationException; the identity-pool service answers ``ValidationException``
   itself: CONSTRAINT_ERROR), in Coral's wording::

       2 validation errors detected: Value null at 'username' failed to satisfy
       constraint: Member must not be null; Value 'abc' at 'userPoolId' failed to
       satisfy constraint: Member must satisfy regular expression pattern: ...

   Missing required members come first, then the rest in model member order.

   Paths use lowerCamelCase member names joined by '.', with list elements as
   ``<list>.<1-based index>.member`` and map values as ``<map>.<key>.member``.
   A list of scalars, and a map's keys or scalar values, are reported once per
   collection: "Member must satisfy constraint: [...]", "Map keys must satisfy
   constraint: [...]", "Map value must satisfy constraint: [...]", listing every
   constraint of the element shape. Values of shapes marked ``sensitive`` (and
   anything inside them) are not echoed: "Value at 'password' failed ...".

Speed: every shape is compiled once into a closure (cached per shape and
sensitivity), and every operation's input shape into one validator, so a
request costs a few dict lookups and comparisons per member present. Paths are
not built on the success path: a failing leaf returns a record whose path
segments are appended by each container on the way back up.
"""
from __future__ import annotations

import base64
import binascii
import functools
import re
import threading
from collections.abc import Callable
from typing import Any

import regex

from .model import SERVICE_NAME, input_shape_name, load_model

__all__ = ["ValidationFailure", "validate"]

SERIALIZATION = "SerializationException"
INVALID_PARAMETER = "InvalidParameterException"
# The code of a constraint violation, per service. cognito-idp renames Coral's
# ValidationException; cognito-identity keeps it ("Service: AmazonCognitoIdentity; ... Error
# Code: ValidationException" for an IdentityPoolName off its pattern: moto#1979, moto#4415
# verified against AWS, and a CloudFormation event in awslabs/serverless-automated-ui-testing#2).
CONSTRAINT_ERROR = {"cognito-idp": INVALID_PARAMETER}


class ValidationFailure(Exception):
    """A request the emulator must refuse before running the operation.

    ``error_type`` is the AWS error code to answer with:
    'SerializationException' for JSON type problems, 'InvalidParameterException'
    for missing required members and constraint violations,
    'UnknownOperationException' for an operation the model doesn't have.
    """

    def __init__(self, error_type: str, message: str):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


class _WrongType(Exception):
    """Raised by a checker on a JSON type mismatch; containers add path segments."""

    def __init__(self, problem: str, detail: str):
        self.problem = problem  # "Invalid type" / "Invalid value"
        self.detail = detail
        self.segments: list[str] = []  # innermost first

    def failure(self) -> ValidationFailure:
        path = ""
        for seg in reversed(self.segments):
            path += seg if seg.startswith("[") or not path else "." + seg
        return ValidationFailure(SERIALIZATION,
                                 f"{self.problem} for member '{path}': {self.detail}")


# A constraint violation: [is_missing, rendered value or None, phrase, path segments].
# A missing member prints as "Value null at"; rendered None (sensitive) as "Value at".
# The path segments are innermost first; containers append as the record bubbles up.
Record = list
Checker = Callable[[object], "list[Record] | None"]

_NOT_NULL = "Member must not be null"

_JSON_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "number",
                    list: "list", dict: "object", type(None): "null"}


def _json_type(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _wrong(expected: str, value: object) -> _WrongType:
    return _WrongType("Invalid type", f"expected {expected}, got {_json_type(value)}")


def _render(value: object) -> str:
    """Java toString()-like rendering, as Coral prints values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(_render, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)


def _record(value: object, phrase: str, sensitive: bool) -> Record:
    return [False, None if sensitive else _render(value), phrase, []]


# ---------------------------------------------------------------- patterns

# Java's \s (the model's regexes are Java regexes) is ASCII whitespace only.
_JAVA_SPACE = r"\t\n\x0b\f\r "


def _java_to_regex(pattern: str) -> str:
    r"""Rewrite \s to Java's ASCII set, for patterns compiled without ASCII mode."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            out.append((_JAVA_SPACE if in_class else f"[{_JAVA_SPACE}]") if pair == r"\s" else pair)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


@functools.cache
def _matcher(pattern: str) -> Callable[[str], object]:
    """fullmatch function for a model pattern (AWS matches the whole string).

    Java's \\w, \\d, \\s, \\b are ASCII-only, so patterns are compiled in ASCII
    mode. Stdlib ``re`` is about 3x faster than ``regex`` and handles most of the
    model's patterns; the ones using \\p{L}-style classes need ``regex``, where
    ASCII mode would also restrict \\p{..}, so \\s is rewritten instead (no such
    pattern uses \\w, \\d or \\b).
    """
    try:
        return re.compile(pattern, re.ASCII).fullmatch
    except re.error:
        return regex.compile(_java_to_regex(pattern)).fullmatch


# ---------------------------------------------------------------- compilation

class _Node:
    """A compiled shape: ``check`` plus, for scalars, every constraint phrase
    (used when a collection of scalars is reported as a whole)."""

    __slots__ = ("check", "phrases")

    def __init__(self, check: Checker, phrases: list[str] | None = None):
        self.check = check
        self.phrases = phrases


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _length_phrases(shape: dict, noun: str) -> list[tuple[str, Callable[[int], bool]]]:
    # Coral's order: upper bound first, then lower bound.
    out = []
    if "max" in shape:
        hi = shape["max"]
        out.append((f"Member must have {noun} less than or equal to {hi}", lambda n: n <= hi))
    if "min" in shape:
        lo = shape["min"]
        out.append((f"Member must have {noun} greater than or equal to {lo}", lambda n: n >= lo))
    return out


_nodes: dict[tuple[str, str, bool], _Node] = {}   # (service, shape, sensitive) -> node

# Constraints of the model that the real service does not apply as written: (service, shape)
# -> keys to ignore. DomainType's prefix pattern ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$ is
# applied by the service to prefix domains only (custom domains such as "auth.example.com"
# come in the same member), with its own message: domain/domains.py checks it.
_NOT_APPLIED = {("cognito-idp", "DomainType"): ("pattern",)}


def _node(service: str, name: str, sensitive: bool = False) -> _Node:
    shape = load_model(service)["shapes"][name]
    ignored = _NOT_APPLIED.get((service, name))
    if ignored:
        shape = {k: v for k, v in shape.items() if k not in ignored}
    sensitive = sensitive or bool(shape.get("sensitive"))
    key = (service, name, sensitive)
    node = _nodes.get(key)
    if node is None:
        node = _nodes[key] = _COMPILERS[shape["type"]](shape, sensitive, key)
    return node


def _scalar(coerce: Callable[[object], object], size: Callable[[object], int] | None,
            shape: dict, sensitive: bool) -> _Node:
    """Checker for string/number/blob shapes.

    ``coerce`` returns the value to check constraints on or raises _WrongType;
    ``size`` gives the value's length (strings, blobs) or is None (numbers).
    """
    bounds = _length_phrases(shape, "length" if size else "value")  # on the size
    value_tests: list[tuple[str, Callable[[Any], bool]]] = []  # on the value itself
    if "enum" in shape:
        allowed = frozenset(shape["enum"])
        value_tests.append((f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]",
                            allowed.__contains__))
    if "pattern" in shape:
        fullmatch = _matcher(shape["pattern"])
        value_tests.append((f"Member must satisfy regular expression pattern: {shape['pattern']}",
                            lambda v: fullmatch(v) is not None))
    phrases = [phrase for phrase, _ in bounds + value_tests]

    if not phrases:  # type check only
        def check_type(value):
            coerce(value)
            return None
        return _Node(check_type, phrases)

    # Note on lengths: AWS (Java) counts a string's length in UTF-16 code units,
    # so a character outside the BMP (an emoji) counts 2 there and 1 here. We
    # use len() (code points); the difference only shows at a bound with such
    # characters in the value.
    def failures(shown, value, measure):  # slow path: every failed constraint, in order
        return [_record(shown, phrase, sensitive) for phrase, ok in bounds if not ok(measure)] + \
               [_record(shown, phrase, sensitive) for phrase, ok in value_tests if not ok(value)]

    def check(raw):
        value = coerce(raw)
        measure = size(value) if size else value
        # Print numbers as coerced (5.0 -> '5'), strings and blobs as sent.
        for _, ok in bounds:
            if not ok(measure):
                return failures(raw if size else value, value, measure)
        for _, ok in value_tests:
            if not ok(value):
                return failures(raw if size else value, value, measure)
        return None

    return _Node(check, phrases)


def _as_string(value):
    if type(value) is not str:
        raise _wrong("string", value)
    return value


def _as_integer(expected):
    def coerce(value):
        if type(value) is int:
            return value
        if type(value) is float and value.is_integer():  # 5.0 is a fine JSON integer
            return int(value)
        raise _wrong(expected, value)
    return coerce


def _as_number(expected):
    def coerce(value):
        if type(value) not in (int, float):  # excludes bool
            raise _wrong(expected, value)
        return value
    return coerce


def _as_boolean(value):
    if type(value) is not bool:
        raise _wrong("boolean", value)
    return value


def _as_blob(value):
    if type(value) is not str:
        raise _wrong("blob (base64 string)", value)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _WrongType("Invalid value", "expected base64-encoded blob") from None


def _compile_string(shape, sensitive, _key):
    return _scalar(_as_string, len, shape, sensitive)


def _compile_integer(shape, sensitive, _key):
    return _scalar(_as_integer(shape["type"]), None, shape, sensitive)


def _compile_number(shape, sensitive, _key):
    return _scalar(_as_number(shape["type"]), None, shape, sensitive)


def _compile_boolean(shape, sensitive, _key):
    return _scalar(_as_boolean, None, shape, sensitive)


def _compile_blob(shape, sensitive, _key):
    # Constraints on a blob apply to the decoded bytes.
    return _scalar(_as_blob, len, shape, sensitive)


def _accept_anything(value):
    return None


def _compile_structure(shape, sensitive, key):
    if shape.get("document"):  # a Smithy document: any JSON at all
        return _Node(_accept_anything)
    required = set(shape.get("required", ()))
    # (json name, path segment, required, checker), in model member order.
    members: list[tuple[str, str, bool, Checker]] = []

    def check(value):
        if type(value) is not dict:
            raise _wrong("structure", value)
        if None in value.values():  # null = absent: the handler must not see the member
            for name in [name for name, item in value.items() if item is None]:
                del value[name]
        errors = None
        for name, segment, is_required, sub in members:
            item = value.get(name)
            if item is None:  # JSON null counts as absent
                if is_required:
                    errors = errors or []
                    errors.append([True, None, _NOT_NULL, [segment]])
                continue
            try:
                found = sub(item)
            except _WrongType as exc:
                exc.segments.append(name)
                raise
            if found:
                for record in found:
                    record[3].append(segment)
                errors = errors or []
                errors += found
        return errors

    # Register before compiling members so that recursive shapes terminate.
    node = _nodes[key] = _Node(check)
    for name, ref in shape["members"].items():
        members.append((name, _lower_first(name), name in required,
                        _node(key[0], ref["shape"], sensitive).check))
    return node


def _collection_tests(shape, sensitive):
    tests = _length_phrases(shape, "length")

    def check_size(value):
        n = len(value)
        return [_record(value, phrase, sensitive) for phrase, ok in tests if not ok(n)]
    return check_size


def _compile_list(shape, sensitive, key):
    check_size = _collection_tests(shape, sensitive)
    element = _node(key[0], shape["member"]["shape"], sensitive)
    sub = element.check
    scalar_phrase = null_phrase = None
    if element.phrases is not None:
        scalar_phrase = f"Member must satisfy constraint: [{', '.join(element.phrases)}]"
        null_phrase = f"Member must satisfy constraint: [{_NOT_NULL}]"

    def check(value):
        if type(value) is not list:
            raise _wrong("list", value)
        errors = check_size(value) or None
        element_failed = element_null = False
        for index, item in enumerate(value):
            if item is None:  # a list has no absent elements
                if null_phrase:  # reported once for the whole list
                    element_null = True
                else:
                    errors = errors or []
                    errors.append([True, None, _NOT_NULL, ["member", str(index + 1)]])
                continue
            try:
                found = sub(item)
            except _WrongType as exc:
                exc.segments.append(f"[{index}]")
                raise
            if not found:
                continue
            if scalar_phrase:  # reported once for the whole list
                element_failed = True
                continue
            for record in found:
                record[3] += ("member", str(index + 1))
            errors = errors or []
            errors += found
        if element_null:
            errors = (errors or []) + [_record(value, null_phrase, sensitive)]
        if element_failed:
            errors = (errors or []) + [_record(value, scalar_phrase, sensitive)]
        return errors

    return _Node(check)


def _compile_map(shape, sensitive, key):
    check_size = _collection_tests(shape, sensitive)
    key_node = _node(key[0], shape["key"]["shape"], sensitive)
    value_node = _node(key[0], shape["value"]["shape"], sensitive)
    key_check, value_check = key_node.check, value_node.check
    key_phrase = f"Map keys must satisfy constraint: [{', '.join(key_node.phrases or ())}]"
    value_phrase = null_phrase = None
    if value_node.phrases is not None:
        value_phrase = f"Map value must satisfy constraint: [{', '.join(value_node.phrases)}]"
        null_phrase = f"Map value must satisfy constraint: [{_NOT_NULL}]"

    def check(value):
        if type(value) is not dict:
            raise _wrong("map", value)
        errors = check_size(value) or None
        key_failed = value_failed = value_null = False
        nested = []
        for k, item in value.items():
            if key_check(k):  # JSON object keys are always strings
                key_failed = True
            if item is None:  # a map has no absent values
                if null_phrase:
                    value_null = True
                else:
                    nested.append([True, None, _NOT_NULL, ["member", k]])
                continue
            try:
                found = value_check(item)
            except _WrongType as exc:
                exc.segments.append(k)
                raise
            if not found:
                continue
            if value_phrase:
                value_failed = True
            else:
                for record in found:
                    record[3] += ("member", k)
                nested += found
        # Coral reports keys once and values once, keys first.
        if key_failed:
            errors = (errors or []) + [_record(value, key_phrase, sensitive)]
        if value_null:
            errors = (errors or []) + [_record(value, null_phrase, sensitive)]
        if value_failed:
            errors = (errors or []) + [_record(value, value_phrase, sensitive)]
        if nested:
            errors = (errors or []) + nested
        return errors

    return _Node(check)


_COMPILERS = {
    "structure": _compile_structure,
    "list": _compile_list,
    "map": _compile_map,
    "string": _compile_string,
    "integer": _compile_integer,
    "long": _compile_integer,
    "float": _compile_number,
    "double": _compile_number,
    "timestamp": _compile_number,  # JSON protocol: epoch seconds as a number
    "boolean": _compile_boolean,
    "blob": _compile_blob,
}


# ---------------------------------------------------------------- entry point

_validators: dict[tuple[str, str], Checker] = {}   # (service, operation) -> checker
# Building registers structure nodes before their members are filled in, so
# another thread must not pick up a half-built node: build under a lock.
_build_lock = threading.Lock()


def _validator(op_name: str, service: str) -> Checker:
    checker = _validators.get((service, op_name))
    if checker is None:
        if op_name not in load_model(service)["operations"]:
            raise ValidationFailure("UnknownOperationException", f"Unknown operation {op_name}")
        with _build_lock:
            shape = input_shape_name(op_name, service)
            checker = _node(service, shape).check if shape else _accept_anything
            _validators[(service, op_name)] = checker
    return checker


def _format(record: Record) -> str:
    missing, rendered, phrase, segments = record
    path = ".".join(reversed(segments))
    if missing:
        value = "null "
    elif rendered is None:  # sensitive: Coral leaves the value out
        value = ""
    else:
        value = f"'{rendered}' "
    return f"Value {value}at '{path}' failed to satisfy constraint: {phrase}"


def validate(op_name: str, params: object, service: str = SERVICE_NAME) -> None:
    """Check a decoded JSON request body for ``op_name`` of ``service``; raise
    ValidationFailure. Members of the model's structures whose value is null are removed
    from ``params`` (null counts as absent), so the handler reads only present values."""
    check = _validator(op_name, service)
    if type(params) is not dict:
        raise ValidationFailure(
            SERIALIZATION,
            f"Invalid type for request body: expected object, got {_json_type(params)}")
    try:
        errors = check(params)
    except _WrongType as exc:
        raise exc.failure() from None
    if errors:
        errors.sort(key=lambda record: not record[0])  # missing members first, else in order
        count = len(errors)
        raise ValidationFailure(
            CONSTRAINT_ERROR.get(service, "ValidationException"),
            f"{count} validation error{'s' if count > 1 else ''} detected: "
            + "; ".join(map(_format, errors)))
