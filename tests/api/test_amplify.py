"""Amplify JS v6 (aws-amplify in Node, tests/node/amplify_flows.mjs) the way an app uses it,
against the emulator's user-pool API (`userPoolEndpoint`): sign-up, SRP sign-in, custom
auth with and without SRP, TOTP set-up and sign-in, remembered devices, token refresh,
attribute updates with verification, password reset, sign-out and global sign-out. Each test
asserts what the app sees: nextStep values, the tokens' claims, attributes.
signInWithRedirect is in tests/browser/test_amplify_redirect.py."""
import json

import httpx
import pytest

from tests.conftest import make_client
from tests.support.clients import requires, run_node
from tests.support.factories import PASSWORD, create_user, unique_name
from tests.support.server import ROOT, RunningServer

pytestmark = requires("node_modules")
LAMBDAS = ROOT / "tests" / "lambdas"
CUSTOM = "arn:aws:lambda:us-east-1:000000000000:function:custom-auth-py"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An emulator whose config declares the custom-auth triggers (tests/lambdas)."""
    folder = tmp_path_factory.mktemp("amplify")
    config = folder / "emulator.json"
    config.write_text(json.dumps({"functions": {
        "custom-auth-py": f"{LAMBDAS / 'custom_auth_py.py'}:handler"}}))
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)]) \
            as running:
        yield running


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.url)


@pytest.fixture
def make_app(idp, server):
    """make_app(flows=FLOWS, **CreateUserPool params) -> (pool id, client id); deleted after.
    The emulator's clock is put back after the test (flows move it)."""
    made = []

    def make(flows=FLOWS, **params):
        pool_id = idp.create_user_pool(PoolName=unique_name("amplify"), **params)["UserPool"]["Id"]
        made.append(pool_id)
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="amplify", ExplicitAuthFlows=flows,
        )["UserPoolClient"]["ClientId"]
        return pool_id, client_id
    yield make
    for pool_id in made:
        idp.delete_user_pool(UserPoolId=pool_id)
    httpx.post(server.url + "/_emulator/clock", json={"reset": True})


def amplify(server, flow: str, app: tuple[str, str], username: str, **inputs) -> dict:
    """Run one flow of amplify_flows.mjs; what the app saw. A failing flow fails here."""
    pool_id, client_id = app
    seen = run_node("amplify_flows.mjs", json.dumps({
        "flow": flow, "endpoint": server.url, "userPoolId": pool_id,
        "userPoolClientId": client_id, "username": username, "password": PASSWORD, **inputs}))
    assert seen.pop("ok"), seen
    return seen


def signed_in(result: dict) -> None:
    assert result == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}


def test_sign_up_confirm_and_srp_sign_in(server, idp, make_app):
    app = make_app(AutoVerifiedAttributes=["email"])
    username, email = unique_name("amp"), f"{unique_name('amp')}@example.com"
    seen = amplify(server, "signUp", app, username, email=email)
    assert seen["signUp"]["isSignUpComplete"] is False
    assert seen["signUp"]["nextStep"] == {
        "signUpStep": "CONFIRM_SIGN_UP",
        "codeDeliveryDetails": {"destination": f"{email[0]}***@e***", "deliveryMedium": "EMAIL",
                                "attributeName": "email"}}
    # Signing in before the confirmation: Cognito refuses with UserNotConfirmedException
    # once the password is proven, which Amplify's signIn turns into this step.
    assert seen["beforeConfirm"] == {"isSignedIn": False,
                                     "nextStep": {"signInStep": "CONFIRM_SIGN_UP"}}
    assert seen["confirmSignUp"] == {"isSignUpComplete": True, "nextStep": {"signUpStep": "DONE"}}
    signed_in(seen["signIn"])
    sub = seen["session"]["access"]["sub"]
    assert seen["signUp"]["userId"] == sub == seen["session"]["userSub"]
    assert seen["currentUser"] == {
        "username": username, "userId": sub,
        "signInDetails": {"loginId": username, "authFlowType": "USER_SRP_AUTH"}}
    access, id_token = seen["session"]["access"], seen["session"]["id"]
    assert access["username"] == username and access["token_use"] == "access"
    assert access["client_id"] == app[1] and access["scope"] == "aws.cognito.signin.user.admin"
    assert id_token["cognito:username"] == username and id_token["aud"] == app[1]
    assert id_token["email"] == email and id_token["email_verified"] is True
    assert seen["attributes"] == {"email": email, "email_verified": "true", "sub": sub}


