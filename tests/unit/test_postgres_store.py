"""What only the PostgreSQL store has to show (the shared contract is test_store.py): its
schema version, its global transaction order across stores (each store here has its own
connection pool and thread lock, as a separate process would, so only the advisory lock
orders them), a race-free start, a one-line error for an unreachable database, and its own
snapshot file checks."""
import threading

import psycopg
import pytest

from emulator.store.base import SCHEMA_VERSION, SchemaMismatch, SnapshotError, StoreUnavailable
from emulator.store.postgres import PostgresStore
from emulator.store.snapshot_files import PG_HEADER
from tests.support.clients import requires

pytestmark = requires("postgresql")


def _version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
    return row[0] if row else ""


def test_survives_reopen_and_versions_its_schema(postgres_url):
    s = PostgresStore(postgres_url)
    s.put("pool", "", "us-east-1_abc", {"Name": "x", "z": 1, "a": 2})
    s.close()
    s = PostgresStore(postgres_url)
    got = s.get("pool", "", "us-east-1_abc")
    assert list(got) == ["Name", "z", "a"]  # member order kept (text, not jsonb)
    s.close()
    assert _version(postgres_url) == str(SCHEMA_VERSION)
    with psycopg.connect(postgres_url) as conn:
        conn.execute("UPDATE meta SET value='999' WHERE name='schema_version'")
    with pytest.raises(SchemaMismatch, match="newer than this emulator"):
        PostgresStore(postgres_url)


def test_stores_starting_at_once_create_the_schema_once(postgres_url):
    errors, stores = [], []
    barrier = threading.Barrier(6)

    def start():
        barrier.wait()
        try:
            stores.append(PostgresStore(postgres_url, max_connections=2))
        except Exception as exc:  # reported below: a race shows as a unique violation
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(stores) == 6
    stores[0].put("k", "p", "x", {})
    assert all(s.get("k", "p", "x") == {} for s in stores)
    for s in stores:
        s.close()
    assert _version(postgres_url) == str(SCHEMA_VERSION)


def test_read_check_write_is_serialised_across_stores(postgres_url):
    """Two stores (as two processes would), four threads each, incrementing one counter by
    read-then-write: without one global transaction order, updates would be lost."""
    stores = [PostgresStore(postgres_url), PostgresStore(postgres_url)]
    stores[0].put("counter", "", "n", {"n": 0})
    rounds = 25

    def worker(store):
        for _ in range(rounds):
            with store.transaction():
                n = store.get("counter", "", "n")["n"]
                store.put("counter", "", "n", {"n": n + 1})

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert stores[1].get("counter", "", "n") == {"n": 8 * rounds}
    for s in stores:
        s.close()


def test_one_winner_per_key_across_stores(postgres_url):
    stores = [PostgresStore(postgres_url), PostgresStore(postgres_url)]
    results = []
    barrier = threading.Barrier(8)

    def worker(i):
        store = stores[i % 2]
        barrier.wait()
        with store.transaction():
            if store.get("user", "p", "alice") is None:  # the domain's check, then insert
                store.insert("user", "p", "alice", {"by": i}, index={"email": "a@x"})
                results.append("created")
            else:
                results.append("taken")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["created"] + ["taken"] * 7
    assert len(stores[0].list_by_index("user", "p", "email")) == 1
    for s in stores:
        s.close()


def test_suspended_lets_another_store_write(postgres_url):
    a, b = PostgresStore(postgres_url), PostgresStore(postgres_url)
    done = threading.Event()

    def other():
        with b.transaction():
            b.put("k", "p", "b", {"saw": a.get("k", "p", "a")})
        done.set()

    with a.transaction():
        a.put("k", "p", "a", {"v": 1})
        with a.suspended():
            t = threading.Thread(target=other)
            t.start()
            assert done.wait(10), "the other store's transaction was blocked"
            t.join()
    assert a.get("k", "p", "b") == {"saw": {"v": 1}}
    a.close()
    b.close()


