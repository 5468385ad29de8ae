"""OAuth 2.0 resource servers and custom scopes through boto3 and the real server."""
import pytest
from botocore.exceptions import ClientError

from emulator.domain import resource_servers
from emulator.store.memory import MemoryStore
from tests.support.factories import error

MISSING_POOL = "us-east-1_nonexist0"
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read things"},
          {"ScopeName": "write", "ScopeDescription": "Write things"}]


def create(cognito, pool_id, identifier="https://api.example.com", name="api", scopes=SCOPES):
    return cognito.create_resource_server(UserPoolId=pool_id, Identifier=identifier, Name=name,
                                          Scopes=scopes)["ResourceServer"]


def test_create_and_describe(cognito, pool_id):
    server = create(cognito, pool_id)
    assert server == {"UserPoolId": pool_id, "Identifier": "https://api.example.com",
                      "Name": "api", "Scopes": SCOPES}
    described = cognito.describe_resource_server(UserPoolId=pool_id,
                                                 Identifier="https://api.example.com")
    assert described["ResourceServer"] == server


def test_scopes_are_optional(cognito, pool_id):
    server = cognito.create_resource_server(UserPoolId=pool_id, Identifier="bare",
                                            Name="bare")["ResourceServer"]
    assert server["Scopes"] == []


def test_identifier_is_unique_in_a_pool(cognito, pool_id, make_pool):
    create(cognito, pool_id)
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, name="again")
    assert error(exc)[0] == "InvalidParameterException"
    other = make_pool()
    assert create(cognito, other)["UserPoolId"] == other      # other pools are separate
    described = cognito.describe_resource_server(UserPoolId=pool_id,
                                                 Identifier="https://api.example.com")
    assert described["ResourceServer"]["Name"] == "api"


def test_duplicate_scope_names(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, scopes=[SCOPES[0], SCOPES[0]])
    assert error(exc)[0] == "InvalidParameterException"
    assert cognito.list_resource_servers(UserPoolId=pool_id,
                                         MaxResults=10)["ResourceServers"] == []


def test_model_constraints(cognito, pool_id):
    # A scope name may not contain '/' (model pattern), a description is required.
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, scopes=[{"ScopeName": "a/b", "ScopeDescription": "x"}])
    assert error(exc)[0] == "InvalidParameterException"
    assert "scopes.1.member.scopeName" in error(exc)[1]


def test_unknown_pool_and_server(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        create(cognito, MISSING_POOL)
    assert error(exc) == ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")
    for call in (
            lambda: cognito.describe_resource_server(UserPoolId=pool_id, Identifier="nope"),
            lambda: cognito.update_resource_server(UserPoolId=pool_id, Identifier="nope",
                                                   Name="n"),
            lambda: cognito.delete_resource_server(UserPoolId=pool_id, Identifier="nope")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "ResourceNotFoundException"


def test_update_replaces_name_and_scopes(cognito, pool_id):
    create(cognito, pool_id)
    updated = cognito.update_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com", Name="renamed",
        Scopes=[{"ScopeName": "admin", "ScopeDescription": "Everything"}])["ResourceServer"]
    assert updated["Name"] == "renamed"
    assert updated["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "Everything"}]
    cleared = cognito.update_resource_server(UserPoolId=pool_id,
                                             Identifier="https://api.example.com",
                                             Name="renamed")["ResourceServer"]
    assert cleared["Scopes"] == []       # left out -> back to the default (none)
    assert cognito.describe_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com")["ResourceServer"] == cleared


def test_delete(cognito, pool_id):
    create(cognito, pool_id)
    cognito.delete_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")
    with pytest.raises(ClientError) as exc:
        cognito.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_list_pages_in_identifier_order(cognito, pool_id):
    for identifier in ("c-api", "a-api", "e-api", "b-api", "d-api"):
        create(cognito, pool_id, identifier=identifier, name=identifier)
    first = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=2)
    assert [s["Identifier"] for s in first["ResourceServers"]] == ["a-api", "b-api"]
    second = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=2,
                                           NextToken=first["NextToken"])
    assert [s["Identifier"] for s in second["ResourceServers"]] == ["c-api", "d-api"]
    last = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=2,
                                         NextToken=second["NextToken"])
    assert [s["Identifier"] for s in last["ResourceServers"]] == ["e-api"]
    assert "NextToken" not in last
    everything = cognito.list_resource_servers(UserPoolId=pool_id)
    assert len(everything["ResourceServers"]) == 5 and "NextToken" not in everything
    paginator = cognito.get_paginator("list_resource_servers")
    pages = list(paginator.paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 3}))
    assert [len(p["ResourceServers"]) for p in pages] == [3, 2]


def test_list_max_results_bounds(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=51)
    assert error(exc)[0] == "InvalidParameterException"


def test_limit_per_pool(cognito, pool_id):
    for n in range(resource_servers.MAX_PER_POOL):
        create(cognito, pool_id, identifier=f"api-{n:02d}", scopes=[])
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, identifier="one-too-many")
    assert error(exc)[0] == "LimitExceededException"


def test_servers_go_with_their_pool(cognito, new_pool):
    pool_id = new_pool()["Id"]
    create(cognito, pool_id)
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as exc:
        cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=10)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_all_scopes_and_lookups():
    store = MemoryStore()
    resource_servers.create(store, "us-east-1_x", {"Identifier": "orders", "Name": "Orders",
                                                   "Scopes": SCOPES})
    resource_servers.create(store, "us-east-1_x", {"Identifier": "https://pay.example",
                                                   "Name": "Pay", "Scopes": [SCOPES[0]]})
    assert resource_servers.all_scopes(store, "us-east-1_x") == {
        "orders/read", "orders/write", "https://pay.example/read"}
    assert resource_servers.all_scopes(store, "us-east-1_other") == set()
    assert resource_servers.get(store, "us-east-1_x", "orders")["Name"] == "Orders"
    assert resource_servers.get(store, "us-east-1_x", "nope") is None
    assert [s["Identifier"] for s in resource_servers.list_for_pool(store, "us-east-1_x")] == \
        ["https://pay.example", "orders"]
