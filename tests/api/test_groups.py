"""Groups and membership through boto3, plus the precedence order tokens rely on."""
import pytest
from botocore.exceptions import ClientError

from emulator.domain import groups
from emulator.store.memory import MemoryStore
from tests.support.factories import error as err

ROLE = "arn:aws:iam::123456789012:role/editors"




def user(cognito, pool_id, name):
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")


def test_create_get_update_delete(cognito, pool_id, clock):
    clock.pin(1_800_000_000)
    created = cognito.create_group(UserPoolId=pool_id, GroupName="editors",
                                   Description="Edit things", RoleArn=ROLE, Precedence=5)["Group"]
    assert created["GroupName"] == "editors" and created["UserPoolId"] == pool_id
    assert created["Description"] == "Edit things" and created["RoleArn"] == ROLE
    assert created["Precedence"] == 5
    assert created["CreationDate"].timestamp() == 1_800_000_000
    assert created["LastModifiedDate"] == created["CreationDate"]
    assert cognito.get_group(UserPoolId=pool_id, GroupName="editors")["Group"] == created

    clock.advance(60)
    updated = cognito.update_group(UserPoolId=pool_id, GroupName="editors",
                                   Description="Edit more")["Group"]
    assert updated["Description"] == "Edit more"
    assert updated["Precedence"] == 5 and updated["RoleArn"] == ROLE  # untouched
    assert updated["LastModifiedDate"].timestamp() == 1_800_000_060
    assert updated["CreationDate"] == created["CreationDate"]

    cognito.delete_group(UserPoolId=pool_id, GroupName="editors")
    with pytest.raises(ClientError) as info:
        cognito.get_group(UserPoolId=pool_id, GroupName="editors")
    assert err(info) == ("ResourceNotFoundException", "Group not found.")


def test_minimal_group_has_no_optional_fields(cognito, pool_id):
    group = cognito.create_group(UserPoolId=pool_id, GroupName="plain")["Group"]
    assert set(group) == {"GroupName", "UserPoolId", "CreationDate", "LastModifiedDate"}


def test_group_exists(cognito, pool_id):
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(ClientError) as info:
        cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    assert err(info) == ("GroupExistsException", "A group with the name admins already exists.")
    # Group names are case sensitive; another pool may use the same name.
    cognito.create_group(UserPoolId=pool_id, GroupName="Admins")


def test_missing_group_and_pool(cognito, pool_id):
    user(cognito, pool_id, "amy")
    for call in (
            lambda: cognito.update_group(UserPoolId=pool_id, GroupName="nope", Precedence=1),
            lambda: cognito.delete_group(UserPoolId=pool_id, GroupName="nope"),
            lambda: cognito.list_users_in_group(UserPoolId=pool_id, GroupName="nope"),
            lambda: cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy",
                                                    GroupName="nope"),
            lambda: cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="amy",
                                                         GroupName="nope")):
        with pytest.raises(ClientError) as info:
            call()
        assert err(info) == ("ResourceNotFoundException", "Group not found.")
    with pytest.raises(ClientError) as info:
        cognito.create_group(UserPoolId="us-east-1_Missing1", GroupName="g")
    assert err(info) == ("ResourceNotFoundException",
                         "User pool us-east-1_Missing1 does not exist.")
    with pytest.raises(ClientError) as info:
        cognito.list_groups(UserPoolId="us-east-1_Missing1")
    assert err(info)[0] == "ResourceNotFoundException"


def test_membership(cognito, pool_id):
    for name in ("amy", "ben", "cat"):
        user(cognito, pool_id, name)
    for name in ("readers", "writers"):
        cognito.create_group(UserPoolId=pool_id, GroupName=name)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="ben", GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="writers")

    in_readers = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]
    assert [u["Username"] for u in in_readers] == ["amy", "ben"]
    assert in_readers[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {a["Name"] for a in in_readers[0]["Attributes"]} == {"sub"}
    amy = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="amy")["Groups"]
    assert [g["GroupName"] for g in amy] == ["readers", "writers"]
    assert amy[0]["UserPoolId"] == pool_id
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="cat")["Groups"] == []

    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="amy", GroupName="readers")
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="cat", GroupName="readers")
    assert [u["Username"] for u in cognito.list_users_in_group(
        UserPoolId=pool_id, GroupName="readers")["Users"]] == ["ben"]
    assert [g["GroupName"] for g in cognito.admin_list_groups_for_user(
        UserPoolId=pool_id, Username="amy")["Groups"]] == ["writers"]

    # Deleting a group ends its memberships.
    cognito.delete_group(UserPoolId=pool_id, GroupName="writers")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="amy")["Groups"] == []
    cognito.create_group(UserPoolId=pool_id, GroupName="writers")
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="writers")["Users"] == []


