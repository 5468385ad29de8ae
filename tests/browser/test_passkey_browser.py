"""A real browser registers a passkey and signs in with it: Debian's Chromium, driven by
Playwright, with the DevTools protocol's virtual authenticator (WebAuthn domain) standing in
for a platform authenticator, on the emulator's own demo page
(GET /_emulator/passkey-demo, emulator/web/passkey_demo.py).

The page is opened at http://localhost:<port>, so the relying party id is "localhost".
Needs /usr/bin/chromium (scripts/bootstrap --test installs it) and the playwright package;
no browser is ever downloaded.
"""
from urllib.parse import urlencode, urlsplit

from tests.support.factories import PASSWORD, create_user, unique_name


def virtual_authenticator(page) -> tuple[object, str]:
    """A CTAP2 platform authenticator with resident keys and user verification, as the
    DevTools protocol offers it: (CDP session, authenticatorId)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


def run_step(page, button: str) -> str:
    """Click a demo step and wait for its outcome; fails with what the page reported."""
    page.click(f"#{button}")
    page.wait_for_function("['ok', 'error'].includes(document.getElementById('status')"
                           ".dataset.state)")
    state = page.get_attribute("#status", "data-state")
    text = page.inner_text("#status")
    assert state == "ok", f"{button}: {text}\n{page.inner_text('#result')}"
    return text


def test_register_and_sign_in_with_a_passkey_in_chromium(cognito, endpoint, make_pool, page):
    pool_id = make_pool(Policies={"SignInPolicy": {"AllowedFirstAuthFactors":
                                                   ["PASSWORD", "WEB_AUTHN"]}})
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration={
        "RelyingPartyId": "localhost", "UserVerification": "required"})
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="browser",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"][
        "ClientId"]
    username = create_user(cognito, pool_id, unique_name("browser"))
    cdp, authenticator_id = virtual_authenticator(page)

    port = urlsplit(endpoint).port
    query = urlencode({"clientId": client_id, "username": username, "password": PASSWORD})
    page.goto(f"http://localhost:{port}/_emulator/passkey-demo?{query}")

    assert run_step(page, "signInPassword") == f"signed in as {username}"
    assert run_step(page, "register").endswith("(1 in all)")
    [stored] = cdp.send("WebAuthn.getCredentials",
                        {"authenticatorId": authenticator_id})["credentials"]
    assert stored["rpId"] == "localhost" and stored["isResidentCredential"]

    assert run_step(page, "signInPasskey") == f"signed in as {username}"
    assert run_step(page, "signInPasskey") == f"signed in as {username}"
    [used] = cdp.send("WebAuthn.getCredentials",
                      {"authenticatorId": authenticator_id})["credentials"]
    assert used["signCount"] >= 2   # the emulator checked it grew with each sign-in

    factors = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username=username)
    assert "WEB_AUTHN" in factors["ConfiguredUserAuthFactors"]


def test_a_removed_passkey_no_longer_signs_in(cognito, endpoint, make_pool, page):
    pool_id = make_pool(Policies={"SignInPolicy": {"AllowedFirstAuthFactors":
                                                   ["PASSWORD", "WEB_AUTHN"]}})
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id,
                                     WebAuthnConfiguration={"RelyingPartyId": "localhost"})
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="browser",
        ExplicitAuthFlows=["ALLOW_USER_AUTH"])["UserPoolClient"]["ClientId"]
    username = create_user(cognito, pool_id, unique_name("browser"))
    virtual_authenticator(page)
    port = urlsplit(endpoint).port
    query = urlencode({"clientId": client_id, "username": username, "password": PASSWORD})
    page.goto(f"http://localhost:{port}/_emulator/passkey-demo?{query}")
    run_step(page, "signInPassword")
    run_step(page, "register")

    access = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD",
                        "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    [credential] = cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
    cognito.delete_web_authn_credential(AccessToken=access,
                                        CredentialId=credential["CredentialId"])
    page.click("#signInPasskey")
    page.wait_for_function("document.getElementById('status').dataset.state === 'error'")
    assert "no WEB_AUTHN challenge: SELECT_CHALLENGE" in page.inner_text("#status")
