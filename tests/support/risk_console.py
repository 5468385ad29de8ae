"""Shared by the threat-protection console tests (tests/browser/test_risk_console.py in
Chromium, tests/api/test_risk_console_http.py over plain HTTP). Places come from the
emulator's built-in workshop geo table (emulator/domain/risk_config.py)."""
from tests.support.factories import RISK_PASSWORD, unique_name

LONDON, MILTON = "81.2.69.142", "216.160.83.56"
START = 1_780_000_000.0          # 2026-05-28 20:26:40 UTC
HIGH_BLOCKS = {"Actions": {"HighAction": {"Notify": False, "EventAction": "BLOCK"},
                           "MediumAction": {"Notify": False, "EventAction": "MFA_IF_CONFIGURED"},
                           "LowAction": {"Notify": False, "EventAction": "NO_ACTION"}}}


def audited_pool(cognito, new_pool, clock) -> tuple[str, str]:
    """A pool in audit-only mode (High -> BLOCK configured) and its client, the clock pinned:
    the body of the `audited` fixtures."""
    clock.pin(START)
    pool_id = new_pool(PoolName=unique_name("console"), UserPoolTier="PLUS",
                       UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.set_risk_configuration(UserPoolId=pool_id, AccountTakeoverRiskConfiguration=HIGH_BLOCKS)
    return pool_id, client_id


def sign_in(cognito, pool_id, client_id, name, ip, device, agent="Firefox 128, Linux",
            password=RISK_PASSWORD):
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password},
        ContextData={"IpAddress": ip, "ServerName": "shop.example.com", "ServerPath": "/login",
                     "HttpHeaders": [{"headerName": "User-Agent", "headerValue": agent}],
                     "EncodedData": device})


def api_events(cognito, pool_id, name):
    return cognito.admin_list_user_auth_events(UserPoolId=pool_id, Username=name)["AuthEvents"]
