"""amazon-cognito-identity-js under node: TOTP sign-in (the totpRequired callback answered
with sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA')) and the remembered-device flow (the
library's own ConfirmDevice, setDeviceStatusRemembered, then a second sign-in through
device SRP). TOTP codes are computed here from the emulator clock and handed to node."""
import json

import pytest

from tests.support import totp
from tests.support.clients import requires, run_node
from tests.support.factories import PASSWORD, create_user, unique_name

pytestmark = requires("node_modules")


@pytest.fixture
def totp_user(cognito, new_pool, clock):
    """make(**CreateUserPool) -> (pool id, client id, username, secret): a user whose TOTP
    authenticator is verified and preferred, at a pinned clock moved one step on."""
    def make(**params):
        clock.pin()
        pool_id = new_pool(**params)["Id"]
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        name = create_user(cognito, pool_id, unique_name("node"))
        token = cognito.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
        secret = cognito.associate_software_token(AccessToken=token["AccessToken"])["SecretCode"]
        cognito.verify_software_token(AccessToken=token["AccessToken"],
                                      UserCode=totp.code(secret, clock.now()))
        cognito.set_user_mfa_preference(AccessToken=token["AccessToken"],
                                        SoftwareTokenMfaSettings={"Enabled": True,
                                                                  "PreferredMfa": True})
        clock.advance(30)  # the code just used can't be used again
        return pool_id, client_id, name, secret
    return make


def test_totp_sign_in(endpoint, totp_user, clock):
    pool_id, client_id, name, secret = totp_user()
    code = totp.code(secret, clock.now())
    result = run_node("identity_js_totp.mjs", endpoint, pool_id, client_id, name, PASSWORD,
                 json.dumps([code]))
    assert result["ok"] is True, result
    assert result["asked"] == ["SOFTWARE_TOKEN_MFA"]
    assert result["username"] == name and result["valid"] is True


def test_totp_wrong_code_then_right_one(endpoint, totp_user, clock):
    pool_id, client_id, name, secret = totp_user()
    code = totp.code(secret, clock.now())
    bad = "000000" if code != "000000" else "111111"
    result = run_node("identity_js_totp.mjs", endpoint, pool_id, client_id, name, PASSWORD,
                 json.dumps([bad, code]))
    assert result["ok"] is True, result
    assert result["failures"] == [{"code": "CodeMismatchException",
                                   "message": "Invalid code or auth state for the user."}]


def test_totp_wrong_code(endpoint, totp_user):
    pool_id, client_id, name, _ = totp_user()
    result = run_node("identity_js_totp.mjs", endpoint, pool_id, client_id, name, PASSWORD,
                 json.dumps(["123456"]))
    assert result["ok"] is False
    assert result["code"] == "CodeMismatchException"


def test_remembered_device_skips_mfa(cognito, endpoint, totp_user, clock):
    pool_id, client_id, name, secret = totp_user(DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    codes = {"first": totp.code(secret, clock.now()), "second": "999999"}
    result = run_node("identity_js_device.mjs", endpoint, pool_id, client_id, name, PASSWORD,
                 json.dumps(codes))
    assert result["ok"] is True, result
    first, second = result["first"], result["second"]
    assert first["mfaAsked"] == 1
    assert first["confirmationNecessary"] is True and first["remembered"] is True
    assert first["cachedDeviceKey"] and first["deviceKey"] == first["cachedDeviceKey"]
    # The second sign-in went through device SRP instead of TOTP.
    assert second["mfaAsked"] == 0
    assert second["deviceKey"] == first["cachedDeviceKey"]
    devices = cognito.admin_list_devices(UserPoolId=pool_id, Username=name)["Devices"]
    assert [d["DeviceKey"] for d in devices] == [first["cachedDeviceKey"]]
    attributes = {a["Name"]: a["Value"] for a in devices[0]["DeviceAttributes"]}
    assert attributes["dev:device_remembered_status"] == "remembered"


def test_remembered_device_after_mfa(cognito, endpoint, totp_user, clock):
    """Devices that don't replace MFA: TOTP, then DEVICE_SRP_AUTH, which the library answers
    with the MFA step's (used) Session."""
    pool_id, client_id, name, secret = totp_user(DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False})
    now = clock.now()
    codes = {"first": totp.code(secret, now), "second": totp.code(secret, now + 30)}
    result = run_node("identity_js_device.mjs", endpoint, pool_id, client_id, name, PASSWORD,
                 json.dumps(codes))
    assert result["ok"] is True, result
    first, second = result["first"], result["second"]
    assert first["confirmationNecessary"] is False
    assert second["mfaAsked"] == 1
    assert second["deviceKey"] == first["cachedDeviceKey"]
