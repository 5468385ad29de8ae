"""What the passkey handlers and the registration helper share: the relying-party settings and
the credential store.

The store is a JSON file (env PASSKEY_STORE_FILE, default passkeys.json next to this file):

    {"users": {"<username>": [{"id": "<credential id, base64url>",
                               "publicKey": "<COSE public key, base64url>",
                               "signCount": 3, "transports": ["internal"],
                               "createdAt": 1767225600.0}]}}

It stands in for the DynamoDB table a deployment in AWS would use: Create and Verify run in
separate worker processes (separate Lambda functions in AWS), so they need a store outside
themselves. Credentials live outside the user pool on purpose: a custom attribute would also
work, but app clients may write custom attributes unless WriteAttributes says otherwise, and a
user who can write their own public key can sign in as themselves with any key - or worse.
"""
import contextlib
import fcntl
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The relying party: the site the passkey belongs to. A passkey made for RP_ID works on that
# host and its subdomains; ORIGINS are the exact pages allowed to run the ceremony.
RP_ID = os.environ.get("PASSKEY_RP_ID", "localhost")
RP_NAME = os.environ.get("PASSKEY_RP_NAME", "Passkey example")
ORIGINS = os.environ.get("PASSKEY_ORIGINS", "http://localhost:3000").split(",")
TIMEOUT_MS = 120_000  # how long the browser waits for the user; under the 3-minute auth session


def store_path() -> str:
    return os.environ.get("PASSKEY_STORE_FILE") or os.path.join(HERE, "passkeys.json")


def credentials(username: str) -> list[dict]:
    """The passkeys registered for this user (empty if none)."""
    return _read().get("users", {}).get(username, [])


def find(username: str, credential_id: str) -> dict | None:
    return next((c for c in credentials(username) if c["id"] == credential_id), None)


def add(username: str, credential: dict) -> None:
    with _locked():
        data = _read()
        data.setdefault("users", {}).setdefault(username, []).append(
            {**credential, "createdAt": time.time()})
        _write(data)


def record_use(username: str, credential_id: str, new_count: int) -> bool:
    """Store the counter of a verified assertion. False when another sign-in got there first
    with the same or a higher count (two sign-ins raced with one assertion: only one wins).
    A counter that stays 0 is allowed: many synced passkeys never count."""
    with _locked():
        data = _read()
        for credential in data.get("users", {}).get(username, []):
            if credential["id"] == credential_id:
                if new_count <= credential["signCount"] and new_count != 0:
                    return False
                credential["signCount"] = new_count
                credential["lastUsedAt"] = time.time()
                _write(data)
                return True
    return False


def _read() -> dict:
    try:
        with open(store_path(), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def _write(data: dict) -> None:
    # Write a new file and rename it over the old one: readers never see half a file.
    path = store_path()
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(temp, path)


@contextlib.contextmanager
def _locked():
    # Read-modify-write under an exclusive lock: several handler processes share the file.
    with open(store_path() + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