def test_reads_inside_a_transaction_see_its_writes_and_nothing_stale(postgres_url):
    """A transaction keeps what it read and wrote (one round trip less per repeated read):
    its own writes show, an inner rollback takes them back, and after suspended() what
    another store wrote meanwhile is read again, not remembered."""
    a, b = PostgresStore(postgres_url), PostgresStore(postgres_url)
    a.put("k", "p", "x", {"v": 1})
    with a.transaction():
        assert a.get("k", "p", "x") == {"v": 1}
        a.put("k", "p", "x", {"v": 2})
        assert a.get("k", "p", "x") == {"v": 2}
        got = a.get("k", "p", "x")
        got["v"] = 99                      # a caller's change to what it read stays its own
        assert a.get("k", "p", "x") == {"v": 2}
        with pytest.raises(RuntimeError):
            with a.transaction():
                a.delete("k", "p", "x")
                assert a.get("k", "p", "x") is None
                raise RuntimeError("inner")
        assert a.get("k", "p", "x") == {"v": 2}
        with a.suspended():
            b.put("k", "p", "x", {"v": 3})
        assert a.get("k", "p", "x") == {"v": 3}
    assert b.get("k", "p", "x") == {"v": 3}
    a.close()
    b.close()


def test_suspended_transactions_hold_no_connection(postgres_url):
    """Many sign-ins may wait on Lambda functions at once: more than the pool's size."""
    store = PostgresStore(postgres_url, max_connections=2)
    waiting = threading.Barrier(5, timeout=20)
    errors = []

    def sign_in(i):
        try:
            with store.transaction():
                store.put("k", "p", f"before{i}", {})
                with store.suspended():
                    waiting.wait()  # all five suspended at the same time
                store.put("k", "p", f"after{i}", {})
        except Exception as exc:  # reported below (a PoolTimeout or a broken barrier)
            errors.append(exc)

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and store.count("k", "p") == 10
    store.close()


def test_an_unreachable_database_is_one_clear_line(postgres_cluster):
    url = f"postgresql://postgres@127.0.0.1:{postgres_cluster.port}/no_such_database"
    with pytest.raises(StoreUnavailable) as caught:
        PostgresStore(url)
    message = str(caught.value)
    assert "\n" not in message and "no_such_database" in message
    assert message.startswith("cannot connect to postgresql://postgres@127.0.0.1:")


def test_list_by_index_is_a_range_scan(postgres_url):
    s = PostgresStore(postgres_url)
    with s.transaction():
        for i in range(300):
            s.put("k", "p", f"u{i:04d}", {}, index={"email": f"e{i:04d}"})
    with psycopg.connect(postgres_url) as conn:
        conn.execute("ANALYZE")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT i.value, i.key, r.value FROM index_entries i JOIN records r "
            "ON r.kind=i.kind AND r.scope=i.scope AND r.key=i.key WHERE i.kind='k' AND "
            "i.scope='p' AND i.name='email' AND (i.value, i.key) > ('e0100', 'u0100') "
            "ORDER BY i.value, i.key LIMIT 10").fetchall())
    assert "index_entries_pkey" in plan and "Sort" not in plan, plan
    assert [k for _, k, _ in s.list_by_index("k", "p", "email", after=("e0100", "u0100"),
                                             limit=3)] == ["u0101", "u0102", "u0103"]
    s.close()


def test_restore_refuses_a_snapshot_of_another_schema_version(postgres_url, tmp_path):
    s = PostgresStore(postgres_url)
    s.put("k", "p", "x", {"v": 1})
    s.snapshot(str(tmp_path / "snap"))
    assert (tmp_path / "snap").read_bytes().startswith(PG_HEADER)
    old = tmp_path / "old"
    old.write_bytes(PG_HEADER + b'{"schemaVersion":1}\n')
    with pytest.raises(SnapshotError, match="schema version 1"):
        s.restore(str(old))
    broken = tmp_path / "broken"
    broken.write_bytes(PG_HEADER + b'{"schemaVersion":%d}\n["k","p"]\n' % SCHEMA_VERSION)
    with pytest.raises(SnapshotError, match="malformed PostgreSQL-store snapshot"):
        s.restore(str(broken))
    assert s.get("k", "p", "x") == {"v": 1}
    s.restore(str(tmp_path / "snap"))
    assert s.list("k", "p") == [("x", {"v": 1})]
    s.put("k", "p\x00", "\x01\x00", {"v": "\x00"}, index={"e\x00": "\x00\x01"})
    s.snapshot(str(tmp_path / "control"))  # stored escaped (U+0000), written as it was
    assert b'"p\\u0000","\\u0001\\u0000"' in (tmp_path / "control").read_bytes()
    s.wipe()
    s.restore(str(tmp_path / "control"))
    assert s.list_by_index("k", "p\x00", "e\x00") == [("\x00\x01", "\x01\x00", {"v": "\x00"})]
    s.close()
