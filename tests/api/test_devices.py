"""Remembered devices through boto3: NewDeviceMetadata, ConfirmDevice with the device's
SRP verifier, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER (device SRP computed with
tests/support/srp_client.py), a remembered device skipping MFA, and the device operations
with their admin variants."""
import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import PASSWORD, claims, create_user, error, unique_name
from tests.support.server import ROOT, RunningServer
from tests.support.srp_client import SrpClient, device_verifier_config

PHONE = "+15555550123"
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
DEVICE_KEY_RE = re.compile(r"us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
                           r"-[0-9a-f]{12}")
NO_DEVICE = ("ResourceNotFoundException", "Device does not exist.")


@pytest.fixture
def device_pool(cognito, new_pool):
    """device_pool(suppress=, opt_in=, mfa=) -> (pool id, client id); SMS MFA available."""
    def make(*, suppress=True, opt_in=False, mfa="OPTIONAL", tracking=True):
        params = {}
        if tracking:
            params["DeviceConfiguration"] = {"ChallengeRequiredOnNewDevice": suppress,
                                             "DeviceOnlyRememberedOnUserPrompt": opt_in}
        pool_id = new_pool(**params)["Id"]
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mfa,
                                         SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG})
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
        )["UserPoolClient"]["ClientId"]
        return pool_id, client_id
    return make


def new_user(cognito, pool_id, *, sms_mfa=False) -> str:
    name = create_user(cognito, pool_id, unique_name("d"),
                       attributes=[{"Name": "phone_number", "Value": PHONE}])
    if sms_mfa:
        cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name,
                                              SMSMfaSettings={"Enabled": True})
    return name


def sign_in(cognito, client_id, name, **extra):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD, **extra})


def respond(cognito, client_id, name, session=None, **responses):
    params = {"ClientId": client_id, "ChallengeName": name, "ChallengeResponses": responses}
    if session:
        params["Session"] = session
    return cognito.respond_to_auth_challenge(**params)


def sms_code(outbox, pool_id, name) -> str:
    return outbox(poolId=pool_id, username=name, purpose="MFA")[-1]["code"]


class Device:
    """A device as a client keeps it after ConfirmDevice."""
    def __init__(self, metadata: dict, password: str):
        self.key = metadata["DeviceKey"]
        self.group = metadata["DeviceGroupKey"]
        self.password = password


def remember(cognito, result: dict, name: str = "test device") -> Device:
    """ConfirmDevice for the NewDeviceMetadata of an AuthenticationResult."""
    metadata = result["NewDeviceMetadata"]
    password, config = device_verifier_config(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    out = cognito.confirm_device(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
                                 DeviceSecretVerifierConfig=config, DeviceName=name)
    device = Device(metadata, password)
    device.necessary = out["UserConfirmationNecessary"]
    return device


def first_sign_in(cognito, client_id, pool_id, name, outbox) -> dict:
    """A sign-in (answering SMS MFA if asked) -> AuthenticationResult."""
    out = sign_in(cognito, client_id, name)
    if out.get("ChallengeName") == "SMS_MFA":
        out = respond(cognito, client_id, "SMS_MFA", out["Session"], USERNAME=name,
                      SMS_MFA_CODE=sms_code(outbox, pool_id, name))
    return out["AuthenticationResult"]


def srp_with_device(cognito, client_id, pool_id, name, device: Device) -> tuple[SrpClient, dict]:
    """USER_SRP_AUTH with DEVICE_KEY up to the answer of PASSWORD_VERIFIER."""
    srp = SrpClient(pool_id, name, PASSWORD)
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={**srp.auth_params(), "DEVICE_KEY": device.key})
    answer = srp.answer(first["ChallengeParameters"])
    return srp, respond(cognito, client_id, "PASSWORD_VERIFIER", first["Session"],
                        DEVICE_KEY=device.key, **answer)


def device_srp(cognito, client_id, srp: SrpClient, device: Device, session, *,
               password=None) -> dict:
    """DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER -> the last response."""
    step = respond(cognito, client_id, "DEVICE_SRP_AUTH", session,
                   **srp.device_auth_params(device.key))
    assert step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    assert set(step["ChallengeParameters"]) >= {"SRP_B", "SALT", "SECRET_BLOCK", "USERNAME"}
    answer = srp.answer_device(step["ChallengeParameters"], device.group, device.key,
                               password or device.password)
    return respond(cognito, client_id, "DEVICE_PASSWORD_VERIFIER", step["Session"], **answer)


