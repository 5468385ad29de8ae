"""Hostile input never breaks the JSON API: every operation the emulator serves, fuzzed from the
botocore model (tests/support/fuzz.py), answers 2xx or a 4xx JSON error with `__type` and
x-amzn-ErrorType; never a 5xx, a non-JSON body or a hang. A witness pool whose ids the fuzzer
never sees is unchanged afterwards, and the fuzzed pool still reads back whole.

Also the protocol around the JSON: missing and wrong X-Amz-Target, wrong content types,
pipelined requests, a client sending a byte at a time, a body shorter than its Content-Length,
100,000 nested arrays.

CI runs a small fixed-seed sample; `scripts/fuzz --budget 600` runs longer (docs/FUZZING.md).
"""
from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from emulator.api.body import NOT_JSON
from tests.support import fuzz
from tests.support.factories import PASSWORD, unique_name
from tests.support.fuzz import Api, Target, list_all

OPERATIONS = fuzz.served_operations()
EXAMPLES = 25            # per operation and round (CI: one round)
TARGET_PREFIX, SIGNED = fuzz.TARGET_PREFIX, fuzz.SIGNED
BODY_TIMEOUT = 2         # seconds the server waits for a body's missing bytes (env below)
TALLY = fuzz.Tally("api")


@pytest.fixture(scope="module")
def fuzz_server():
    with fuzz.own_server(TALLY, BODY_TIMEOUT) as running:
        yield running


@pytest.fixture(scope="module")
def api(fuzz_server):
    client = Api(fuzz_server, TALLY)
    yield client
    client.http.close()


# ---------------------------------------------------------------- the witness pool


def witness_snapshot(api: Api, pool_id: str, client_id: str) -> dict:
    """Everything readable about the witness pool."""
    snap = {"pool": api.call("DescribeUserPool", UserPoolId=pool_id),
            "client": api.call("DescribeUserPoolClient", UserPoolId=pool_id, ClientId=client_id),
            "users": list_all(api, "ListUsers", "Users", "PaginationToken", UserPoolId=pool_id),
            "groups": list_all(api, "ListGroups", "Groups", "NextToken", UserPoolId=pool_id),
            "clients": list_all(api, "ListUserPoolClients", "UserPoolClients", "NextToken",
                            UserPoolId=pool_id, MaxResults=60),
            "servers": list_all(api, "ListResourceServers", "ResourceServers", "NextToken",
                            UserPoolId=pool_id, MaxResults=50),
            "tags": api.call("ListTagsForResource", ResourceArn=api.call(
                "DescribeUserPool", UserPoolId=pool_id)["UserPool"]["Arn"])}
    for user in snap["users"]:
        name = user["Username"]
        snap[f"user {name}"] = api.call("AdminGetUser", UserPoolId=pool_id, Username=name)
        snap[f"groups of {name}"] = api.call("AdminListGroupsForUser", UserPoolId=pool_id,
                                             Username=name)
    for group in snap["groups"]:
        snap[f"members of {group['GroupName']}"] = list_all(
            api, "ListUsersInGroup", "Users", "NextToken", UserPoolId=pool_id,
            GroupName=group["GroupName"])
    return snap


