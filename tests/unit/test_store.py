"""One conformance suite, run against every storage backend."""
import threading

import pytest

from emulator.store import AlreadyExists
from emulator.store.memory import MemoryStore
from emulator.store.sqlite import SchemaMismatch, SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
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
        "SELECT value FROM meta WHERE name='schema_version'").fetchone() == ("1",)
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
