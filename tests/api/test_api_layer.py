"""The JSON 1.1 surface: targets, validation wording, errors, headers, limits, CORS, SigV4."""
import json

import pytest
from botocore.exceptions import ClientError

from emulator.api import model

TARGET = "AWSCognitoIdentityProviderService."
JSON = "application/x-amz-json-1.1"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/"
                           "cognito-idp/aws4_request, SignedHeaders=host;x-amz-target, "
                           "Signature=abc123"}


def post(http, op, body, headers=None, raw=None):
    h = {"Content-Type": JSON, "X-Amz-Target": TARGET + op, **SIGNED, **(headers or {})}
    return http.post("/", content=raw if raw is not None else json.dumps(body), headers=h)


def assert_error(resp, status, code, message_part=""):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["__type"] == code
    assert resp.headers["x-amzn-ErrorType"] == code
    assert message_part in body["message"]
    assert resp.headers["x-amzn-RequestId"]
    assert "Traceback" not in resp.text


def test_request_id_on_success_and_errors(http):
    ok = post(http, "ListUserPools", {"MaxResults": 1})
    assert ok.status_code == 200 and ok.headers["x-amzn-RequestId"]
    bad = post(http, "ListUserPools", {})
    assert bad.headers["x-amzn-RequestId"] != ok.headers["x-amzn-RequestId"]


def test_unknown_target(http):
    assert_error(post(http, "NoSuchOperation", {}), 400, "UnknownOperationException",
                 "NoSuchOperation")
    resp = http.post("/", content="{}", headers={"Content-Type": JSON})
    assert_error(resp, 400, "UnknownOperationException")


def test_every_operation_of_the_model_is_implemented(http):
    """/_emulator/operations against botocore's model: all 153 cognito-idp operations served,
    none missing (issue #17)."""
    listing = http.get("/_emulator/operations").json()
    assert listing["counts"] == {"implemented": 153, "model": 153}
    assert listing["notImplemented"] == []
    assert listing["implemented"] == sorted(model.operation_names())


def test_malformed_json(http):
    assert_error(post(http, "ListUserPools", None, raw=b'{"MaxResults": '), 400,
                 "SerializationException")
    assert_error(post(http, "ListUserPools", None, raw=b"\xff\xfe"), 400,
                 "SerializationException")
    assert_error(post(http, "ListUserPools", None, raw=b"[1, 2]"), 400,
                 "SerializationException")


def test_validation_wording(http):
    resp = post(http, "CreateUserPool", {"PoolName": ""})
    assert_error(resp, 400, "InvalidParameterException")
    assert resp.json()["message"] == (
        "2 validation errors detected: Value '' at 'poolName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'poolName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")


def test_wrong_type_is_a_serialization_error(http):
    assert_error(post(http, "ListUserPools", {"MaxResults": "ten"}), 400,
                 "SerializationException", "MaxResults")