def test_membership_unknown_user(cognito, pool_id):
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    for call in (
            lambda: cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="ghost",
                                                    GroupName="g"),
            lambda: cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="ghost",
                                                         GroupName="g"),
            lambda: cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="ghost")):
        with pytest.raises(ClientError) as info:
            call()
        assert err(info) == ("UserNotFoundException", "User does not exist.")


def test_membership_by_alias_and_case(cognito):
    pool_id = cognito.create_user_pool(
        PoolName="g-email", UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]
    try:
        cognito.admin_create_user(UserPoolId=pool_id, Username="Dee@Example.com",
                                  MessageAction="SUPPRESS")
        cognito.create_group(UserPoolId=pool_id, GroupName="g")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="dee@example.com",
                                        GroupName="g")
        [member] = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="g")["Users"]
        groups_ = cognito.admin_list_groups_for_user(UserPoolId=pool_id,
                                                     Username=member["Username"])["Groups"]
        assert [g["GroupName"] for g in groups_] == ["g"]
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)


def test_list_groups_pagination(cognito, pool_id):
    for i in range(5):
        cognito.create_group(UserPoolId=pool_id, GroupName=f"g{i}", Precedence=10 - i)
    first = cognito.list_groups(UserPoolId=pool_id, Limit=2)
    assert [g["GroupName"] for g in first["Groups"]] == ["g0", "g1"] and first["NextToken"]
    seen = [g["GroupName"] for g in first["Groups"]]
    token = first["NextToken"]
    while token:
        page = cognito.list_groups(UserPoolId=pool_id, Limit=2, NextToken=token)
        seen += [g["GroupName"] for g in page["Groups"]]
        token = page.get("NextToken")
    assert seen == ["g0", "g1", "g2", "g3", "g4"]
    everything = cognito.list_groups(UserPoolId=pool_id)
    assert len(everything["Groups"]) == 5 and "NextToken" not in everything
    pages = cognito.get_paginator("list_groups").paginate(UserPoolId=pool_id,
                                                          PaginationConfig={"PageSize": 3})
    assert [g["GroupName"] for p in pages for g in p["Groups"]] == seen
    with pytest.raises(ClientError) as info:
        cognito.list_groups(UserPoolId=pool_id, NextToken="garbage")
    assert err(info)[0] == "InvalidParameterException"


def test_member_list_pagination(cognito, pool_id):
    cognito.create_group(UserPoolId=pool_id, GroupName="big")
    for i in range(5):
        user(cognito, pool_id, f"m{i}")
        cognito.create_group(UserPoolId=pool_id, GroupName=f"small{i}")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=f"m{i}", GroupName="big")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="m0",
                                        GroupName=f"small{i}")
    users = cognito.get_paginator("list_users_in_group").paginate(
        UserPoolId=pool_id, GroupName="big", PaginationConfig={"PageSize": 2})
    assert [u["Username"] for p in users for u in p["Users"]] == [f"m{i}" for i in range(5)]
    first = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="big", Limit=2)
    assert len(first["Users"]) == 2 and first["NextToken"]
    mine = cognito.get_paginator("admin_list_groups_for_user").paginate(
        UserPoolId=pool_id, Username="m0", PaginationConfig={"PageSize": 2})
    assert [g["GroupName"] for p in mine for g in p["Groups"]] == \
        ["big"] + [f"small{i}" for i in range(5)]


def test_deleting_pool_user_cleans_memberships(cognito, pool_id):
    user(cognito, pool_id, "eve")
    cognito.create_group(UserPoolId=pool_id, GroupName="g")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="eve", GroupName="g")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="eve")
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="g")["Users"] == []


# --- groups.for_user: the order of cognito:groups / cognito:roles ---------------------------

def test_for_user_orders_by_precedence_then_name():
    store = MemoryStore()
    pool = {"Id": "us-east-1_Test1"}
    member = {"Username": "zoe"}
    for name, precedence in (("b-none", None), ("a-none", None), ("high", 0), ("mid", 5),
                             ("mid-too", 5), ("low", 9), ("elsewhere", 1)):
        group = {"GroupName": name, "UserPoolId": pool["Id"]}
        if precedence is not None:
            group["Precedence"] = precedence
        groups.create(store, pool["Id"], group)
        if name != "elsewhere":
            groups.add_user(store, pool, name, member)
    ordered = [g["GroupName"] for g in groups.for_user(store, pool, member)]
    assert ordered == ["high", "mid", "mid-too", "low", "a-none", "b-none"]
    groups.remove_user(store, pool, member)
    assert groups.for_user(store, pool, member) == []
    assert groups.user_keys_in_group(store, pool["Id"], "high") == []
