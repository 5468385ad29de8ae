"""Node.js handlers: `file.js` / `file.mjs` / `file.cjs` exporting `handler` (or `file.js:name`),
CommonJS or ESM, async or callback style, run by node_worker.mjs under `node` from PATH."""
import os
import shutil
import subprocess

from .errors import LambdaError
from .specs import Spec
from .workers import MEMORY_LIMIT_MB, Launcher

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_worker.mjs")
_runtime: str | None = None


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise LambdaError("invoke_failed", "Node.js functions need `node` on PATH")
    return node


def _node_runtime(node: str) -> str:
    """AWS_EXECUTION_ENV as Lambda spells it, e.g. AWS_Lambda_nodejs20.x."""
    global _runtime
    if _runtime is None:
        try:
            version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip().lstrip("v")
            _runtime = f"AWS_Lambda_nodejs{version.split('.')[0]}.x"
        except (OSError, subprocess.SubprocessError):
            _runtime = "AWS_Lambda_nodejs"
    return _runtime


class NodeLauncher(Launcher):
    def __init__(self, name: str, spec: Spec):
        self.name = name
        self.spec = spec
        self.node = _node()
        self.runtime = _node_runtime(self.node)
        self.root = spec.root
        self.watch = spec.path

    def argv(self, fd: int) -> list[str]:
        # A V8 heap limit: a leaking handler crashes its worker, not the machine.
        return [self.node, f"--max-old-space-size={MEMORY_LIMIT_MB}", WORKER, str(fd),
                self.spec.path, self.spec.handler]
