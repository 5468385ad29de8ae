"""The expiry sweep (emulator/sweep.py) on every store backend: expired records of each kind
go, live ones stay, each transaction deletes a bounded batch, and the background thread runs
and stops with the emulator."""
import time
from pathlib import Path

import pytest

from emulator import sweep
from emulator.config import Settings
from emulator.service import Emulator
from emulator.store.base import EXPIRES, delete_expired, expiry_index
from emulator.store.memory import MemoryStore
from emulator.store.sqlite import SqliteStore

NOW = 1_700_000_000.0
EMULATOR = Path(__file__).resolve().parents[2] / "emulator"


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    s = MemoryStore() if request.param == "memory" else SqliteStore(str(tmp_path / "s.db"))
    yield s
    s.close()


def put(store, kind, scope, key, expires_at):
    store.put(kind, scope, key, {"expiresAt": expires_at}, index=expiry_index(expires_at))


def test_the_table_names_each_writers_kind():
    from emulator.auth import identity_saml, oauth_codes, passkeys
    from emulator.domain import auth_sessions, threats, user_sessions
    from emulator.domain.identity import credentials
    from emulator.domain.mock_idps import state as mock_idp_state
    from emulator.web import oidc_federation, saml_sso
    assert sweep.EXPIRING == (
        auth_sessions.KIND, oauth_codes.KIND, saml_sso.PENDING_KIND, saml_sso.LOGOUT_KIND,
        saml_sso.SEEN_KIND, identity_saml.SPENT_KIND, credentials.KIND, passkeys.REGISTRATION,
        user_sessions.SSO_KIND, oidc_federation.STATE_KIND, mock_idp_state.KIND, threats.KIND)
    writers = {p.relative_to(EMULATOR).as_posix() for p in EMULATOR.rglob("*.py")
               if "expiry_index(" in p.read_text()} - {"store/base.py"}
    assert writers == {"domain/auth_sessions.py", "auth/oauth_codes.py", "web/saml_sso.py",
                       "auth/identity_saml.py", "domain/identity/credentials.py",
                       "auth/passkeys.py", "domain/user_sessions.py",
                       "web/oidc_federation.py", "domain/mock_idps/state.py",
                       "domain/threats.py"}


def test_expiry_index_sorts_as_time_does():
    times = [99_999_999_999.5, 0, 5.25, 100, 1e9, NOW, NOW + 0.000001, -3]
    values = [expiry_index(t)[EXPIRES] for t in times]
    assert len({len(v) for v in values}) == 1  # fixed width
    assert sorted(values) == [expiry_index(t)[EXPIRES] for t in sorted(times)]


def test_delete_expired_takes_a_bounded_batch_earliest_first(store):
    for i in range(7):
        put(store, "k", "p", f"dead{i}", NOW - 100 + i)
    put(store, "k", "p", "due", NOW)             # expiresAt == now: expired, as readers see it
    for i in range(3):
        put(store, "k", "p", f"live{i}", NOW + 1 + i)
    put(store, "k", "q", "other-scope", NOW - 1000)
    store.put("k", "p", "unindexed", {"expiresAt": NOW - 1000})  # not filed: not found
    assert delete_expired(store, "k", "p", NOW, limit=3) == 3
    assert [k for k in ("dead0", "dead1", "dead2", "dead3") if store.get("k", "p", k)] == ["dead3"]
    assert delete_expired(store, "k", "p", NOW, limit=3) == 3
    assert delete_expired(store, "k", "p", NOW, limit=3) == 2   # dead6 and due, then live ones
    assert delete_expired(store, "k", "p", NOW, limit=3) == 0
    assert sorted(k for k, _ in store.list("k", "p")) == ["live0", "live1", "live2", "unindexed"]
    assert store.get("k", "q", "other-scope") is not None
    assert store.list_by_index("k", "p", EXPIRES)[0][1] == "live0"  # entries went with records


def test_delete_expired_rolls_back_with_an_outer_transaction(store):
    put(store, "k", "p", "dead", NOW - 1)
    with pytest.raises(RuntimeError):
        with store.transaction():
            assert delete_expired(store, "k", "p", NOW, limit=10) == 1
            raise RuntimeError("boom")
    assert store.get("k", "p", "dead") is not None
    assert len(store.list_by_index("k", "p", EXPIRES)) == 1


def test_sweep_takes_every_expiring_kind_in_every_scope(store):
    for kind in sweep.EXPIRING:
        for scope in ("", "us-east-1_AAAAAAAAA"):
            put(store, kind, scope, "dead", NOW - 1)
            put(store, kind, scope, "live", NOW + 60)
    store.put("user", "us-east-1_AAAAAAAAA", "alice", {"expiresAt": NOW - 1},
              index=expiry_index(NOW - 1))  # not an expiring kind: never swept
    assert sweep.sweep_expired(store, NOW) == {kind: 2 for kind in sweep.EXPIRING}
    for kind in sweep.EXPIRING:
        for scope in ("", "us-east-1_AAAAAAAAA"):
            assert store.get(kind, scope, "dead") is None
            assert store.get(kind, scope, "live") is not None
    assert store.get("user", "us-east-1_AAAAAAAAA", "alice") is not None
    assert sweep.sweep_expired(store, NOW) == {}


def test_sweep_deletes_in_batches_of_its_limit(store, monkeypatch):
    kind = sweep.EXPIRING[0]
    for i in range(5):
        put(store, kind, "p", f"dead{i}", NOW - 10 + i)
    put(store, kind, "p", "live", NOW + 10)
    batches = []

    def counted(*args, **kw):
        batches.append(delete_expired(*args, **kw))
        return batches[-1]
    monkeypatch.setattr(sweep, "delete_expired", counted)
    assert sweep.sweep_expired(store, NOW, limit=2) == {kind: 5}
    assert batches == [2, 2, 1]
    assert [k for k, _ in store.list(kind, "p")] == ["live"]


def test_the_background_sweeper_runs_and_stops_with_the_emulator():
    emu = Emulator(Settings(in_memory=True, sweep_interval=0.02))
    try:
        emu.clock.pin(NOW)
        kind = sweep.EXPIRING[0]
        put(emu.store, kind, "p", "dead", NOW - 1)
        put(emu.store, kind, "p", "live", NOW + 1)
        emu.start_sweeper()
        deadline = time.monotonic() + 10
        while emu.sweeper.runs < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert emu.store.get(kind, "p", "dead") is None
        assert emu.store.get(kind, "p", "live") is not None  # the emulator's clock decides
        assert emu.sweeper.runs >= 1
        thread = emu.sweeper._thread
    finally:
        emu.close()
    assert not thread.is_alive()


def test_no_sweeper_at_interval_zero():
    emu = Emulator(Settings(in_memory=True, sweep_interval=0))
    emu.start_sweeper()
    assert emu.sweeper is None
    emu.close()
