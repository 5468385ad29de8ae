"""SetLogDeliveryConfiguration / GetLogDeliveryConfiguration through boto3, and the local
JSON-lines sink standing in for CloudWatch Logs / S3 / Firehose: every user auth event goes
to <log dir>/<pool id>/<destination name>.jsonl and back out of GET /_emulator/logs/<pool id>."""
import json

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.api.test_risk_events import BREACHED, REFUSED, compromised
from tests.api.test_risk_signin import FLOWS, LONDON, PASSWORD, START, events, sign_in
from tests.conftest import make_client
from tests.support.factories import attribute_list, create_user, error, unique_name
from tests.support.server import RunningServer

GROUP = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/cognito/risk-events"
BUCKET = "arn:aws:s3:::my-auth-events"
STREAM = "arn:aws:firehose:us-east-1:000000000000:deliverystream/auth-stream"
ERRORS_GROUP = "arn:aws:logs:us-east-1:000000000000:log-group:notification-errors"
AUTH_TO_GROUP = {"LogLevel": "INFO", "EventSource": "userAuthEvents",
                 "CloudWatchLogsConfiguration": {"LogGroupArn": GROUP}}
NOTIFICATION_ERRORS = {"LogLevel": "ERROR", "EventSource": "userNotification",
                       "CloudWatchLogsConfiguration": {"LogGroupArn": ERRORS_GROUP}}


@pytest.fixture
def plus_pool(cognito, new_pool, clock):
    def make(mode="AUDIT"):
        clock.pin(START)
        pool_id = new_pool(UserPoolTier="PLUS",
                           UserPoolAddOns={"AdvancedSecurityMode": mode})["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
        )["UserPoolClient"]["ClientId"]
        return pool_id, client_id
    return make


def sink(http, pool_id) -> dict:
    answer = http.get(f"/_emulator/logs/{pool_id}")
    assert answer.status_code == 200
    return answer.json()


# --- the configuration -----------------------------------------------------------------------

def test_round_trip_and_clear(cognito, plus_pool):
    pool_id, _ = plus_pool()
    assert cognito.get_log_delivery_configuration(UserPoolId=pool_id)[
        "LogDeliveryConfiguration"] == {"UserPoolId": pool_id, "LogConfigurations": []}
    configs = [AUTH_TO_GROUP, NOTIFICATION_ERRORS]
    out = cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=configs)
    assert out["LogDeliveryConfiguration"] == {"UserPoolId": pool_id,
                                               "LogConfigurations": configs}
    assert cognito.get_log_delivery_configuration(UserPoolId=pool_id)[
        "LogDeliveryConfiguration"]["LogConfigurations"] == configs
    for destination in ({"S3Configuration": {"BucketArn": BUCKET}},
                        {"FirehoseConfiguration": {"StreamArn": STREAM}}):
        config = {"LogLevel": "INFO", "EventSource": "userAuthEvents", **destination}
        cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[config])
        assert cognito.get_log_delivery_configuration(UserPoolId=pool_id)[
            "LogDeliveryConfiguration"]["LogConfigurations"] == [config]
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[])
    assert cognito.get_log_delivery_configuration(UserPoolId=pool_id)[
        "LogDeliveryConfiguration"]["LogConfigurations"] == []


@pytest.mark.parametrize("configs, message", [
    ([AUTH_TO_GROUP, AUTH_TO_GROUP],
     "Only one log configuration is allowed per event source: userAuthEvents"),
    ([{**AUTH_TO_GROUP, "LogLevel": "ERROR"}],
     "LogLevel ERROR is not supported for EventSource userAuthEvents; use INFO."),
    ([{**NOTIFICATION_ERRORS, "LogLevel": "INFO"}],
     "LogLevel INFO is not supported for EventSource userNotification; use ERROR."),
    ([{"LogLevel": "INFO", "EventSource": "userAuthEvents"}],
     "Each log configuration needs exactly one of CloudWatchLogsConfiguration, "
     "S3Configuration, FirehoseConfiguration."),
    ([{**AUTH_TO_GROUP, "S3Configuration": {"BucketArn": BUCKET}}],
     "Each log configuration needs exactly one of CloudWatchLogsConfiguration, "
     "S3Configuration, FirehoseConfiguration."),
    ([{"LogLevel": "ERROR", "EventSource": "userNotification",
       "S3Configuration": {"BucketArn": BUCKET}}],
     "EventSource userNotification can only be delivered to CloudWatch Logs."),
])
def test_validation(cognito, plus_pool, configs, message):
    pool_id, _ = plus_pool()
    with pytest.raises(ClientError) as exc:
        cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=configs)
    assert error(exc) == ("InvalidParameterException", message)
    assert cognito.get_log_delivery_configuration(UserPoolId=pool_id)[
        "LogDeliveryConfiguration"]["LogConfigurations"] == []


