"""Expired records are reclaimed by a periodic sweep, not by scans inside requests.

Each writer of a record that expires files it under the store's expiry index
(`store.base.expiry_index` of its "expiresAt"); `EXPIRING` lists those kinds, by name: this
module sits under `service` (pyproject.toml's layers), so it imports none of the writers, and
tests/unit/test_sweep.py checks the names against theirs. `sweep_expired`
walks each kind's scopes (`store.scopes(kind)`: one query per kind and run, never inside a
request) and deletes what has expired, earliest first, in batches of `limit` records, one
transaction each, so a request waits behind at most one batch. Readers still treat an
expired record as absent on their own: the sweep only frees space, and how often it runs
changes no answer.

`Sweeper` is the background thread (`--sweep-interval SECONDS`, 0 = off), owned by
`service.Emulator`; `POST /_emulator/sweep` runs one sweep now (web/testing.py).
"""
from __future__ import annotations

import logging
import threading

from .store.base import delete_expired

log = logging.getLogger("emulator.sweep")
BATCH = 500  # records deleted per transaction

# Every kind written with expiry_index, read top to bottom.
EXPIRING = (
    "auth_session",              # challenge sessions (domain/auth_sessions.py)
    "oauth_code",                # authorization codes, 5 minutes (auth/oauth_codes.py)
    "saml_request",              # SP-initiated SAML sign-ins awaiting a response, 5 minutes
    "saml_logout",               # SAML logouts awaiting the IdP's answer, 5 minutes
    "saml_assertion",            # the user pools' SAML replay cache (all three: web/saml_sso.py)
    "identity_saml_assertion",   # the identity pools' SAML replay cache (auth/identity_saml.py)
    "identitycredentials",       # credentials issued (domain/identity/credentials.py)
    "webauthn_registration",     # passkey registrations never completed (auth/passkeys.py)
    "sso_session",               # hosted-UI (SSO) sessions (domain/user_sessions.py)
    "oidc_state",                # OIDC / social sign-ins at the provider (web/oidc_federation.py)
    "mock_idp",                  # the mock providers' codes and tokens (domain/mock_idps/state.py)
    "authevent",                 # threat-protection auth events, two years (domain/threats.py)
)


def sweep_expired(store, now: float, limit: int = BATCH) -> dict[str, int]:
    """Delete every record of the EXPIRING kinds whose "expiresAt" is <= now, at most
    `limit` per transaction; how many of each kind (kinds with none left out)."""
    deleted: dict[str, int] = {}
    for kind in EXPIRING:
        for scope in store.scopes(kind):
            while True:
                n = delete_expired(store, kind, scope, now, limit=limit)
                if n:
                    deleted[kind] = deleted.get(kind, 0) + n
                if n < limit:
                    break
    return deleted


class Sweeper:
    """A daemon thread that runs sweep_expired every `interval` seconds of real time; the
    emulator's clock (pinned or advanced by tests) says what has expired."""

    def __init__(self, emu, interval: float):
        self.interval = interval
        self.runs = 0
        self.last: dict[str, int] = {}
        self._emu = emu
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="expiry-sweep", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._emu.sync()  # the clock as another process on the store may have set it
                self.last = sweep_expired(self._emu.store, self._emu.clock.now())
            except Exception:
                log.exception("the expiry sweep failed")
            self.runs += 1

    def stop(self) -> None:
        """Stop the thread; a sweep under way finishes its batch first."""
        self._stop.set()
        self._thread.join(timeout=30)
