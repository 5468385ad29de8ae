"""Handler specs: what a function name in the emulator's `functions:` maps to.

    path/to/file.py:handler     a Python file and the function in it (":handler" may be left out)
    package.module:function     a Python module found on the config folder, the current
                                directory or the emulator's own sys.path
    path/to/file.mjs            a Node.js file exporting `handler` (.js, .mjs or .cjs; CommonJS
    path/to/file.js:otherName   or ESM); ":name" picks another export
"""
import importlib.machinery
import importlib.util
import os
import re
import shutil
from dataclasses import dataclass

_NODE = re.compile(r"^(?P<path>.+\.(?:js|mjs|cjs))(?::(?P<name>[A-Za-z_$][\w$]*))?$")
_PY_FILE = re.compile(r"^(?P<path>.+\.py)(?::(?P<name>[A-Za-z_]\w*))?$")
_PY_MODULE = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<name>[A-Za-z_]\w*)$")

FORMS = "path/file.py:handler, module:function, or file.js / file.mjs"


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class Spec:
    kind: str                 # "python_file" | "python_module" | "node"
    handler: str              # function name (Python) or export name (Node)
    path: str | None = None   # absolute file, for python_file and node
    module: str | None = None  # dotted module, for python_module
    search_path: tuple = ()   # folders put first on sys.path (python_module)

    @property
    def text(self) -> str:
        """The normalised spec (absolute path), as it would be written in the config."""
        if self.kind == "python_module":
            return f"{self.module}:{self.handler}"
        return f"{self.path}:{self.handler}"

    @property
    def root(self) -> str | None:
        """The function's code folder (its working directory, like /var/task)."""
        return os.path.dirname(self.path) if self.path else None


def parse(spec: str, base_dir: str | None = None) -> Spec:
    """Parse a spec; relative paths are taken from base_dir (default: current directory)."""
    base_dir = os.path.abspath(base_dir or os.getcwd())
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError(f"expected a handler spec ({FORMS})")
    spec = spec.strip()
    if m := _NODE.match(spec):
        return Spec("node", m["name"] or "handler", path=_absolute(m["path"], base_dir))
    if m := _PY_FILE.match(spec):
        return Spec("python_file", m["name"] or "handler", path=_absolute(m["path"], base_dir))
    if m := _PY_MODULE.match(spec):
        search = tuple(dict.fromkeys([base_dir, os.getcwd()]))
        return Spec("python_module", m["name"], module=m["module"], search_path=search)
    raise SpecError(f"cannot tell how to run {spec!r} (expected {FORMS})")


def _absolute(path: str, base_dir: str) -> str:
    return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))


def check(spec: Spec) -> None:
    """Fail now, not at the first sign-in: the file exists, node is installed, the module's
    top-level package can be found (without importing it)."""
    if spec.path is not None and not os.path.isfile(spec.path):
        raise SpecError(f"file not found: {spec.path}")
    if spec.kind == "node" and shutil.which("node") is None:
        raise SpecError("needs Node.js, but `node` is not on PATH")
    if spec.kind == "python_module":
        top = spec.module.split(".", 1)[0]
        found = importlib.machinery.PathFinder.find_spec(top, list(spec.search_path))
        if found is None:
            try:
                found = importlib.util.find_spec(top)
            except (ImportError, ValueError):
                found = None
        if found is None:
            raise SpecError(f"module {top!r} not found in {', '.join(spec.search_path)} "
                            "or the emulator's Python path")


def resolve_all(functions: dict, base_dir: str | None = None) -> dict[str, str]:
    """Check every declared function and return the mapping with absolute paths.
    Raises SpecError naming the function."""
    if not isinstance(functions, dict):
        raise SpecError("functions: expected a mapping of function name to handler spec")
    resolved = {}
    for name, text in functions.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            raise SpecError(f"function {name!r}: a function name is 1-64 letters, digits, "
                            "'-' or '_'")
        try:
            spec = parse(text, base_dir)
            check(spec)
        except SpecError as exc:
            raise SpecError(f"function {name}: {exc}") from None
        resolved[name] = spec.text
    return resolved
