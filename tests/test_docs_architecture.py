"""docs/ARCHITECTURE.md stays true: every route the app serves and every kind of record the
store holds is named there (in backticks). Read from the code, not from a list kept here."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
STORE_CALLS = {"get", "put", "insert", "list", "delete", "count", "scopes"}


def _modules():
    for path in sorted((ROOT / "emulator").rglob("*.py")):
        yield path, ast.parse(path.read_text())


def _constants(tree) -> dict[str, str]:
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def store_kinds() -> set[str]:
    """First arguments of store calls (store.get(KIND, ...), delete_expired(store, KIND, ...)),
    resolved through the module's own constants or another module's (pools.KIND)."""
    modules = list(_modules())
    by_name = {path.stem: _constants(tree) for path, tree in modules}
    kinds = set()
    for _, tree in modules:
        local = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in STORE_CALLS and node.args:
                receiver = func.value
                if (receiver.attr if isinstance(receiver, ast.Attribute)
                        else getattr(receiver, "id", "")) != "store":
                    continue
                arg = node.args[0]
            elif getattr(func, "id", getattr(func, "attr", "")) == "delete_expired" \
                    and len(node.args) > 1:
                arg = node.args[1]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                kinds.add(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in local:
                kinds.add(local[arg.id])
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                found = by_name.get(arg.value.id, {}).get(arg.attr)
                if found:
                    kinds.add(found)
    return kinds


def routes() -> set[str]:
    """The paths the app really serves."""
    from emulator.app import create_app
    from emulator.config import Settings
    return {route.path for route in create_app(Settings(in_memory=True)).router.routes}


def named(text: str) -> bool:
    return f"`{text}`" in DOC or re.search(rf"`[^`]*{re.escape(text)}[^`]*`", DOC) is not None


def test_the_scan_finds_what_is_there():
    assert {"pool", "user", "auth_session", "message"} <= store_kinds()
    assert {"/oauth2/token", "/saml2/idpresponse"} <= routes()


def test_every_store_kind_is_in_the_architecture_page():
    missing = sorted(k for k in store_kinds() if not named(k))
    assert not missing, f"store kinds not named in docs/ARCHITECTURE.md: {missing}"


def test_every_route_is_in_the_architecture_page():
    missing = sorted(r for r in routes() if not named(r))
    assert not missing, f"routes not named in docs/ARCHITECTURE.md: {missing}"