@pytest.mark.parametrize("auth_flow", [None, "USER_AUTH"])
def test_sign_up_with_auto_sign_in(server, idp, make_app, auth_flow):
    """signUp({options: {autoSignIn}}): confirmSignUp answers COMPLETE_AUTO_SIGN_IN, then
    autoSignIn() signs in: with the password (SRP), or with ConfirmSignUp's Session (USER_AUTH,
    no password)."""
    app = make_app(flows=["ALLOW_USER_AUTH", *FLOWS], AutoVerifiedAttributes=["email"])
    username, email = unique_name("amp"), f"{unique_name('amp')}@example.com"
    inputs = {"authFlowType": auth_flow} if auth_flow else {}
    seen = amplify(server, "signUpAutoSignIn", app, username, email=email, **inputs)
    assert seen["signUp"]["nextStep"]["signUpStep"] == "CONFIRM_SIGN_UP"
    assert seen["confirmSignUp"] == {"isSignUpComplete": True,
                                     "nextStep": {"signUpStep": "COMPLETE_AUTO_SIGN_IN"}}
    signed_in(seen["autoSignIn"])
    assert seen["session"]["access"]["username"] == username
    assert seen["session"]["id"]["email_verified"] is True


@pytest.mark.parametrize("flow", ["customWithoutSrp", "customWithSrp"])
def test_custom_auth(server, idp, make_app, flow):
    app = make_app(flows=["ALLOW_CUSTOM_AUTH", *FLOWS], LambdaConfig={
        name: CUSTOM for name in ("DefineAuthChallenge", "CreateAuthChallenge",
                                  "VerifyAuthChallengeResponse", "PreTokenGeneration")})
    username = create_user(idp, app[0], unique_name("amp"))
    seen = amplify(server, flow, app, username)
    for round_no, result in (("1", seen["signIn"]), ("2", seen["round1"])):
        assert result == {"isSignedIn": False, "nextStep": {
            "signInStep": "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
            # Cognito adds USERNAME to a custom challenge's parameters; Amplify passes them on.
            "additionalInfo": {"question": f"code for round {round_no}?", "round": round_no,
                               "USERNAME": username}}}
    signed_in(seen["round2"])
    assert seen["session"]["access"]["username"] == username
    assert seen["session"]["id"]["signed_in_by"] == "custom-auth-py"


def test_custom_auth_wrong_answer(server, idp, make_app):
    app = make_app(flows=["ALLOW_CUSTOM_AUTH", *FLOWS], LambdaConfig={
        name: CUSTOM for name in ("DefineAuthChallenge", "CreateAuthChallenge",
                                  "VerifyAuthChallengeResponse")})
    username = create_user(idp, app[0], unique_name("amp"))
    seen = amplify(server, "customWrongAnswer", app, username)
    assert seen["wrong"] == {"thrown": True, "name": "NotAuthorizedException",
                             "message": "Incorrect username or password."}


