"""Python handlers: `path/file.py:handler` or `module:function`, run by python_worker.py in
the emulator's own interpreter (so the packages of its environment are importable)."""
import json
import os
import sys

from .specs import Spec
from .workers import MEMORY_LIMIT_MB, Launcher

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python_worker.py")
RUNTIME = f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"


class PythonLauncher(Launcher):
    def __init__(self, name: str, spec: Spec):
        self.name = name
        self.spec = spec
        self.runtime = RUNTIME
        self.root = spec.root or os.getcwd()
        self.watch = spec.path

    def argv(self, fd: int) -> list[str]:
        config = {"function_name": self.name, "handler": self.spec.handler,
                  "memory_limit_mb": MEMORY_LIMIT_MB}
        if self.spec.kind == "python_file":
            config.update(path=self.spec.path, search_path=[self.root])
        else:
            config.update(module=self.spec.module, search_path=list(self.spec.search_path))
        return [sys.executable, "-u", WORKER, str(fd), json.dumps(config)]

    def env(self, region: str, log_stream: str, extra: dict | None = None) -> dict:
        env = super().env(region, log_stream, extra)
        env["PYTHONUNBUFFERED"] = "1"
        return env