def test_model_validation_and_unknown_pool(cognito, unchecked, plus_pool):
    pool_id, _ = plus_pool()
    with pytest.raises(ClientError) as exc:
        unchecked.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[
            {**AUTH_TO_GROUP, "EventSource": "everything"}])
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        cognito.get_log_delivery_configuration(UserPoolId="us-east-1_nothere")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_user_auth_events_need_the_plus_plan(cognito, new_pool):
    pool_id = new_pool(UserPoolTier="ESSENTIALS")["Id"]
    with pytest.raises(ClientError) as exc:
        cognito.set_log_delivery_configuration(UserPoolId=pool_id,
                                               LogConfigurations=[AUTH_TO_GROUP])
    assert error(exc)[0] == "FeatureUnavailableInTierException"
    # notification errors don't
    cognito.set_log_delivery_configuration(UserPoolId=pool_id,
                                           LogConfigurations=[NOTIFICATION_ERRORS])


# --- the sink ----------------------------------------------------------------------------------

def test_auth_events_are_exported(cognito, plus_pool, http):
    pool_id, client_id = plus_pool("AUDIT")
    name = create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)
    sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")     # before: not exported
    assert sink(http, pool_id)["lines"] == []
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[
        AUTH_TO_GROUP, NOTIFICATION_ERRORS])
    sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")
    with pytest.raises(ClientError) as exc:
        sign_in(cognito, pool_id, client_id, name, LONDON, "laptop", password="Wrong-pass1")
    assert error(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    found = sink(http, pool_id)
    assert list(found["destinations"]) == ["aws_cognito_risk-events"]
    passed, failed = found["lines"]
    latest, middle, _ = events(cognito, pool_id, name)
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username=name)["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    assert passed == {
        "eventTimestamp": int(START * 1000), "eventId": middle["EventId"],
        "eventType": "SignIn", "userSub": sub, "userName": name, "clientId": client_id,
        "userPoolId": pool_id, "eventResponse": "Pass", "riskLevel": "",
        "riskDecision": "NoRisk", "compromisedCredentialDetected": False,
        "challenges": [{"ChallengeName": "Password", "ChallengeResponse": "Success"}],
        "ipAddress": LONDON, "city": "London", "country": "GB",
        "deviceName": "Firefox 128, Linux", "timezone": "", "feedbackValue": "",
        "hasContextData": True, "logLevel": "INFO", "eventSource": "USER_AUTH_EVENTS"}
    assert failed["eventId"] == latest["EventId"]
    assert failed["eventResponse"] == "Fail"
    assert failed["challenges"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]
    # a new configuration replaces the destination
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[
        {"LogLevel": "INFO", "EventSource": "userAuthEvents",
         "FirehoseConfiguration": {"StreamArn": STREAM}}])
    sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")
    assert len(sink(http, pool_id)["destinations"]["auth-stream"]) == 1


def test_refused_sign_up_is_only_logged(cognito, plus_pool, http):
    pool_id, client_id = plus_pool("ENFORCED")
    cognito.set_risk_configuration(UserPoolId=pool_id,
                                   CompromisedCredentialsRiskConfiguration=compromised(["SIGN_UP"]))
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[
        {"LogLevel": "INFO", "EventSource": "userAuthEvents",
         "S3Configuration": {"BucketArn": BUCKET}}])
    name = unique_name("u")
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=client_id, Username=name, Password=BREACHED)
    assert error(exc) == REFUSED
    (line,) = sink(http, pool_id)["destinations"]["my-auth-events"]
    assert (line["eventType"], line["eventResponse"], line["userName"]) == \
        ("SignUp", "Fail", name)
    assert line["compromisedCredentialDetected"] is True
    assert line["hasContextData"] is False           # SignUp without UserContextData


def test_off_exports_nothing(cognito, new_pool, http):
    pool_id = new_pool(UserPoolTier="PLUS")["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    cognito.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[AUTH_TO_GROUP])
    name = create_user(cognito, pool_id, unique_name("u"), password=PASSWORD)
    sign_in(cognito, pool_id, client_id, name, LONDON, "laptop")
    assert sink(http, pool_id)["lines"] == []
    assert http.get("/_emulator/logs/bad..id").status_code == 400


@pytest.mark.parametrize("where", ["data-dir", "log-dir"])
def test_sink_file_on_disk(tmp_path, where):
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--log-level", "warning"]
    if where == "log-dir":
        args += ["--log-dir", str(tmp_path / "elsewhere")]
    with RunningServer(args) as running:
        idp = make_client(running.url)
        pool_id = idp.create_user_pool(PoolName="logs", UserPoolTier="PLUS", UserPoolAddOns={
            "AdvancedSecurityMode": "ENFORCED"})["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app",
            ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
        idp.set_log_delivery_configuration(UserPoolId=pool_id, LogConfigurations=[AUTH_TO_GROUP])
        name = create_user(idp, pool_id, "alice", password=PASSWORD, attributes=attribute_list(
            email="alice@example.com"))
        sign_in(idp, pool_id, client_id, name, LONDON, "laptop")
        with httpx.Client(base_url=running.url) as http:
            served = sink(http, pool_id)["lines"]
    base = data / "logs" if where == "data-dir" else tmp_path / "elsewhere"
    path = base / pool_id / "aws_cognito_risk-events.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == served
    assert [(x["eventType"], x["eventResponse"], x["userName"]) for x in lines] == \
        [("SignIn", "Pass", "alice")]
    assert PASSWORD not in path.read_text()