@pytest.fixture(scope="module")
def witness(api):
    """A pool the fuzzer never learns the ids of: (pool id, client id, its snapshot)."""
    call = api.call
    pool_id = call("CreateUserPool", PoolName=unique_name("witness"),
                   UserPoolTags={"team": "qa"})["UserPool"]["Id"]
    client_id = call("CreateUserPoolClient", UserPoolId=pool_id, ClientName="witness",
                     GenerateSecret=True)["UserPoolClient"]["ClientId"]
    for name in ("carol", "dave", "erin"):
        call("AdminCreateUser", UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
             UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    call("AdminSetUserPassword", UserPoolId=pool_id, Username="carol", Password=PASSWORD,
         Permanent=True)
    call("AdminDisableUser", UserPoolId=pool_id, Username="erin")
    call("CreateGroup", UserPoolId=pool_id, GroupName="staff", Precedence=1)
    call("AdminAddUserToGroup", UserPoolId=pool_id, GroupName="staff", Username="carol")
    call("CreateResourceServer", UserPoolId=pool_id, Identifier="https://witness.example",
         Name="witness", Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    return pool_id, client_id, witness_snapshot(api, pool_id, client_id)


@pytest.fixture(scope="module")
def target(api):
    return Target(api)


def assert_witness_untouched(api: Api, witness) -> None:
    pool_id, client_id, before = witness
    after = witness_snapshot(api, pool_id, client_id)
    assert after == before, "the witness pool changed"


# ---------------------------------------------------------------- fuzzing every operation

SHARE = fuzz.BUDGET * 0.75 / len(OPERATIONS)   # seconds per operation in a long run


@pytest.mark.parametrize("op", OPERATIONS)
def test_operation_answers_hostile_bodies_with_4xx(op, api, target, witness):
    target.ensure()

    for round_seed in fuzz.rounds(SHARE):
        @fuzz.fuzz_settings(EXAMPLES)
        @hypothesis_seed(round_seed)
        @given(body=fuzz.request_bodies(op, target.seeds), encoding=fuzz.encodings())
        def answers_well(body, encoding):
            api.post(op, fuzz.encode(body, encoding))

        answers_well()
    TALLY.assert_clean()
    TALLY.state_intact(target.check_whole)
    TALLY.state_intact(lambda: assert_witness_untouched(api, witness))


def test_raw_bodies_answer_serialization_errors(api, witness):
    """Bytes that are not a request body, or only just: 4xx JSON (or a 2xx for what is a
    valid body after all), every operation."""
    for round_seed in fuzz.rounds(fuzz.BUDGET * 0.05):
        @fuzz.fuzz_settings(60)
        @hypothesis_seed(round_seed)
        @given(body=fuzz.raw_bodies(), op=st.sampled_from(OPERATIONS))
        def answers_well(body, op):
            api.post(op, body)

        answers_well()
    TALLY.assert_clean()
    TALLY.state_intact(lambda: assert_witness_untouched(api, witness))


# ---------------------------------------------------------------- the regressions of issue #16


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["__type"], body["message"]


def call_raw(api: Api, op: str, **params) -> httpx.Response:
    return api.post(op, json.dumps(params).encode())


def test_get_device_without_an_access_token_is_refused(api, target):
    """Was a KeyError (500): AccessToken is optional in GetDevice's model."""
    response = call_raw(api, "GetDevice", DeviceKey="us-east-1_" + "0" * 36)
    assert error_of(response) == (400, "NotAuthorizedException", "Invalid Access Token")


@pytest.mark.parametrize("op, params", [
    ("ListResourceServers", {"MaxResults": None, "NextToken": None}),
    ("ListUsers", {"Limit": None, "AttributesToGet": None, "Filter": None,
                   "PaginationToken": None}),
    ("ListGroups", {"Limit": None, "NextToken": None}),
    ("ListUserPoolClients", {"MaxResults": None}),
    ("AdminCreateUser", {"Username": None, "MessageAction": "SUPPRESS",
                         "UserAttributes": None, "ValidationData": None,
                         "TemporaryPassword": None, "DesiredDeliveryMediums": None,
                         "ForceAliasCreation": None, "ClientMetadata": None}),
])
def test_null_optional_members_are_absent(api, target, op, params):
    """Were 500s (`None + int`, `None.split`, None iterated): null means absent."""
    target.ensure()
    if op == "AdminCreateUser":
        params = {**params, "Username": unique_name("nulls")}
    assert call_raw(api, op, UserPoolId=target.pool_id, **params).status_code == 200


def test_add_custom_attributes_with_null_members(api, target):
    target.ensure()
    ok = call_raw(api, "AddCustomAttributes", UserPoolId=target.pool_id, CustomAttributes=[
        {"Name": unique_name("n")[:20], "AttributeDataType": "String", "Mutable": None,
         "StringAttributeConstraints": None, "NumberAttributeConstraints": None}])
    assert ok.status_code == 200
    refused = call_raw(api, "AddCustomAttributes", UserPoolId=target.pool_id,
                       CustomAttributes=[None])
    assert error_of(refused) == (
        400, "InvalidParameterException", "1 validation error detected: Value null at "
        "'customAttributes.1.member' failed to satisfy constraint: Member must not be null")


def test_utf8_encoded_surrogates_are_not_utf8(api):
    """Was a 500: json.loads let CESU-8 surrogates through, and the error message echoing
    them could not be written."""
    response = api.post("AdminGetUser", b'{"UserPoolId": "\xed\xa0\x80", "Username": "x"}')
    assert error_of(response) == (400, "SerializationException", NOT_JSON)


def test_deeply_nested_body_is_a_serialization_error(api):
    response = api.post("ListUserPools", fuzz.nested(100_000))
    assert error_of(response) == (400, "SerializationException",
                                  "Request body is nested deeper than 100 levels.")


def test_nesting_at_the_limit_is_read(api):
    """100 levels (the limit) is read; 101 is refused."""
    inside = fuzz.deep(99, 1)  # the body object is level 1, the lists 2 to 100
    ok = api.post("ListUserPools", json.dumps({"MaxResults": 5, "Bogus": inside}).encode())
    assert ok.status_code == 200
    refused = api.post("ListUserPools",
                       json.dumps({"MaxResults": 5, "Bogus": [inside]}).encode())
    assert error_of(refused)[:2] == (400, "SerializationException")


@pytest.mark.parametrize("body", [b'{"MaxResults": NaN}', b'{"MaxResults": Infinity}',
                                  b'{"MaxResults": -Infinity}'])
def test_nan_and_infinity_are_not_json(api, body):
    assert error_of(api.post("ListUserPools", body)) == (400, "SerializationException", NOT_JSON)


def test_a_5000_digit_number_is_a_serialization_error(api):
    response = api.post("ListUserPools", b'{"MaxResults": ' + b"9" * 5000 + b"}")
    assert error_of(response) == (400, "SerializationException", NOT_JSON)


# ---------------------------------------------------------------- the protocol around the JSON

LIST_POOLS = b'{"MaxResults": 5}'


def api_request(body: bytes = LIST_POOLS, target: str | bytes | None = "ListUserPools",
                content_length: int | None = None, **headers) -> bytes:
    sent: dict = {"Content-Type": "application/x-amz-json-1.1", **SIGNED}
    if target is not None:
        sent["X-Amz-Target"] = (target if isinstance(target, bytes)
                                else (TARGET_PREFIX + target).encode())
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    return fuzz.http_request("POST", "/", body, sent, content_length=content_length)


def raw_answer(api: Api, request: bytes) -> tuple[int, dict, dict]:
    """Send one request on its own connection: (status, headers, JSON body), checked as
    every API answer is."""
    with fuzz.RawConnection(api.server.url) as conn:
        conn.send(request)
        status, headers, body = conn.response()
    api.check("raw", request, httpx.Response(status, headers=headers, content=body))
    return status, headers, json.loads(body)


def test_no_target_is_an_unknown_operation(api):
    status, _, body = raw_answer(api, api_request(target=None))
    assert (status, body["__type"], body["message"]) == (
        400, "UnknownOperationException", "Unknown operation (no X-Amz-Target header).")


@pytest.mark.parametrize("target", [
    b"", b".", b"AWSCognitoIdentityProviderService.", b"AWSCognitoIdentityProviderService.Nope",
    b"DynamoDB_20120810.ListTables", b"awscognitoidentityproviderservice.ListUserPools",
    b"AWSCognitoIdentityProviderService.ListUserPools.", b"AWSCognitoIdentityProviderService." +
    b"A" * 4000, b"AWSCognitoIdentityProviderService.ListUserPools\xff",
    b"AWSCognitoIdentityProviderService.ListUser\xc3\xa9Pools"])
def test_wrong_targets_are_unknown_operations(api, target):
    status, _, body = raw_answer(api, api_request(target=target))
    assert (status, body["__type"]) == (400, "UnknownOperationException")


def test_every_operation_of_the_model_is_served(api):
    """Since the replicas (issue #17) no operation of the model answers
    NotImplementedException: each one is fuzzed above."""
    assert sorted(set(fuzz.model.operation_names()) - set(OPERATIONS)) == []


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "application/json", "application/x-amz-json-1.0",
    "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
    "application/x-amz-json-1.1; charset=utf-16", "\xff\xfe"])