def test_missing_required_through_boto3_shape_is_reported(cognito):
    # botocore validates client-side too; turn that off to reach the server.
    import boto3
    from botocore.config import Config
    raw = boto3.client("cognito-idp", endpoint_url=cognito.meta.endpoint_url,
                       region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                       config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        raw.describe_user_pool(UserPoolId="not a pool id")
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidParameterException"
    assert err["Message"].startswith("1 validation error detected: Value 'not a pool id' at "
                                     "'userPoolId' failed to satisfy constraint: Member must "
                                     "satisfy regular expression pattern")


def test_oversized_body_refused(http):
    big = json.dumps({"PoolName": "x" * (2 * 1024 * 1024)})
    resp = post(http, "CreateUserPool", None, raw=big.encode())
    assert resp.status_code == 413
    assert resp.json()["__type"] == "RequestEntityTooLargeException"
    names = [p["Name"] for p in post(http, "ListUserPools", {"MaxResults": 60}).json()["UserPools"]]
    assert "x" * 10 not in "".join(names)


def test_odd_unicode_is_handled(http):
    # A lone surrogate escape and control characters: a clear 4xx, never a 500.
    resp = post(http, "CreateUserPool", None, raw=b'{"PoolName": "\\ud800"}')
    assert_error(resp, 400, "SerializationException")
    resp = post(http, "CreateUserPool", None, raw=b'{"PoolName": "x", "\\udc00\\ud800": 1}')
    assert_error(resp, 400, "SerializationException")  # a member name is checked too
    # An escaped backslash followed by the text "ud800" is no surrogate: the pool is made
    # (the text lands in a tag value, where backslashes are allowed).
    resp = post(http, "CreateUserPool", None,
                raw=b'{"PoolName": "backslash-u", "UserPoolTags": {"k": "\\\\ud800"}}')
    assert resp.status_code == 200, resp.text
    pool = resp.json()["UserPool"]
    assert pool["UserPoolTags"] == {"k": "\\ud800"}
    post(http, "DeleteUserPool", {"UserPoolId": pool["Id"]})
    resp = post(http, "CreateUserPool", {"PoolName": "\u0000\u202e"})
    assert resp.status_code == 400
    assert resp.json()["__type"] == "InvalidParameterException"


def test_signed_operations_need_a_signature(http):
    resp = http.post("/", content=json.dumps({"MaxResults": 1}),
                     headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListUserPools"})
    assert_error(resp, 400, "MissingAuthenticationTokenException")
    resp = post(http, "ListUserPools", {"MaxResults": 1},
                headers={"Authorization": "Bearer nonsense"})
    assert_error(resp, 400, "IncompleteSignatureException")


def test_unsigned_operations_need_none(http):
    # InitiateAuth is unsigned in the model: without a signature it reaches the handler.
    resp = http.post("/", content=json.dumps({"AuthFlow": "USER_PASSWORD_AUTH",
                                              "ClientId": "nosuchclient",
                                              "AuthParameters": {"USERNAME": "a",
                                                                 "PASSWORD": "b"}}),
                     headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "InitiateAuth"})
    assert resp.status_code == 400
    assert resp.json()["__type"] in ("ResourceNotFoundException", "NotImplementedException")


def test_region_comes_from_the_credential_scope(endpoint):
    from tests.conftest import make_client
    west = make_client(endpoint, region="eu-west-1")
    created = west.create_user_pool(PoolName="regional")["UserPool"]
    try:
        assert created["Id"].startswith("eu-west-1_")
        assert ":eu-west-1:" in created["Arn"]
    finally:
        west.delete_user_pool(UserPoolId=created["Id"])


def test_account_from_numeric_access_key(endpoint):
    import boto3
    c = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="123456789012", aws_secret_access_key="x")
    created = c.create_user_pool(PoolName="acct")["UserPool"]
    try:
        assert created["Arn"].split(":")[4] == "123456789012"
    finally:
        c.delete_user_pool(UserPoolId=created["Id"])


def test_cors_preflight_and_headers(http):
    pre = http.options("/", headers={"Origin": "http://localhost:3000",
                                     "Access-Control-Request-Method": "POST",
                                     "Access-Control-Request-Headers": "content-type,x-amz-target"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] in ("*", "http://localhost:3000")
    assert "x-amz-target" in pre.headers["access-control-allow-headers"].lower()
    resp = post(http, "ListUserPools", {"MaxResults": 1}, headers={"Origin": "http://localhost:3000"})
    assert "x-amzn-requestid" in resp.headers["access-control-expose-headers"].lower()


def test_unknown_path_is_json(http):
    resp = http.get("/nope")
    assert resp.status_code == 404
    assert resp.json()["__type"] == "ResourceNotFoundException"


def test_health_and_clock(http):
    assert http.get("/_emulator/health").json()["status"] == "ok"
    pinned = http.post("/_emulator/clock", json={"pin": 1_800_000_000}).json()
    try:
        assert pinned["now"] == 1_800_000_000 and pinned["pinned"]
        assert http.post("/_emulator/clock", json={"advance": 60}).json()["now"] == 1_800_000_060
        assert http.post("/_emulator/clock", json={"advance": "x"}).status_code == 400
    finally:
        http.post("/_emulator/clock", json={"reset": True})
    assert http.get("/_emulator/clock").json()["pinned"] is False