def test_totp_setup_then_sign_in_with_mfa(server, idp, make_app):
    app = make_app(MfaConfiguration="OPTIONAL")
    idp.set_user_pool_mfa_config(UserPoolId=app[0], MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    username = create_user(idp, app[0], unique_name("amp"))
    seen = amplify(server, "totp", app, username)
    signed_in(seen["signIn"])
    # Amplify puts the username in JSON quotes itself (setUpTOTP: JSON.stringify(username)).
    assert seen["setupUri"] == (f"otpauth://totp/AmplifyTest:%22{username}%22?secret="
                                f"{seen['secret']}&issuer=AmplifyTest")
    assert seen["afterSignOut"]["signedIn"] is False
    assert seen["second"] == {"isSignedIn": False,
                              "nextStep": {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}}
    signed_in(seen["confirm"])
    assert seen["session"]["access"]["username"] == username
    user = idp.admin_get_user(UserPoolId=app[0], Username=username)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_remembered_device_skips_mfa(server, idp, make_app):
    app = make_app(MfaConfiguration="OPTIONAL", DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    idp.set_user_pool_mfa_config(UserPoolId=app[0], MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    username = create_user(idp, app[0], unique_name("amp"))
    secret = amplify(server, "totp", app, username)["secret"]
    seen = amplify(server, "devices", app, username, secret=secret)
    assert seen["first"]["nextStep"] == {"signInStep": "CONFIRM_SIGN_IN_WITH_TOTP_CODE"}
    signed_in(seen["firstConfirm"])
    device_key = seen["deviceKeyClaim"]
    assert device_key and device_key.startswith("us-east-1_")
    # The sign-in of the "totp" flow left a device too, tracked but not remembered.
    assert seen["remembered"][device_key] == {"name": "Node.js/20", "status": "remembered"}
    assert sorted(d["status"] for d in seen["remembered"].values()) == ["not_remembered",
                                                                         "remembered"]
    # Signed out and in again on the remembered device: no MFA, the device's key in the token.
    signed_in(seen["second"])
    assert seen["secondSession"]["access"]["device_key"] == device_key
    assert seen["refreshed"]["access"]["device_key"] == device_key
    assert device_key not in seen["afterForget"] and len(seen["afterForget"]) == 1


def test_token_refresh_with_the_clock_advanced(server, idp, make_app):
    app = make_app()
    username = create_user(idp, app[0], unique_name("amp"))
    seen = amplify(server, "refresh", app, username)
    before, after = seen["before"], seen["after"]
    assert after["access"]["iat"] >= before["access"]["iat"] + 3700
    assert after["access"]["exp"] == after["access"]["iat"] + 3600
    assert after["access"]["origin_jti"] == before["access"]["origin_jti"]
    assert after["access"]["jti"] != before["access"]["jti"]
    assert after["access"]["auth_time"] == before["access"]["auth_time"]
    assert after["id"]["sub"] == before["id"]["sub"]
    assert after["accessToken"] != before["accessToken"]
    assert seen["attributes"]["sub"] == before["id"]["sub"]


def test_update_attributes_with_verification(server, idp, make_app):
    app = make_app(AutoVerifiedAttributes=["email"])
    email, new_email = f"{unique_name('old')}@example.com", f"{unique_name('new')}@example.com"
    username = create_user(idp, app[0], unique_name("amp"), attributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    seen = amplify(server, "attributes", app, username, newEmail=new_email)
    assert seen["update"] == {
        "email": {"isUpdated": False, "nextStep": {
            "updateAttributeStep": "CONFIRM_ATTRIBUTE_WITH_CODE",
            "codeDeliveryDetails": {"destination": f"{new_email[0]}***@e***",
                                    "deliveryMedium": "EMAIL", "attributeName": "email"}}},
        "given_name": {"isUpdated": True, "nextStep": {"updateAttributeStep": "DONE"}}}
    assert seen["pending"]["email"] == new_email
    assert seen["pending"]["email_verified"] == "false"
    assert seen["pending"]["given_name"] == "Ada"
    assert seen["confirmed"]["email"] == new_email
    assert seen["confirmed"]["email_verified"] == "true"
    assert seen["resend"] == {"destination": f"{new_email[0]}***@e***",
                              "deliveryMedium": "EMAIL", "attributeName": "email"}
    assert seen["idAfter"]["email"] == new_email and seen["idAfter"]["email_verified"] is True


def test_reset_password(server, idp, make_app):
    app = make_app()
    email = f"{unique_name('amp')}@example.com"
    username = create_user(idp, app[0], unique_name("amp"), attributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    seen = amplify(server, "resetPassword", app, username, newPassword="New-Passw0rd!")
    assert seen["reset"] == {"isPasswordReset": False, "nextStep": {
        "resetPasswordStep": "CONFIRM_RESET_PASSWORD_WITH_CODE",
        "codeDeliveryDetails": {"destination": f"{email[0]}***@e***", "deliveryMedium": "EMAIL",
                                "attributeName": "email"}}}
    assert seen["oldPassword"] == {"thrown": True, "name": "NotAuthorizedException",
                                   "message": "Incorrect username or password."}
    signed_in(seen["signIn"])


def test_sign_out_and_global_sign_out(server, idp, make_app):
    app = make_app()
    username = create_user(idp, app[0], unique_name("amp"))
    seen = amplify(server, "signOut", app, username)
    assert seen["afterLocal"]["signedIn"] is False and seen["afterGlobal"]["signedIn"] is False
    # signOut() revoked the refresh token of its sign-in (RevokeToken; the access token names
    # origin_jti), signOut({global: true}) signed out every session (GlobalSignOut): the
    # access tokens the app held are refused from then on.
    for token in (seen["local"], seen["global"]):
        with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
            idp.get_user(AccessToken=token)
        assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"
