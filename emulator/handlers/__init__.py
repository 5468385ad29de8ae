"""Thin operation handlers, one module per Cognito concept. Importing a module registers its
operations."""
import importlib

MODULES = ["pools", "clients", "tags", "users", "groups", "auth", "selfservice", "tokens",
           "choice", "passkeys", "domains", "resource_servers", "branding", "mfa", "devices",
           "risk", "identity_providers", "federation", "log_delivery", "user_import",
           "terms", "user_sessions",
           "client_tokens", "provisioned_limits", "cimd", "pitr", "replicas",
           # the identity-pool service (cognito-identity)
           "identity.pools", "identity.roles", "identity.tags", "identity.identities",
           "identity.credentials"]


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
