"""Rules that keep the suite able to fail, checked on its own source (tests/README.md says why).

- No quiet skips: a test that needs an outside program says so with
  tests/support/clients.requires(...), never with pytest.skip / importorskip / skipif of its
  own (REQUIRE_ALL=1 turns those into failures only when they go through the same hook).
- Every pytest.raises names what it expects: never Exception; a catch-all ClientError only
  when the test then reads the error (its code) from the `as` name. A 500 is a ClientError
  too, so a bare `pytest.raises(ClientError)` passes against a broken server.
- No sleeping as synchronisation: time.sleep only inside a polling loop.
"""
import ast
import fnmatch
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ALLOWED_SKIPS = {TESTS / "support" / "clients.py"}
CATCH_ALL = {"ClientError", "Exception", "BaseException"}


def sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def _name(node) -> str:
    """Dotted name of a Name/Attribute chain ("pytest.mark.skipif"), else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _name(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _where(path: Path, node) -> str:
    shown = path.relative_to(TESTS.parent) if path.is_relative_to(TESTS.parent) else path
    return f"{shown}:{node.lineno}"


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def skip_violations(path: Path, tree) -> list[str]:
    if path in ALLOWED_SKIPS:
        return []
    found = []
    for node in ast.walk(tree):
        name = _name(node.func) if isinstance(node, ast.Call) else _name(node)
        if name in ("pytest.skip", "pytest.importorskip", "pytest.mark.skipif",
                    "pytest.mark.skip", "pytest.xfail", "pytest.mark.xfail"):
            found.append(f"{_where(path, node)}: {name} (use tests/support/clients.requires)")
    return sorted(set(found))


def _raised(call: ast.Call) -> str:
    return _name(call.args[0]).rsplit(".", 1)[-1] if call.args else ""


def raises_violations(path: Path, tree) -> list[str]:
    found = []
    for function in _functions(tree):
        names_used_later: dict[str, int] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                names_used_later[node.id] = max(names_used_later.get(node.id, 0), node.lineno)
        for node in ast.walk(function):
            if not isinstance(node, ast.With):
                continue
            for item in node.items:
                call = item.context_expr
                if not (isinstance(call, ast.Call) and _name(call.func) == "pytest.raises"):
                    continue
                raised = _raised(call)
                if raised in ("Exception", "BaseException"):
                    found.append(f"{_where(path, node)}: pytest.raises({raised}) catches anything")
                    continue
                if raised not in CATCH_ALL or any(k.arg == "match" for k in call.keywords):
                    continue
                target = item.optional_vars
                if not isinstance(target, ast.Name) or \
                        names_used_later.get(target.id, 0) < node.lineno:
                    found.append(f"{_where(path, node)}: pytest.raises({raised}) without "
                                 "reading the error code afterwards")
    return found


def sleep_violations(path: Path, tree) -> list[str]:
    in_loop = set()
    for loop in ast.walk(tree):
        if isinstance(loop, (ast.While, ast.For)):
            in_loop.update(id(n) for n in ast.walk(loop))
    return [f"{_where(path, node)}: time.sleep outside a polling loop"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _name(node.func) == "time.sleep"
            and id(node) not in in_loop and path.name.startswith("test_")]


RULES = {"skips": skip_violations, "raises": raises_violations, "sleeps": sleep_violations}


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_holds_across_the_suite(rule):
    check = RULES[rule]
    found = []
    for path in sources():
        found += check(path, ast.parse(path.read_text(), str(path)))
    if found:
        pytest.fail(f"{len(found)} breaches of the {rule!r} rule:\n" + "\n".join(found),
                    pytrace=False)


@pytest.mark.parametrize("rule,source,bad", [
    ("skips", "import pytest\npytest.skip('x')\n", True),
    ("skips", "import pytest\nm = pytest.mark.skipif(True, reason='x')\n", True),
    ("skips", "from tests.support.clients import requires\nm = requires('node')\n", False),
    ("raises", "def t():\n    with pytest.raises(Exception):\n        f()\n", True),
    ("raises", "def t():\n    with pytest.raises(ClientError):\n        f()\n", True),
    ("raises", "def t():\n    with pytest.raises(ClientError) as e:\n        f()\n", True),
    ("raises", "def t():\n    with pytest.raises(ClientError) as e:\n        f()\n"
               "    assert error(e)[0] == 'X'\n", False),
    ("raises", "def t():\n    with pytest.raises(c.exceptions.UserNotFoundException):\n"
               "        f()\n", False),
    ("sleeps", "import time\ntime.sleep(1)\n", True),
    ("sleeps", "import time\nwhile not done():\n    time.sleep(0.01)\n", False),
])
def test_the_rules_catch_what_they_claim(rule, source, bad, tmp_path):
    path = tmp_path / "test_example.py"
    assert bool(RULES[rule](path, ast.parse(source))) is bad


def test_readme_maps_every_test_module():
    """tests/README.md's map names each test module (a glob such as api/test_risk_*.py
    counts), so a new file gets a place in it."""
    readme = (TESTS / "README.md").read_text()
    named = set(re.findall(r"`((?:[\w*]+/)*test_[\w*]+\.py)`", readme))
    modules = {str(p.relative_to(TESTS)) for p in TESTS.rglob("test_*.py")
               if "plugin_project" not in p.parts and "node_modules" not in p.parts}
    unmapped = sorted(m for m in modules if not any(fnmatch.fnmatch(m, n) for n in named))
    assert not unmapped, f"add to the map in tests/README.md: {unmapped}"
