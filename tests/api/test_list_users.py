"""ListUsers: filters, AttributesToGet, Limit and PaginationToken, through boto3."""
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import attribute_list
from tests.support.factories import error as err


def names(response) -> list[str]:
    return [u["Username"] for u in response["Users"]]


@pytest.fixture
def people(cognito, pool_id):
    """Five users with a spread of attributes and states."""
    def add(username, **attrs):
        cognito.admin_create_user(UserPoolId=pool_id, Username=username,
                                  MessageAction="SUPPRESS", UserAttributes=attribute_list(**attrs))
    add("ann", email="ann@example.com", given_name="Ann", family_name="Lee",
        phone_number="+15550000001")
    add("anna", email="anna@example.org", given_name="Anna", family_name='O"Neil')
    add("bert", email="bert@example.com", given_name="Bert", preferred_username="b")
    add("carl", name="Carl Carlsson")
    add("dora", email="dora@example.com")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="bert",
                                    Password="Passw0rd!Strong", Permanent=True)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="dora")
    return pool_id


def list_(cognito, pool_id, **kw):
    return cognito.list_users(UserPoolId=pool_id, **kw)


def test_everyone_in_stable_order(cognito, people):
    everyone = names(list_(cognito, people))
    assert everyone == ["ann", "anna", "bert", "carl", "dora"]
    assert names(list_(cognito, people, Filter="")) == everyone
    user = list_(cognito, people)["Users"][0]
    assert set(user) == {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate",
                         "Enabled", "UserStatus"}


@pytest.mark.parametrize("flt, expected", [
    ('username = "ann"', ["ann"]),
    ('username ^= "ann"', ["ann", "anna"]),
    ('username = "ANN"', []),
    ('email = "bert@example.com"', ["bert"]),
    ('email ^= "an"', ["ann", "anna"]),
    ('email="dora@example.com"', ["dora"]),
    ('phone_number ^= "+1555"', ["ann"]),
    ('given_name = "Ann"', ["ann"]),
    ('family_name = "O\\"Neil"', ["anna"]),
    ('name ^= "Carl"', ["carl"]),
    ('preferred_username = "b"', ["bert"]),
    ('cognito:user_status = "CONFIRMED"', ["bert"]),
    ('cognito:user_status = "force_change_password"', ["ann", "anna", "carl", "dora"]),
    ('status = "Disabled"', ["dora"]),
    ('status = "Enabled"', ["ann", "anna", "bert", "carl"]),
    ('family_name = ""', []),
])
def test_filters(cognito, people, flt, expected):
    assert names(list_(cognito, people, Filter=flt)) == expected


def test_filter_by_sub(cognito, people):
    user = cognito.admin_get_user(UserPoolId=people, Username="carl")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert names(list_(cognito, people, Filter=f'sub = "{sub}"')) == ["carl"]


@pytest.mark.parametrize("flt, message", [
    ("username = ann", "Error while parsing filter."),
    ("username =", "Error while parsing filter."),
    ("username = 'ann'", "Error while parsing filter."),
    ('custom:team = "x"', "Invalid search attribute: custom:team"),
    ('locale = "en"', "Invalid search attribute: locale"),
])
def test_bad_filters(cognito, people, flt, message):
    with pytest.raises(ClientError) as info:
        list_(cognito, people, Filter=flt)
    assert err(info) == ("InvalidParameterException", message)


def test_attributes_to_get(cognito, people):
    users = list_(cognito, people, AttributesToGet=["email", "given_name"])["Users"]
    by_name = {u["Username"]: {a["Name"]: a["Value"] for a in u["Attributes"]} for u in users}
    assert by_name["ann"] == {"email": "ann@example.com", "given_name": "Ann"}
    assert by_name["carl"] == {}
    assert all(u["UserStatus"] for u in users)
    users = list_(cognito, people, AttributesToGet=[], Filter='username = "ann"')["Users"]
    assert users[0]["Attributes"] == []


def test_pagination(cognito, people):
    first = list_(cognito, people, Limit=2)
    assert names(first) == ["ann", "anna"] and first["PaginationToken"]
    second = list_(cognito, people, Limit=2, PaginationToken=first["PaginationToken"])
    assert names(second) == ["bert", "carl"]
    third = list_(cognito, people, Limit=2, PaginationToken=second["PaginationToken"])
    assert names(third) == ["dora"] and "PaginationToken" not in third
    exact = list_(cognito, people, Limit=5)
    assert len(exact["Users"]) == 5 and "PaginationToken" not in exact


def test_pagination_with_filter(cognito, people):
    page = list_(cognito, people, Limit=1, Filter='status = "Enabled"')
    seen = names(page)
    while "PaginationToken" in page:
        page = list_(cognito, people, Limit=1, Filter='status = "Enabled"',
                     PaginationToken=page["PaginationToken"])
        seen += names(page)
    assert seen == ["ann", "anna", "bert", "carl"]


def test_paginator(cognito, people):
    pages = cognito.get_paginator("list_users").paginate(UserPoolId=people,
                                                         PaginationConfig={"PageSize": 2})
    assert [u["Username"] for p in pages for u in p["Users"]] == \
        ["ann", "anna", "bert", "carl", "dora"]


def test_default_limit_is_60(cognito, pool_id):
    for i in range(61):
        cognito.admin_create_user(UserPoolId=pool_id, Username=f"u{i:03d}",
                                  MessageAction="SUPPRESS")
    page = list_(cognito, pool_id)
    assert len(page["Users"]) == 60 and page["PaginationToken"]
    rest = list_(cognito, pool_id, PaginationToken=page["PaginationToken"])
    assert names(rest) == ["u060"]


def test_bad_limit_and_token(cognito, people):
    with pytest.raises(ClientError) as info:
        list_(cognito, people, PaginationToken="not-a-token")
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        list_(cognito, people, Limit=61)
    assert err(info)[0] == "InvalidParameterException"


def test_unknown_pool(cognito):
    with pytest.raises(ClientError) as info:
        cognito.list_users(UserPoolId="us-east-1_Missing1")
    assert err(info) == ("ResourceNotFoundException",
                         "User pool us-east-1_Missing1 does not exist.")


def test_case_insensitive_pool_lists_names_as_created(cognito):
    pool_id = cognito.create_user_pool(
        PoolName="ci", UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]
    try:
        for name in ("Bob", "alice"):
            cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        assert names(list_(cognito, pool_id)) == ["alice", "Bob"]  # ordered by the key
        assert names(list_(cognito, pool_id, Filter='username = "Bob"')) == ["Bob"]
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)
