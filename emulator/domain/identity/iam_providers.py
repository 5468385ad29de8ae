"""The IAM identity providers identity pools trust: OIDC providers and SAML providers, as the
config file's `iam:` section declares them (the emulator has no IAM).

    iam:
      oidc_providers:
        - url: https://login.example.com/realms/x   # http:// for loopback hosts only
          client_ids: [my-app]                       # IAM's ClientIDList (the audiences)
      saml_providers:
        - name: CorpIdP
          metadata_file: idp-metadata.xml            # relative to the config file
          # or metadata: "<EntityDescriptor ...>"

Each entry is an IAM provider of the emulator's account (settings.account_id):
`arn:aws:iam::<account>:oidc-provider/<url without https://>` and
`arn:aws:iam::<account>:saml-provider/<name>`, the ARNs an identity pool lists in
OpenIdConnectProviderARNs / SamlProviderARNs.

Kept in settings.extra["iam"] (like `risk:`), not in the store: the file is the only source
(there are no IAM operations here), it is read and checked once at start, and a store copy
would outlive an edit of the file on a data dir and vanish at /_emulator/reset. SAML metadata
is parsed at start, so a bad document stops the start naming the file.

Pure data and checks: no HTTP here (auth/identity_oidc.py fetches the issuer's keys).
"""
from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

from .. import hosts

EXTRA_KEY = "iam"
OIDC_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):oidc-provider/(\S+)")
SAML_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):saml-provider/([\w+=,.@-]+)")
_NAME = re.compile(r"[\w+=,.@-]{1,128}")  # IAM's SAML provider name pattern and length
_KEYS = {"oidc_providers", "saml_providers"}
_OIDC_KEYS = {"url", "client_ids", "thumbprints"}
_SAML_KEYS = {"name", "metadata_file", "metadata"}


class IamConfigError(ValueError):
    """The `iam:` section cannot be used; the message says which entry and why."""


def host_path(url: str) -> str:
    """The provider name: the issuer URL without its scheme and trailing slash (IAM's ARN
    suffix, the Logins key)."""
    return re.sub(r"^[a-zA-Z][\w+.-]*://", "", url).rstrip("/")


def from_config(section, base_dir: str) -> dict:
    """The `iam:` mapping checked -> {"oidc": {host/path: {url, client_ids}},
    "saml": {name: {name, source, metadata: IdpMetadata dict}}}. IamConfigError names the
    entry at fault."""
    from saml.errors import SamlError
    from saml.metadata import parse_idp_metadata

    if section is None:
        return {"oidc": {}, "saml": {}}
    if not isinstance(section, dict) or set(section) - _KEYS:
        raise IamConfigError("expected a mapping with 'oidc_providers' and/or 'saml_providers'")
    oidc: dict[str, dict] = {}
    for i, entry in enumerate(_list(section, "oidc_providers")):
        where = f"oidc_providers[{i}]"
        if not isinstance(entry, dict) or set(entry) - _OIDC_KEYS or "url" not in entry:
            raise IamConfigError(f"{where}: expected a mapping with 'url' and 'client_ids'")
        url = str(entry["url"]).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme == "http" and not hosts.is_loopback(parts.hostname or ""):
            raise IamConfigError(f"{where}: {url}: http:// is allowed for loopback hosts only "
                                 "(127.0.0.1, ::1, localhost); use https://")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment:
            raise IamConfigError(f"{where}: {url} is not an issuer URL (https://host/path)")
        client_ids = entry.get("client_ids") or []
        if not isinstance(client_ids, list) or not client_ids \
                or not all(isinstance(c, str) and c for c in client_ids):
            raise IamConfigError(f"{where}: client_ids: expected a non-empty list of client ids "
                                 "(the audiences IAM's ClientIDList holds)")
        name = host_path(url)
        if name in oidc:
            raise IamConfigError(f"{where}: {url} is declared twice")
        oidc[name] = {"url": url, "client_ids": list(client_ids)}
    saml: dict[str, dict] = {}
    for i, entry in enumerate(_list(section, "saml_providers")):
        where = f"saml_providers[{i}]"
        if not isinstance(entry, dict) or set(entry) - _SAML_KEYS or "name" not in entry \
                or ("metadata_file" in entry) == ("metadata" in entry):
            raise IamConfigError(f"{where}: expected a mapping with 'name' and either "
                                 "'metadata_file' or 'metadata'")
        name = str(entry["name"])
        if not _NAME.fullmatch(name):
            raise IamConfigError(f"{where}: {name!r} is not a valid IAM SAML provider name "
                                 "(1-128 of letters, digits and +=,.@_-)")
        if name in saml:
            raise IamConfigError(f"{where}: {name} is declared twice")
        if "metadata_file" in entry:
            source = os.path.join(base_dir, os.path.expanduser(str(entry["metadata_file"])))
            try:
                with open(source, "rb") as f:
                    document: bytes | str = f.read()
            except OSError as exc:
                raise IamConfigError(f"{where}: cannot read metadata_file {source}: "
                                     f"{exc.strerror or exc}") from None
        else:
            source, document = "metadata", str(entry["metadata"])
        try:
            parsed = parse_idp_metadata(document, now=time.time())
        except SamlError as err:
            raise IamConfigError(f"{where} ({name}): {source}: {err.message}") from None
        if not parsed.signing_certificates:
            raise IamConfigError(f"{where} ({name}): {source}: the metadata has no signing "
                                 "certificate")
        saml[name] = {"name": name, "source": source, "metadata": parsed.to_dict()}
    return {"oidc": oidc, "saml": saml}


def _list(section: dict, key: str) -> list:
    value = section.get(key) or []
    if not isinstance(value, list):
        raise IamConfigError(f"{key}: expected a list")
    return value


# --- lookups -----------------------------------------------------------------------------------

def _registry(settings) -> dict:
    return settings.extra.get(EXTRA_KEY) or {"oidc": {}, "saml": {}}


def oidc_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{host_path(url)}"


def saml_arn(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:saml-provider/{name}"


def oidc_provider(settings, arn: str) -> dict | None:
    """The registered OIDC provider an ARN names ({url, client_ids}), None when the emulator's
    account has none by that ARN."""
    match = OIDC_ARN.fullmatch(arn)
    if match is None or match.group(1) != settings.account_id:
        return None
    return _registry(settings)["oidc"].get(match.group(2).rstrip("/"))


def saml_provider(settings, arn: str) -> dict | None:
    """The registered SAML provider an ARN names ({name, source, metadata}), or None."""
    match = SAML_ARN.fullmatch(arn)
    if match is None or match.group(1) != settings.account_id:
        return None
    return _registry(settings)["saml"].get(match.group(2))


def fetches_keys(settings, logins) -> bool:
    """Whether a Logins map names a registered OIDC provider (its keys may be fetched over
    HTTP: the API runs such a call in a worker thread)."""
    oidc = _registry(settings)["oidc"]
    return bool(oidc) and isinstance(logins, dict) and any(name in oidc for name in logins)


def registered_arns(settings) -> list[str]:
    """Every registered provider's ARN (for messages and the docs)."""
    registry = _registry(settings)
    return ([oidc_arn(settings.account_id, p["url"]) for p in registry["oidc"].values()]
            + [saml_arn(settings.account_id, n) for n in registry["saml"]])
