"""Thin operation handlers, one module per Cognito concept. Importing a module registers its ops."""
import importlib

MODULES = ["pools", "clients", "tags", "users", "groups", "auth", "selfservice", "tokens",
           "domains", "resource_servers", "branding"]


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    from ..auth import custom  # noqa: F401  registers CUSTOM_AUTH
