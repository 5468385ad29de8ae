"""One conformance suite, run against every storage backend."""
import sqlite3
import threading

import pytest

from emulator.store import AlreadyExists
from emulator.store.base import SCHEMA_VERSION, SnapshotError, prefix_end
from emulator.store.memory import MemoryStore
from emulator.store.postgres import PostgresStore
from emulator.store.sqlite import SchemaMismatch, SqliteStore
from tests.support.clients import requires


@pytest.fixture(params=["memory", "sqlite",
                        pytest.param("postgresql", marks=requires("postgresql"))])
def store(request, tmp_path):
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        s = PostgresStore(cluster.new_database())
        s.new_database = cluster.new_database  # for _another()
    else:
        s = MemoryStore() if request.param == "memory" else SqliteStore(str(tmp_path / "s.db"))
    yield s
    s.close()


def test_put_get_roundtrip_copies(store):
    value = {"a": [1, {"b": "ü"}]}
    store.put("k", "p", "x", value)
    got = store.get("k", "p", "x")
    assert got == value
    got["a"].append(2)  # mutating what we read must not change what is stored
    assert store.get("k", "p", "x") == value
    assert store.get("k", "p", "missing") is None
    assert store.get("k", "other", "x") is None


def test_insert_refuses_existing_key(store):
    store.insert("k", "p", "x", {"n": 1})
    with pytest.raises(AlreadyExists):
        store.insert("k", "p", "x", {"n": 2})
    assert store.get("k", "p", "x") == {"n": 1}


def test_list_is_ordered_and_paged(store):
    for key in ["b", "a", "d", "c", "a%", "a_"]:
        store.put("k", "p", key, {"key": key})
    store.put("k", "q", "z", {})
    keys = [k for k, _ in store.list("k", "p")]
    assert keys == sorted(keys) and len(keys) == 6
    assert [k for k, _ in store.list("k", "p", after="b")] == ["c", "d"]
    assert [k for k, _ in store.list("k", "p", limit=2)] == keys[:2]
    assert [k for k, _ in store.list("k", "p", prefix="a")] == ["a", "a%", "a_"]
    assert [k for k, _ in store.list("k", "p", prefix="a%")] == ["a%"]
    assert store.count("k", "p") == 6
    assert store.scopes("k") == ["p", "q"]


def test_delete_and_delete_scope(store):
    store.put("k", "p", "x", {})
    store.put("j", "p", "y", {})
    store.put("k", "q", "x", {})
    assert store.delete("k", "p", "x") is True
    assert store.delete("k", "p", "x") is False
    store.delete_scope("p")
    assert store.get("j", "p", "y") is None
    assert store.get("k", "q", "x") == {}


def test_transaction_rolls_back_everything(store):
    store.put("k", "p", "keep", {"v": 1})
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("k", "p", "keep", {"v": 2})
            store.insert("k", "p", "new", {})
            store.delete("k", "p", "keep")
            raise RuntimeError("boom")
    assert store.get("k", "p", "keep") == {"v": 1}
    assert store.get("k", "p", "new") is None


def test_nested_transaction_rolls_back_inner_only(store):
    with store.transaction():
        store.put("k", "p", "outer", {})
        with pytest.raises(AlreadyExists):
            with store.transaction():
                store.put("k", "p", "inner", {})
                store.insert("k", "p", "outer", {})
        assert store.get("k", "p", "inner") is None
    assert store.get("k", "p", "outer") == {}


def test_concurrent_inserts_one_winner(store):
    results = []
    barrier = threading.Barrier(8)

    def worker(i):
        barrier.wait()
        try:
            with store.transaction():
                store.insert("user", "p", "alice", {"by": i})
            results.append("ok")
        except AlreadyExists:
            results.append("exists")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["exists"] * 7 + ["ok"]


def test_wipe(store):
    store.put("k", "p", "x", {})
    store.wipe()
    assert store.get("k", "p", "x") is None