# --- NewDeviceMetadata and ConfirmDevice ------------------------------------------------------

def test_new_device_metadata_only_when_tracking(cognito, device_pool):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id)
    result = sign_in(cognito, client_id, name)["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    assert DEVICE_KEY_RE.fullmatch(metadata["DeviceKey"])
    assert metadata["DeviceGroupKey"]
    assert claims(result["AccessToken"])["device_key"] == metadata["DeviceKey"]
    # Not yet confirmed: not listed.
    assert cognito.admin_list_devices(UserPoolId=pool_id, Username=name)["Devices"] == []
    pool_id, client_id = device_pool(tracking=False)
    name = new_user(cognito, pool_id)
    result = sign_in(cognito, client_id, name)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert "device_key" not in claims(result["AccessToken"])


def test_confirm_device_always_remembers(cognito, device_pool):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id)
    result = sign_in(cognito, client_id, name)["AuthenticationResult"]
    device = remember(cognito, result, "Work laptop")
    assert device.necessary is False
    got = cognito.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key
    attributes = {a["Name"]: a["Value"] for a in got["DeviceAttributes"]}
    assert attributes["device_status"] == "valid"
    assert attributes["device_name"] == "Work laptop"
    assert attributes["last_ip_used"] == "127.0.0.1"
    assert attributes["dev:device_remembered_status"] == "remembered"
    for field in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        assert got[field]
    listed = cognito.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]


def test_confirm_device_errors(cognito, device_pool):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id)
    result = sign_in(cognito, client_id, name)["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    _, config = device_verifier_config(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    with pytest.raises(ClientError) as e:
        cognito.confirm_device(AccessToken=result["AccessToken"],
                               DeviceKey="us-east-1_00000000-0000-0000-0000-000000000000",
                               DeviceSecretVerifierConfig=config)
    assert error(e) == NO_DEVICE
    with pytest.raises(ClientError) as e:
        cognito.confirm_device(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"])
    assert error(e)[0] == "InvalidParameterException"
    remember(cognito, result)
    with pytest.raises(ClientError) as e:
        cognito.confirm_device(AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
                               DeviceSecretVerifierConfig=config)
    assert error(e)[0] == "DeviceKeyExistsException"
    # Another user's device key is not this user's.
    other = new_user(cognito, pool_id)
    token = sign_in(cognito, client_id, other)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as e:
        cognito.get_device(AccessToken=token, DeviceKey=metadata["DeviceKey"])
    assert error(e) == NO_DEVICE


def test_opt_in_devices_need_update_device_status(cognito, device_pool, outbox):
    pool_id, client_id = device_pool(opt_in=True)
    name = new_user(cognito, pool_id, sms_mfa=True)
    result = first_sign_in(cognito, client_id, pool_id, name, outbox)
    device = remember(cognito, result)
    assert device.necessary is True
    got = cognito.admin_get_device(UserPoolId=pool_id, Username=name, DeviceKey=device.key)
    attributes = {a["Name"]: a["Value"] for a in got["Device"]["DeviceAttributes"]}
    assert attributes["dev:device_remembered_status"] == "not_remembered"
    # Tracked but not remembered: MFA as usual, the tokens name the device.
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    assert out["ChallengeName"] == "SMS_MFA"
    done = respond(cognito, client_id, "SMS_MFA", out["Session"], USERNAME=name,
                   SMS_MFA_CODE=sms_code(outbox, pool_id, name), DEVICE_KEY=device.key)
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    cognito.update_device_status(AccessToken=result["AccessToken"], DeviceKey=device.key,
                                 DeviceRememberedStatus="remembered")
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"


# --- device SRP -------------------------------------------------------------------------------

def test_remembered_device_skips_mfa(cognito, device_pool, outbox):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id, sms_mfa=True)
    result = first_sign_in(cognito, client_id, pool_id, name, outbox)
    device = remember(cognito, result)
    sent_before = len(outbox(poolId=pool_id, username=name, purpose="MFA"))
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"
    done = device_srp(cognito, client_id, srp, device, out["Session"])
    result = done["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert claims(result["AccessToken"])["device_key"] == device.key
    assert len(outbox(poolId=pool_id, username=name, purpose="MFA")) == sent_before  # no SMS
    # Refreshing keeps the device.
    refreshed = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": result["RefreshToken"],
                                                      "DEVICE_KEY": device.key})
    assert claims(refreshed["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    # A password sign-in naming the device goes through device SRP as well.
    out = sign_in(cognito, client_id, name, DEVICE_KEY=device.key)
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"


def test_device_srp_auth_without_session(cognito, device_pool, outbox):
    """amazon-cognito-identity-js may answer DEVICE_SRP_AUTH without a usable Session."""
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id, sms_mfa=True)
    device = remember(cognito, first_sign_in(cognito, client_id, pool_id, name, outbox))
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"
    done = device_srp(cognito, client_id, srp, device, None)
    assert done["AuthenticationResult"]["AccessToken"]
    # That challenge is answered: a second answer finds nothing.
    with pytest.raises(ClientError) as e:
        respond(cognito, client_id, "DEVICE_SRP_AUTH", None, **srp.device_auth_params(device.key))
    assert error(e) == ("NotAuthorizedException", "Invalid session for the user.")


def test_wrong_device_password(cognito, device_pool, outbox):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id, sms_mfa=True)
    device = remember(cognito, first_sign_in(cognito, client_id, pool_id, name, outbox))
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    with pytest.raises(ClientError) as e:
        device_srp(cognito, client_id, srp, device, out["Session"], password="not-the-secret")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_device_srp_follows_mfa_when_it_does_not_replace_it(cognito, device_pool, outbox):
    pool_id, client_id = device_pool(suppress=False)
    name = new_user(cognito, pool_id, sms_mfa=True)
    device = remember(cognito, first_sign_in(cognito, client_id, pool_id, name, outbox))
    srp, out = srp_with_device(cognito, client_id, pool_id, name, device)
    assert out["ChallengeName"] == "SMS_MFA"
    out = respond(cognito, client_id, "SMS_MFA", out["Session"], USERNAME=name,
                  SMS_MFA_CODE=sms_code(outbox, pool_id, name), DEVICE_KEY=device.key)
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"
    done = device_srp(cognito, client_id, srp, device, out["Session"])
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device.key