def test_any_content_type_gets_a_json_answer(api, content_type):
    """The emulator reads the body as JSON 1.1 whatever the Content-Type says (botocore always
    sends application/x-amz-json-1.1)."""
    sent = {"X-Amz-Target": TARGET_PREFIX + "ListUserPools", **SIGNED}
    if content_type is not None:
        sent["Content-Type"] = content_type.encode("latin-1")
    status, _, body = raw_answer(api, fuzz.http_request("POST", "/", LIST_POOLS, sent))
    assert status == 200 and "UserPools" in body


def test_pipelined_requests_are_answered_in_order(api):
    """Three requests written at once on one connection: three answers, in order."""
    with fuzz.RawConnection(api.server.url) as conn:
        conn.send(api_request() + api_request(b'{"UserPoolId": "us-east-1_nope"}',
                                              "DescribeUserPool") + api_request(b"{"))
        answers = [conn.response() for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 400, 400]
    assert [json.loads(body).get("__type") for _, _, body in answers] == [
        None, "ResourceNotFoundException", "SerializationException"]


def test_a_client_sending_a_byte_at_a_time_holds_up_no_one(api):
    """Between every two bytes of one client's request another client is answered; the slow
    client gets its answer at the end."""
    request = api_request()
    with fuzz.RawConnection(api.server.url) as slow:
        for i in range(len(request)):
            slow.send(request[i:i + 1])
            if i % 16 == 0:
                assert api.post("ListUserPools", LIST_POOLS).status_code == 200
        status, _, body = slow.response()
    assert status == 200 and "UserPools" in json.loads(body)


def test_a_body_shorter_than_its_content_length_times_out(api):
    """uvicorn waits for ever for the missing bytes; the emulator answers 408 after
    --body-timeout (here 2 s), and answers others meanwhile."""
    with fuzz.RawConnection(api.server.url, timeout=BODY_TIMEOUT + 20) as stalled:
        stalled.send(api_request(content_length=len(LIST_POOLS) + 100))
        assert api.post("ListUserPools", LIST_POOLS).status_code == 200
        status, headers, body = stalled.response()
    api.check("stalled", LIST_POOLS, httpx.Response(status, headers=headers, content=body))
    assert (status, json.loads(body)["__type"]) == (408, "RequestTimeoutException")


def test_a_client_hanging_up_mid_body_breaks_nothing(api):
    with fuzz.RawConnection(api.server.url) as gone:
        gone.send(api_request(content_length=len(LIST_POOLS) + 100))
    assert api.post("ListUserPools", LIST_POOLS).status_code == 200


def test_a_huge_header_is_just_a_header(api):
    """200 kB of one header: uvicorn (httptools) takes it, and the call is answered."""
    status, _, body = raw_answer(api, api_request(X_Padding=b"x" * 200_000))
    assert status == 200 and "UserPools" in body