def test_sqlite_survives_reopen_and_versions_schema(tmp_path):
    path = str(tmp_path / "s.db")
    s = SqliteStore(path)
    s.put("pool", "", "us-east-1_abc", {"Name": "x"})
    s.close()
    s = SqliteStore(path)
    assert s.get("pool", "", "us-east-1_abc") == {"Name": "x"}
    assert s._conn.execute(
        "SELECT value FROM meta WHERE name='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    s._conn.execute("UPDATE meta SET value='999' WHERE name='schema_version'")
    s.close()
    with pytest.raises(SchemaMismatch):
        SqliteStore(path)


def test_suspended_lets_other_threads_work_and_rollback_still_undoes(store):
    store.put("k", "p", "shared", {"v": 0})
    other_done = threading.Event()

    def other():
        with store.transaction():
            store.put("k", "p", "other", {"by": "B"})
            assert store.get("k", "p", "mine") == {"by": "A"}  # A's work so far is visible
        other_done.set()

    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("k", "p", "mine", {"by": "A"})
            store.put("k", "p", "shared", {"v": 1})
            with store.suspended():
                t = threading.Thread(target=other)
                t.start()
                assert other_done.wait(5), "another thread's transaction was blocked"
                t.join()
            store.put("k", "p", "after", {})
            raise RuntimeError("A fails after waiting")
    assert store.get("k", "p", "mine") is None
    assert store.get("k", "p", "after") is None
    assert store.get("k", "p", "shared") == {"v": 0}
    assert store.get("k", "p", "other") == {"by": "B"}


def test_suspended_then_commit_keeps_everything(store):
    with store.transaction():
        store.put("k", "p", "a", {})
        with store.suspended():
            pass
        store.insert("k", "p", "b", {})
    assert store.get("k", "p", "a") == {} and store.get("k", "p", "b") == {}
    with store.suspended():  # outside a transaction: nothing to release
        store.put("k", "p", "c", {})
    assert store.get("k", "p", "c") == {}


def test_after_commit_runs_once_the_outermost_transaction_commits(store):
    ran = []
    store.after_commit(lambda: ran.append("now"))  # outside a transaction: at once
    assert ran == ["now"]
    with store.transaction():
        store.put("k", "p", "a", {})
        with store.transaction():
            store.after_commit(lambda: ran.append(("inner", store.get("k", "p", "a"))))
        with store.suspended():  # suspending commits work so far, but not the call
            pass
        store.after_commit(lambda: ran.append("outer"))
        assert ran == ["now"]
    assert ran == ["now", ("inner", {}), "outer"]


def test_after_commit_runs_outside_the_store_lock(store):
    seen = []

    def from_another_thread():
        t = threading.Thread(target=lambda: seen.append(store.get("k", "p", "a")))
        t.start()
        t.join(5)
        seen.append(t.is_alive())

    with store.transaction():
        store.put("k", "p", "a", {"v": 1})
        store.after_commit(from_another_thread)
    assert seen == [{"v": 1}, False]


def test_after_commit_is_dropped_with_what_rolls_back(store):
    ran = []
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.after_commit(lambda: ran.append("whole"))
            with store.suspended():
                pass
            raise RuntimeError("the call fails")
    with store.transaction():
        store.after_commit(lambda: ran.append("kept"))
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.after_commit(lambda: ran.append("inner, rolled back"))
                raise RuntimeError("an inner level fails")
    assert ran == ["kept"]
    with store.transaction():  # nothing left over from the failed ones
        pass
    assert ran == ["kept"]


def test_a_failing_after_commit_callback_does_not_stop_the_others(store, caplog):
    ran = []
    with store.transaction():
        store.after_commit(lambda: 1 / 0)
        store.after_commit(lambda: ran.append("second"))
    assert ran == ["second"]
    assert "after-commit callback failed" in caplog.text


# --- secondary indexes (put/insert index=..., list_by_index) ---------------------------------

def _by(store, name, **kw):
    return [(v, k) for v, k, _ in store.list_by_index("k", "p", name, **kw)]


def _people(store):
    for key, email in [("u3", "bob@x"), ("u1", "ann@x"), ("u2", "ann@x"), ("u4", "anna@y"),
                       ("u5", "b%_@x")]:
        store.put("k", "p", key, {"email": email}, index={"email": email, "n": key})
    store.put("k", "q", "u9", {"email": "ann@x"}, index={"email": "ann@x"})  # another scope
    store.put("j", "p", "u8", {"email": "ann@x"}, index={"email": "ann@x"})  # another kind


def test_index_equality_prefix_and_order(store):
    _people(store)
    assert _by(store, "email", value="ann@x") == [("ann@x", "u1"), ("ann@x", "u2")]
    assert _by(store, "email", prefix="ann") == [("ann@x", "u1"), ("ann@x", "u2"),
                                                  ("anna@y", "u4")]
    assert _by(store, "email", prefix="b%") == [("b%_@x", "u5")]  # no LIKE wildcards
    assert _by(store, "email") == [("ann@x", "u1"), ("ann@x", "u2"), ("anna@y", "u4"),
                                   ("b%_@x", "u5"), ("bob@x", "u3")]
    assert _by(store, "email", value="nobody") == [] and _by(store, "missing") == []
    _, key, record = store.list_by_index("k", "p", "email", value="anna@y")[0]
    assert (key, record) == ("u4", {"email": "anna@y"})
    record["email"] = "changed"  # a copy, as with get()
    assert store.get("k", "p", "u4") == {"email": "anna@y"}


def test_index_pages_continue_from_value_and_key(store):
    _people(store)
    first = _by(store, "email", prefix="", limit=2)
    assert first == [("ann@x", "u1"), ("ann@x", "u2")]
    second = _by(store, "email", prefix="", after=first[-1], limit=2)
    assert second == [("anna@y", "u4"), ("b%_@x", "u5")]
    assert _by(store, "email", prefix="", after=second[-1], limit=2) == [("bob@x", "u3")]
    assert _by(store, "email", value="ann@x", after=("ann@x", "u1")) == [("ann@x", "u2")]
    assert _by(store, "email", value="anna@y", after=("ann@x", "u9")) == [("anna@y", "u4")]
    assert _by(store, "email", value="ann@x", after=("anna@y", "u0")) == []
    assert _by(store, "email", prefix="an", after=("ann@x", "u2")) == [("anna@y", "u4")]


def test_control_characters_in_keys_and_index_values(store):
    """Any string is a key or an index value (an attribute value may hold U+0000), and order
    stays code-point order."""
    values = ["a", "a\x00", "a\x00\x01", "a\x01", "a\x01\x00", "a\x02", "\x00"]
    for n, v in enumerate(values):
        store.put("k", "p\x00", v, {"v": v}, index={"e\x00": v, "n": str(n)})
    assert [k for k, _ in store.list("k", "p\x00")] == sorted(values)
    assert [k for k, _ in store.list("k", "p\x00", prefix="a\x00")] == ["a\x00", "a\x00\x01"]
    assert [k for k, _ in store.list("k", "p\x00", after="a\x00\x01", limit=2)] == \
        ["a\x01", "a\x01\x00"]
    assert [v for v, _, _ in store.list_by_index("k", "p\x00", "e\x00")] == sorted(values)
    assert [k for _, k, _ in store.list_by_index("k", "p\x00", "e\x00", prefix="a\x01")] == \
        ["a\x01", "a\x01\x00"]
    found = store.list_by_index("k", "p\x00", "e\x00", value="a\x00\x01")
    assert found == [("a\x00\x01", "a\x00\x01", {"v": "a\x00\x01"})]
    assert store.scopes("k") == ["p\x00"] and store.count("k", "p\x00") == len(values)
    assert store.delete("k", "p\x00", "\x00") is True and store.get("k", "p\x00", "\x00") is None
    with pytest.raises(AlreadyExists):
        store.insert("k", "p\x00", "a\x01", {})


def test_index_entries_move_with_the_record(store):
    _people(store)
    store.put("k", "p", "u1", {"email": "zed@x"}, index={"email": "zed@x", "n": "u1"})
    assert _by(store, "email", value="ann@x") == [("ann@x", "u2")]
    assert _by(store, "email", value="zed@x") == [("zed@x", "u1")]
    store.put("k", "p", "u2", {"email": None}, index={"n": "u2"})  # entry dropped
    assert _by(store, "email", value="ann@x") == []
    store.put("k", "p", "u2", {})  # no index: no entries at all
    assert [k for _, k in _by(store, "n")] == ["u1", "u3", "u4", "u5"]
    assert store.delete("k", "p", "u3") is True
    assert _by(store, "email", prefix="b") == [("b%_@x", "u5")]
    store.delete_scope("p")
    assert _by(store, "email") == []
    assert store.list_by_index("k", "q", "email") != []
    store.wipe()
    assert store.list_by_index("k", "q", "email") == []


def test_index_rollback_leaves_no_entry(store):
    store.put("k", "p", "a", {}, index={"e": "1"})
    with pytest.raises(AlreadyExists):
        store.insert("k", "p", "a", {}, index={"e": "2"})
    assert _by(store, "e") == [("1", "a")]
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert("k", "p", "b", {}, index={"e": "0"})
            store.put("k", "p", "a", {}, index={"e": "9"})
            with store.transaction():  # re-entrant: one rollback takes both levels back
                store.delete("k", "p", "a")
                store.put("k", "p", "c", {}, index={"e": "3"})
            raise RuntimeError("boom")
    assert _by(store, "e") == [("1", "a")]


def test_index_inner_rollback_and_suspended_undo(store):
    store.put("k", "p", "a", {}, index={"e": "1"})
    with store.transaction():
        store.put("k", "p", "b", {}, index={"e": "2"})
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.put("k", "p", "a", {}, index={"e": "5"})
                store.insert("k", "p", "c", {}, index={"e": "6"})
                raise RuntimeError("inner")
        assert _by(store, "e") == [("1", "a"), ("2", "b")]
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("k", "p", "a", {}, index={"e": "7"})
            with store.suspended():  # what was written so far is committed ...
                pass
            store.delete("k", "p", "b")
            raise RuntimeError("fails after waiting")
    assert _by(store, "e") == [("1", "a"), ("2", "b")]  # ... and still undone


def test_prefix_end():
    assert prefix_end("ab") == "ac" and prefix_end("") is None
    assert prefix_end("a\U0010ffff") == "b" and prefix_end("\ud7ff") == "\ue000"


def test_sqlite_upgrades_a_version_1_file(tmp_path):
    import sqlite3
    path = str(tmp_path / "v1.db")
    c = sqlite3.connect(path)
    c.executescript("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    "INSERT INTO meta VALUES ('schema_version', '1');"
                    "CREATE TABLE records (kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT "
                    "NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, scope, key)) WITHOUT ROWID;"
                    "INSERT INTO records VALUES ('k', 'p', 'a', '{}');")
    c.commit()
    c.close()
    s = SqliteStore(path)
    assert s._conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone() \
        == (str(SCHEMA_VERSION),)
    assert s.get("k", "p", "a") == {} and s.list_by_index("k", "p", "e") == []
    s.put("k", "p", "a", {}, index={"e": "1"})  # the domain re-indexes what it had
    assert [k for _, k, _ in s.list_by_index("k", "p", "e", value="1")] == ["a"]
    s.close()


# --- snapshots --------------------------------------------------------------------------------

def _another(store, tmp_path, name: str):
    """A second, empty store of the same backend."""
    if isinstance(store, PostgresStore):
        return PostgresStore(store.new_database())
    return MemoryStore() if isinstance(store, MemoryStore) else SqliteStore(str(tmp_path / name))


def _everything(store) -> dict:
    return {"p": store.list("k", "p"), "q": store.list("k", "q"), "j": store.list("j", "p"),
            "email": _by(store, "email"), "n": _by(store, "n"), "scopes": store.scopes("k"),
            "count": store.count("k", "p")}


def test_snapshot_restore_brings_back_records_and_indexes(store, tmp_path):
    _people(store)
    before = _everything(store)
    store.snapshot(str(tmp_path / "snap"))
    store.put("k", "p", "new", {"email": "new@x"}, index={"email": "new@x", "n": "new"})
    store.put("k", "p", "u1", {"changed": True}, index={"email": "changed@x"})
    store.delete_scope("q")
    assert _everything(store) != before
    store.restore(str(tmp_path / "snap"))
    assert _everything(store) == before
    assert store.get("k", "p", "new") is None
    # The restored store is an ordinary one: writes, rollbacks and indexes go on working.
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("k", "p", "u1", {"n": "x"}, index={"email": "nowhere"})
            raise RuntimeError("boom")
    assert _everything(store) == before
    # And the same file loads into a second store of the backend.
    other = _another(store, tmp_path, "other.db")
    other.restore(str(tmp_path / "snap"))
    assert _everything(other) == before
    other.close()


def test_snapshot_is_consistent_while_another_thread_writes(store, tmp_path):
    """Each transaction writes a pair; every snapshot holds whole pairs only."""
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            with store.transaction():
                store.put("pair", "p", f"a{i:06d}", {"i": i}, index={"i": str(i)})
                store.put("pair", "p", f"b{i:06d}", {"i": i}, index={"i": str(i)})
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        files = []
        for n in range(5):
            while store.count("pair", "p") < 20 * (n + 1):  # polling: let the writer go on
                pass
            files.append(str(tmp_path / f"snap{n}"))
            store.snapshot(files[-1])
    finally:
        stop.set()
        thread.join()
    sizes = []
    for n, path in enumerate(files):
        copy = _another(store, tmp_path, f"copy{n}.db")
        copy.restore(path)
        keys = [k for k, _ in copy.list("pair", "p")]
        a = {k[1:] for k in keys if k[0] == "a"}
        assert a == {k[1:] for k in keys if k[0] == "b"} and a
        assert len(copy.list_by_index("pair", "p", "i")) == len(keys)
        sizes.append(len(keys))
        copy.close()
    assert sizes == sorted(sizes)


def test_restore_refuses_what_is_not_its_own_snapshot(store, tmp_path):
    store.put("k", "p", "x", {"v": 1})
    memory, sqlite = MemoryStore(), SqliteStore(str(tmp_path / "src.db"))
    memory.snapshot(str(tmp_path / "memory.snap"))
    sqlite.snapshot(str(tmp_path / "sqlite.snap"))
    sqlite.close()
    (tmp_path / "junk").write_text("not a snapshot")
    (tmp_path / "json").write_text('{"format": "something else"}')
    other = "sqlite.snap" if isinstance(store, MemoryStore) else "memory.snap"
    with pytest.raises(SnapshotError, match="loads only into the backend that wrote it"):
        store.restore(str(tmp_path / other))
    with pytest.raises(SnapshotError, match="no snapshot file"):
        store.restore(str(tmp_path / "missing"))
    with pytest.raises(SnapshotError, match="not an emulator snapshot"):
        store.restore(str(tmp_path / "junk"))
    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE t (x)")
    plain.close()
    with pytest.raises(SnapshotError, match="but not an emulator"):  # JSON or SQLite
        store.restore(str(tmp_path / ("json" if isinstance(store, MemoryStore) else "plain.db")))
    with pytest.raises(SnapshotError, match="no directory"):
        store.snapshot(str(tmp_path / "no" / "such" / "dir"))
    assert store.get("k", "p", "x") == {"v": 1}  # unchanged by every refusal