def test_unknown_device_key_is_refused_before_the_session_is_used(cognito, device_pool):
    """What amazon-cognito-identity-js relies on to drop a forgotten device and retry."""
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id)
    srp = SrpClient(pool_id, name, PASSWORD)
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters=srp.auth_params())
    answer = srp.answer(first["ChallengeParameters"])
    with pytest.raises(ClientError) as e:
        respond(cognito, client_id, "PASSWORD_VERIFIER", first["Session"],
                DEVICE_KEY="us-east-1_00000000-0000-0000-0000-000000000000", **answer)
    assert error(e)[0] == "ResourceNotFoundException" and "device" in error(e)[1].lower()
    done = respond(cognito, client_id, "PASSWORD_VERIFIER", first["Session"], **answer)
    assert done["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]


# --- the device operations ------------------------------------------------------------------

def test_device_operations(cognito, device_pool):
    pool_id, client_id = device_pool()
    name = new_user(cognito, pool_id)
    results = [sign_in(cognito, client_id, name)["AuthenticationResult"] for _ in range(3)]
    devices = [remember(cognito, r, f"device {i}") for i, r in enumerate(results)]
    token = results[0]["AccessToken"]
    keys = sorted(d.key for d in devices)
    assert sorted(d["DeviceKey"]
                  for d in cognito.list_devices(AccessToken=token)["Devices"]) == keys
    page = cognito.list_devices(AccessToken=token, Limit=2)
    assert len(page["Devices"]) == 2 and page["PaginationToken"]
    rest = cognito.list_devices(AccessToken=token, Limit=2, PaginationToken=page["PaginationToken"])
    assert len(rest["Devices"]) == 1 and "PaginationToken" not in rest
    admin = cognito.admin_list_devices(UserPoolId=pool_id, Username=name, Limit=60)["Devices"]
    assert sorted(d["DeviceKey"] for d in admin) == keys

    cognito.update_device_status(AccessToken=token, DeviceKey=devices[0].key,
                                 DeviceRememberedStatus="not_remembered")
    cognito.admin_update_device_status(UserPoolId=pool_id, Username=name, DeviceKey=devices[1].key,
                                       DeviceRememberedStatus="not_remembered")
    for device in devices[:2]:
        got = cognito.admin_get_device(UserPoolId=pool_id, Username=name, DeviceKey=device.key)
        attributes = {a["Name"]: a["Value"] for a in got["Device"]["DeviceAttributes"]}
        assert attributes["dev:device_remembered_status"] == "not_remembered"

    cognito.forget_device(AccessToken=token, DeviceKey=devices[0].key)
    cognito.admin_forget_device(UserPoolId=pool_id, Username=name, DeviceKey=devices[1].key)
    left = cognito.list_devices(AccessToken=token)["Devices"]
    assert [d["DeviceKey"] for d in left] == [devices[2].key]
    for call in (lambda: cognito.get_device(AccessToken=token, DeviceKey=devices[0].key),
                 lambda: cognito.forget_device(AccessToken=token, DeviceKey=devices[0].key),
                 lambda: cognito.update_device_status(AccessToken=token, DeviceKey=devices[0].key,
                                                      DeviceRememberedStatus="remembered"),
                 lambda: cognito.admin_get_device(UserPoolId=pool_id, Username=name,
                                                  DeviceKey=devices[1].key),
                 lambda: cognito.admin_forget_device(UserPoolId=pool_id, Username=name,
                                                     DeviceKey=devices[1].key)):
        with pytest.raises(ClientError) as e:
            call()
        assert error(e) == NO_DEVICE
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_list_devices(UserPoolId=pool_id, Username="nobody")
    # A forgotten device is a new device again.
    srp = SrpClient(pool_id, name, PASSWORD)
    first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={**srp.auth_params(),
                                                  "DEVICE_KEY": devices[0].key})
    answer = srp.answer(first["ChallengeParameters"])
    with pytest.raises(ClientError) as e:
        respond(cognito, client_id, "PASSWORD_VERIFIER", first["Session"],
                DEVICE_KEY=devices[0].key, **answer)
    assert error(e) == NO_DEVICE


