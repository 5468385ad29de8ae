"""The ListUsers filter indexes (users.py, user_filter.index_of) on both store backends:
an index lookup answers exactly what Filter.matches would, and older data gets its entries."""
import pytest

from emulator.domain import user_filter, users
from emulator.store.memory import MemoryStore
from emulator.store.sqlite import SqliteStore

POOL = {"Id": "us-east-1_idx"}


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    s = MemoryStore() if request.param == "memory" else SqliteStore(str(tmp_path / "s.db"))
    yield s
    s.close()


def make(username, status="CONFIRMED", enabled=True, **attrs):
    return {"Username": username, "UserStatus": status, "Enabled": enabled,
            "Attributes": {"sub": f"sub-{username}", **attrs},
            "UserCreateDate": 0, "UserLastModifiedDate": 0}


PEOPLE = [make("ann", email="ann@example.com", given_name="Ann"),
          make("anna", email="Anna@example.org", given_name="Anna", status="FORCE_CHANGE_PASSWORD"),
          make("bert", email="bert@example.com", name="", enabled=False),
          make("carl", phone_number="+15550001", preferred_username="c")]
FILTERS = ['username = "ann"', 'username ^= "an"', 'username ^= ""', 'email ^= "an"',
           'email ^= "An"', 'email = "bert@example.com"', 'name = ""', 'name ^= ""',
           'cognito:user_status = "confirmed"', 'cognito:user_status ^= "FORCE"',
           'status = "Disabled"', 'status = "enabled"', 'sub = "sub-carl"',
           'phone_number ^= "+1555"', 'preferred_username = "c"', 'given_name ^= "Ann"',
           'family_name ^= ""']


@pytest.mark.parametrize("text", FILTERS)
def test_the_index_answers_what_the_filter_matches(store, text):
    for user in PEOPLE:
        users.create(store, POOL, dict(user))
    flt = user_filter.parse(text)
    found = {k for _, k, _ in users.list_filtered(store, POOL, flt)}
    assert found == {u["Username"] for u in PEOPLE if flt.matches(u)}


def test_a_save_moves_the_entries(store):
    user = make("dora", email="dora@example.com")
    users.create(store, POOL, dict(user))
    previous, user = user, {**user, "Attributes": {**user["Attributes"], "email": "d@x.org"}}
    users.save(store, POOL, user, previous=previous)
    by = lambda text: [k for _, k, _ in users.list_filtered(store, POOL, user_filter.parse(text))]  # noqa: E731
    assert by('email = "dora@example.com"') == [] and by('email = "d@x.org"') == ["dora"]
    users.delete(store, POOL, user)
    assert by('email ^= ""') == []


def test_users_written_before_the_indexes_get_them_at_start(store):
    for user in PEOPLE:  # as an older emulator left them: records without index entries
        store.put(users.KIND, POOL["Id"], user["Username"], user)
    flt = user_filter.parse('email ^= ""')
    assert users.list_filtered(store, POOL, flt) == []
    assert users.ensure_indexes(store, batch=2) == len(PEOPLE)
    assert [k for _, k, _ in users.list_filtered(store, POOL, flt)] == ["anna", "ann", "bert"]
    assert users.ensure_indexes(store) == 0  # once per INDEX_VERSION


def test_the_app_fills_the_indexes_of_an_older_data_directory(tmp_path):
    from emulator.app import create_app
    from emulator.config import Settings
    old = SqliteStore(str(tmp_path / "emulator.sqlite3"))
    for user in PEOPLE:
        old.put(users.KIND, POOL["Id"], user["Username"], user)
    old.close()
    app = create_app(Settings(data_dir=str(tmp_path), in_memory=False))
    try:
        flt = user_filter.parse('status = "Enabled"')
        found = users.list_filtered(app.state.emu.store, POOL, flt)
        assert [k for _, k, _ in found] == ["ann", "anna", "carl"]
    finally:
        app.state.emu.close()
