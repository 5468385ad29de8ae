"""Threat protection operations through boto3: SetRiskConfiguration /
DescribeRiskConfiguration (pool and client, the client's overriding the pool's, resets,
validation), the add-on and feature-plan requirements, AdminListUserAuthEvents paging and
(Admin)UpdateAuthEventFeedback errors."""
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import PASSWORD, create_user, error, unique_name

NOT_ENABLED = "UserPoolAddOnNotEnabledException"
ATO = {"Actions": {"HighAction": {"Notify": False, "EventAction": "BLOCK"},
                   "MediumAction": {"Notify": False, "EventAction": "MFA_IF_CONFIGURED"}}}
CC = {"EventFilter": ["SIGN_IN", "SIGN_UP"], "Actions": {"EventAction": "BLOCK"}}
NOTIFY = {"SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/security@example.com",
          "From": "security@example.com",
          "BlockEmail": {"Subject": "Blocked", "TextBody": "We blocked {ip-address}"}}


@pytest.fixture
def plus_pool(cognito, new_pool, clock):
    """(pool id, client id): a PLUS pool in AUDIT mode with a password client."""
    clock.pin(1_780_000_000.0)
    pool_id = new_pool(UserPoolTier="PLUS",
                       UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def test_pool_configuration_round_trip(cognito, plus_pool):
    pool_id, _ = plus_pool
    out = cognito.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=CC,
        AccountTakeoverRiskConfiguration=ATO,
        RiskExceptionConfiguration={"BlockedIPRangeList": ["203.0.113.0/24"],
                                    "SkippedIPRangeList": ["10.0.0.0/8"]})["RiskConfiguration"]
    assert out["UserPoolId"] == pool_id and "ClientId" not in out
    assert out["LastModifiedDate"].timestamp() == 1_780_000_000.0
    described = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert described == out
    assert described["AccountTakeoverRiskConfiguration"] == ATO
    assert described["CompromisedCredentialsRiskConfiguration"] == CC


def test_client_configuration_overrides_the_pools_and_resets(cognito, plus_pool):
    pool_id, client_id = plus_pool
    cognito.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=ATO)
    inherited = cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert inherited["RiskConfiguration"]["AccountTakeoverRiskConfiguration"] == ATO
    own = cognito.set_risk_configuration(
        UserPoolId=pool_id, ClientId=client_id,
        RiskExceptionConfiguration={"SkippedIPRangeList": ["192.0.2.0/24"]})["RiskConfiguration"]
    assert own["ClientId"] == client_id
    described = cognito.describe_risk_configuration(UserPoolId=pool_id,
                                                    ClientId=client_id)["RiskConfiguration"]
    assert described == own
    assert "AccountTakeoverRiskConfiguration" not in described  # replaced, not merged
    # only UserPoolId + ClientId: the client inherits again
    cognito.set_risk_configuration(UserPoolId=pool_id, ClientId=client_id)
    again = cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert again["RiskConfiguration"]["AccountTakeoverRiskConfiguration"] == ATO
    # only UserPoolId: the pool goes back to defaults
    out = cognito.set_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert out == {"UserPoolId": pool_id}
    assert cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == \
        {"UserPoolId": pool_id}


@pytest.mark.parametrize("params, message", [
    ({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["300.1.1.0/24"]}},
     "BlockedIPRangeList contains an invalid CIDR block: 300.1.1.0/24"),
    ({"RiskExceptionConfiguration": {"SkippedIPRangeList": ["not-an-ip"]}},
     "SkippedIPRangeList contains an invalid CIDR block: not-an-ip"),
    ({"AccountTakeoverRiskConfiguration": {"Actions": {}}},
     "AccountTakeoverRiskConfiguration.Actions needs at least one of LowAction, MediumAction, "
     "HighAction."),
    ({"AccountTakeoverRiskConfiguration": {"Actions": {
        "HighAction": {"Notify": True, "EventAction": "BLOCK"}}}},
     "NotifyConfiguration is required when an action has Notify set to true."),
    ({"AccountTakeoverRiskConfiguration": {
        "NotifyConfiguration": {**NOTIFY, "MfaEmail": {"Subject": "MFA"}},
        "Actions": {"HighAction": {"Notify": True, "EventAction": "BLOCK"}}}},
     "MfaEmail needs an HtmlBody or a TextBody."),
])
def test_set_validation(cognito, plus_pool, params, message):
    pool_id, _ = plus_pool
    with pytest.raises(ClientError) as exc:
        cognito.set_risk_configuration(UserPoolId=pool_id, **params)
    assert error(exc) == ("InvalidParameterException", message)
    assert cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"] == \
        {"UserPoolId": pool_id}