def test_device_operations_need_a_valid_token(cognito):
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.list_devices(AccessToken="not.a.token")


# --- what the triggers see ------------------------------------------------------------------

@pytest.fixture(scope="module")
def trigger_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("device-triggers")
    config = folder / "emulator.json"
    config.write_text(json.dumps({"functions": {
        "recorder": f"{ROOT / 'tests' / 'lambdas' / 'custom_auth_py.py'}:handler"}}))
    events = folder / "events.jsonl"
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)],
                       env={"COGNITO_TEST_EVENTS_FILE": str(events)}) as running:
        running.events = events
        yield running


def test_triggers_see_new_and_remembered_devices(trigger_server):
    idp = make_client(trigger_server.url)
    arn = "arn:aws:lambda:us-east-1:000000000000:function:recorder"
    pool_id = idp.create_user_pool(
        PoolName=unique_name("dev-triggers"),
        LambdaConfig={"PostAuthentication": arn, "PreTokenGeneration": arn},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                             "DeviceOnlyRememberedOnUserPrompt": False})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    name = create_user(idp, pool_id, unique_name("t"))
    device = remember(idp, sign_in(idp, client_id, name)["AuthenticationResult"])
    srp, out = srp_with_device(idp, client_id, pool_id, name, device)
    done = device_srp(idp, client_id, srp, device, out["Session"])
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    events = [json.loads(line) for line in trigger_server.events.read_text().splitlines()]
    events = [e for e in events if e["userPoolId"] == pool_id]
    post = [e["request"]["newDeviceUsed"] for e in events
            if e["triggerSource"] == "PostAuthentication_Authentication"]
    assert post == [True, False]
    assert [e["triggerSource"] for e in events if e["triggerSource"].startswith("TokenGen")] == \
        ["TokenGeneration_Authentication", "TokenGeneration_AuthenticateDevice"]
    idp.delete_user_pool(UserPoolId=pool_id)