def test_notify_configuration_is_kept(cognito, plus_pool):
    pool_id, _ = plus_pool
    ato = {"NotifyConfiguration": NOTIFY,
           "Actions": {"HighAction": {"Notify": True, "EventAction": "BLOCK"}}}
    cognito.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=ato)
    described = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert described["AccountTakeoverRiskConfiguration"] == ato


def test_model_validation_on_the_server(unchecked, plus_pool):
    pool_id, _ = plus_pool
    with pytest.raises(ClientError) as exc:
        unchecked.set_risk_configuration(
            UserPoolId=pool_id, AccountTakeoverRiskConfiguration={
                "Actions": {"HighAction": {"Notify": False, "EventAction": "SHRUG"}}})
    assert error(exc)[0] == "InvalidParameterException"


def test_unknown_client_and_pool(cognito, plus_pool):
    pool_id, _ = plus_pool
    with pytest.raises(ClientError) as exc:
        cognito.describe_risk_configuration(UserPoolId=pool_id, ClientId="a" * 26)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.set_risk_configuration(UserPoolId="us-east-1_nothere", ClientId="a" * 26)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_operations_need_the_add_on(cognito, new_pool):
    pool_id = new_pool(UserPoolTier="PLUS")["Id"]
    name = create_user(cognito, pool_id, unique_name("u"))
    calls = [
        lambda: cognito.set_risk_configuration(UserPoolId=pool_id),
        lambda: cognito.describe_risk_configuration(UserPoolId=pool_id),
        lambda: cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name),
        lambda: cognito.admin_update_auth_event_feedback(
            UserPoolId=pool_id, Username=name, EventId="e1", FeedbackValue="Valid"),
        lambda: cognito.update_auth_event_feedback(
            UserPoolId=pool_id, Username=name, EventId="e1", FeedbackToken="t",
            FeedbackValue="Valid"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == NOT_ENABLED


def test_threat_protection_needs_the_plus_plan(cognito, new_pool):
    with pytest.raises(ClientError) as exc:
        new_pool(UserPoolTier="ESSENTIALS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert error(exc)[0] == "FeatureUnavailableInTierException"


def _sign_in(cognito, pool_id, client_id, name, ip, password=PASSWORD):
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
        ContextData={"IpAddress": ip, "ServerName": "s", "ServerPath": "/", "HttpHeaders": []})


def test_list_events_pages_newest_first(cognito, plus_pool, clock):
    pool_id, client_id = plus_pool
    name = create_user(cognito, pool_id, unique_name("u"))
    for i in range(3):
        _sign_in(cognito, pool_id, client_id, name, f"81.2.69.{10 + i}")
        clock.advance(60)
    seen, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name,
                                                   MaxResults=2, **extra)
        assert len(page["AuthEvents"]) <= 2
        seen += page["AuthEvents"]
        token = page.get("NextToken")
        if not token:
            break
    assert [e["EventContextData"]["IpAddress"] for e in seen] == \
        ["81.2.69.12", "81.2.69.11", "81.2.69.10"]
    assert len({e["EventId"] for e in seen}) == 3
    everything = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name)
    assert everything["AuthEvents"] == seen and "NextToken" not in everything
    with pytest.raises(ClientError) as exc:
        cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name,
                                            NextToken="bogus")
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username="nobody")
    assert error(exc) == ("UserNotFoundException", "User does not exist.")


def test_feedback_errors(cognito, plus_pool):
    pool_id, client_id = plus_pool
    name = create_user(cognito, pool_id, unique_name("u"))
    _sign_in(cognito, pool_id, client_id, name, "81.2.69.142")
    (event,) = cognito.admin_list_user_auth_events(UserPoolId=pool_id,
                                                   Username=name)["AuthEvents"]
    with pytest.raises(ClientError) as exc:
        cognito.admin_update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                                 EventId="no-such-event", FeedbackValue="Valid")
    assert error(exc) == ("ResourceNotFoundException", "Auth event not found.")
    with pytest.raises(ClientError) as exc:
        cognito.update_auth_event_feedback(UserPoolId=pool_id, Username=name,
                                           EventId=event["EventId"], FeedbackToken="forged",
                                           FeedbackValue="Invalid")
    assert error(exc) == ("NotAuthorizedException", "Invalid feedback token.")
    after = cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name)
    assert "EventFeedback" not in after["AuthEvents"][0]
