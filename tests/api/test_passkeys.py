"""Passkeys through boto3 with a software authenticator (tests/support/webauthn_authenticator):
Start/CompleteWebAuthnRegistration, List/DeleteWebAuthnCredential and their errors, and
sign-in with USER_AUTH + WEB_AUTHN - right answers and the wrong ones (replayed assertion,
counter that did not increase, another key, another origin, another client's session)."""
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.factories import PASSWORD, claims, create_user, error, unique_name
from tests.support.webauthn_authenticator import Credential, SoftAuthenticator, b64url, from_b64url

ORIGIN = "http://localhost:3000"
RP = "localhost"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")
NOT_PENDING = ("WebAuthnChallengeNotFoundException", "No passkey registration is pending for "
               "the user, or it expired: call StartWebAuthnRegistration again.")


@pytest.fixture
def webauthn():
    """The pool's WebAuthnConfiguration; a test may parametrize it."""
    return {"RelyingPartyId": RP, "UserVerification": "preferred"}


@pytest.fixture
def pool_id(cognito, make_pool, webauthn):
    pool_id = make_pool(Policies={"SignInPolicy": {
        "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}})
    if webauthn is not None:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration=webauthn)
    return pool_id


def new_client(cognito, pool_id, **params) -> str:
    params.setdefault("ExplicitAuthFlows", ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="passkeys",
                                           **params)["UserPoolClient"]["ClientId"]


@pytest.fixture
def client_id(cognito, pool_id):
    return new_client(cognito, pool_id)


@pytest.fixture
def user(cognito, pool_id):
    return create_user(cognito, pool_id, unique_name("pk"))


def password_tokens(cognito, client_id, username) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD",
                        "PASSWORD": PASSWORD})["AuthenticationResult"]


@pytest.fixture
def access(cognito, client_id, user) -> str:
    return password_tokens(cognito, client_id, user)["AccessToken"]


def register(cognito, access, authenticator=None, origin=ORIGIN) -> tuple[SoftAuthenticator, str]:
    """Start, create() with the authenticator, Complete -> (authenticator, credential id)."""
    authenticator = authenticator or SoftAuthenticator()
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    created = authenticator.create(options, origin=origin)
    cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    return authenticator, created["id"]


def start(cognito, client_id, username) -> dict:
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": username,
                                                    "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert started["ChallengeName"] == "WEB_AUTHN"
    return started


def options_of(started) -> dict:
    return json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def answer(cognito, client_id, started, assertion, username=None):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="WEB_AUTHN", Session=started["Session"],
        ChallengeResponses={"USERNAME": username or started["ChallengeParameters"]["USERNAME"],
                            "CREDENTIAL": assertion if isinstance(assertion, str)
                            else json.dumps(assertion)})


def signed_in(done, user, client_id) -> None:
    """The answer is a finished sign-in: tokens of this user, issued to this app client."""
    result = done["AuthenticationResult"]
    access, id_token = claims(result["AccessToken"]), claims(result["IdToken"])
    assert (access["token_use"], access["username"], access["client_id"]) == \
        ("access", user, client_id)
    assert (id_token["token_use"], id_token["cognito:username"], id_token["aud"]) == \
        ("id", user, client_id)
    assert result["RefreshToken"]


def listed(cognito, access) -> list[dict]:
    return cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]


# --- registration ------------------------------------------------------------------------------

def test_registration_options(cognito, access, user):
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert options["authenticatorSelection"] == {"requireResidentKey": True,
                                                 "residentKey": "required",
                                                 "userVerification": "preferred"}
    assert options["pubKeyCredParams"] == [{"alg": -7, "type": "public-key"},
                                           {"alg": -257, "type": "public-key"}]
    assert options["rp"] == {"id": RP, "name": RP}
    assert options["timeout"] == 60000
    assert options["user"] == {"displayName": user, "name": user,
                               "id": b64url(claims(access)["sub"].encode())}
    assert options["excludeCredentials"] == []
    assert len(from_b64url(options["challenge"])) == 32


def test_register_list_and_sign_in(cognito, client_id, access, user):
    authenticator, credential_id = register(cognito, access)
    [described] = listed(cognito, access)
    assert described["CredentialId"] == credential_id
    assert described["RelyingPartyId"] == RP
    assert described["AuthenticatorAttachment"] == "platform"
    assert described["AuthenticatorTransports"] == ["internal"]
    assert described["FriendlyCredentialName"].startswith("Passkey ")
    assert described["CreatedAt"]
    # A second registration excludes the passkey the user has.
    again = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert again["excludeCredentials"] == [{"id": credential_id, "type": "public-key"}]

    started = start(cognito, client_id, user)
    options = options_of(started)
    assert options["rpId"] == RP and options["userVerification"] == "preferred"
    assert options["allowCredentials"] == [{"type": "public-key", "id": credential_id,
                                            "transports": ["internal"]}]
    assert options["timeout"] == 180000
    assert started["ChallengeParameters"]["USERNAME"] == user
    done = answer(cognito, client_id, started, authenticator.get(options, origin=ORIGIN))
    assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == user

    # The factor shows among the user's options, and is offered without a preference.
    assert cognito.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"] == \
        ["PASSWORD", "WEB_AUTHN"]
    offered = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": user})
    assert offered["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]


def test_sign_in_through_select_challenge(cognito, client_id, access, user):
    authenticator, _ = register(cognito, access)
    offered = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": user})
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SELECT_CHALLENGE", Session=offered["Session"],
        ChallengeResponses={"USERNAME": user, "ANSWER": "WEB_AUTHN"})
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    done = answer(cognito, client_id, chosen, authenticator.get(options_of(chosen), origin=ORIGIN))
    assert "AccessToken" in done["AuthenticationResult"]
    signed_in(done, user, client_id)


def test_passkeys_are_not_enabled(cognito, make_pool):
    pool_id = make_pool()  # AllowedFirstAuthFactors: PASSWORD only
    cid = new_client(cognito, pool_id)
    name = create_user(cognito, pool_id, unique_name("pk"))
    access = password_tokens(cognito, cid, name)["AccessToken"]
    with pytest.raises(cognito.exceptions.WebAuthnNotEnabledException) as e:
        cognito.start_web_authn_registration(AccessToken=access)
    assert error(e) == ("WebAuthnNotEnabledException",
                        "Passkeys (WEB_AUTHN) are not enabled for this user pool.")


@pytest.mark.parametrize("webauthn", [None])
def test_relying_party_id_is_missing(cognito, pool_id, access):
    with pytest.raises(cognito.exceptions.WebAuthnConfigurationMissingException) as e:
        cognito.start_web_authn_registration(AccessToken=access)
    assert error(e) == ("WebAuthnConfigurationMissingException",
                        "The user pool has neither a passkey relying party id nor a domain.")


@pytest.mark.parametrize("webauthn", [None])
def test_relying_party_id_defaults_to_the_prefix_domain(cognito, pool_id, client_id, access,
                                                        user):
    prefix = unique_name("pk").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    try:
        rp = f"{prefix}.auth.us-east-1.amazoncognito.com"
        options = cognito.start_web_authn_registration(
            AccessToken=access)["CredentialCreationOptions"]
        assert options["rp"]["id"] == rp
        authenticator = SoftAuthenticator()
        cognito.complete_web_authn_registration(
            AccessToken=access, Credential=authenticator.create(options, origin=f"https://{rp}"))
        started = start(cognito, client_id, user)
        assert options_of(started)["rpId"] == rp
        answer(cognito, client_id, started,
               authenticator.get(options_of(started), origin=f"https://{rp}"))
    finally:  # a pool with a domain can't be deleted
        cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)


def test_complete_without_start(cognito, access):
    created = SoftAuthenticator().create(
        {"rp": {"id": RP}, "user": {"id": b64url(b"x")}, "challenge": b64url(b"c" * 32)},
        origin=ORIGIN)
    with pytest.raises(cognito.exceptions.WebAuthnChallengeNotFoundException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert error(e) == NOT_PENDING


def test_complete_after_the_challenge_expired(cognito, access, clock):
    clock.pin()
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    created = SoftAuthenticator().create(options, origin=ORIGIN)
    clock.advance(5 * 60 + 1)
    with pytest.raises(cognito.exceptions.WebAuthnChallengeNotFoundException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert error(e) == NOT_PENDING
    # within the five minutes the same steps register the passkey
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    created = SoftAuthenticator().create(options, origin=ORIGIN)
    clock.advance(5 * 60 - 1)
    cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert [c["CredentialId"] for c in listed(cognito, access)] == [created["id"]]


def test_complete_answers_only_the_latest_challenge_once(cognito, access):
    authenticator = SoftAuthenticator()
    first = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    stale = authenticator.create(first, origin=ORIGIN)
    second = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    with pytest.raises(cognito.exceptions.WebAuthnChallengeNotFoundException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=stale)
    assert error(e) == ("WebAuthnChallengeNotFoundException",
                        "The credential answers a challenge that is not pending for the user.")
    # The failed attempt used up the pending challenge too.
    fresh = SoftAuthenticator().create(second, origin=ORIGIN)
    with pytest.raises(cognito.exceptions.WebAuthnChallengeNotFoundException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=fresh)
    assert error(e) == NOT_PENDING
    assert listed(cognito, access) == []


def test_complete_from_another_client(cognito, pool_id, access, user):
    other = new_client(cognito, pool_id)
    other_access = password_tokens(cognito, other, user)["AccessToken"]
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    with pytest.raises(cognito.exceptions.WebAuthnClientMismatchException) as e:
        cognito.complete_web_authn_registration(
            AccessToken=other_access, Credential=SoftAuthenticator().create(options, origin=ORIGIN))
    assert error(e)[0] == "WebAuthnClientMismatchException"


def test_complete_from_a_foreign_origin(cognito, access):
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    created = SoftAuthenticator().create(options, origin="http://evil.localhost:3000")
    with pytest.raises(cognito.exceptions.WebAuthnOriginNotAllowedException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert error(e) == ("WebAuthnOriginNotAllowedException",
                        "The origin 'http://evil.localhost:3000' is not allowed for the relying "
                        "party id localhost.")
    assert listed(cognito, access) == []


@pytest.mark.parametrize("webauthn", [{"RelyingPartyId": "example.com"}])
def test_complete_for_another_relying_party(cognito, access):
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    # An allowed origin (a subdomain of the RP id), but the authenticator scoped the
    # credential to the subdomain: its RP id hash is not example.com's.
    options["rp"]["id"] = "login.example.com"
    created = SoftAuthenticator().create(options, origin="https://login.example.com")
    with pytest.raises(cognito.exceptions.WebAuthnRelyingPartyMismatchException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert error(e) == ("WebAuthnRelyingPartyMismatchException",
                        "The passkey credential was refused: Unexpected RP ID hash")


class Ed25519Credential(Credential):
    def cose_public_key(self) -> bytes:
        import cbor2
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: raw})   # OKP, EdDSA, Ed25519


class Ed25519Authenticator(SoftAuthenticator):
    def add_credential(self, rp_id, *, credential_id=None, user_handle=b"", sign_count=0):
        credential = Ed25519Credential(credential_id or b"ed25519-credential", rp_id, user_handle,
                                       ed25519.Ed25519PrivateKey.generate(), sign_count)
        self.credentials[credential.id] = credential
        return credential


def test_complete_with_an_unsupported_algorithm(cognito, access):
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    created = Ed25519Authenticator().create(options, origin=ORIGIN)
    with pytest.raises(cognito.exceptions.WebAuthnCredentialNotSupportedException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential=created)
    assert error(e)[1].startswith("The passkey credential was refused: Unsupported credential "
                                  "public key alg \"-8\"")


@pytest.mark.parametrize("webauthn", [{"RelyingPartyId": RP, "UserVerification": "required"}])
def test_user_verification_required(cognito, client_id, access, user):
    options = cognito.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    unverified = SoftAuthenticator(user_verified=False)
    with pytest.raises(cognito.exceptions.WebAuthnCredentialNotSupportedException):
        cognito.complete_web_authn_registration(
            AccessToken=access, Credential=unverified.create(options, origin=ORIGIN))
    authenticator, _ = register(cognito, access)
    started = start(cognito, client_id, user)
    assert options_of(started)["userVerification"] == "required"
    # An assertion without the UV flag (as if the browser had asked for less) is refused.
    authenticator.user_verified = False
    lax = {**options_of(started), "userVerification": "preferred"}
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, authenticator.get(lax, origin=ORIGIN))
    assert error(e) == INCORRECT


def test_complete_with_a_malformed_credential(cognito, access):
    cognito.start_web_authn_registration(AccessToken=access)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential={"id": "x"})
    assert error(e)[1].startswith("Credential is not a valid RegistrationResponseJSON")
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        cognito.complete_web_authn_registration(AccessToken=access, Credential="a string")
    assert error(e) == ("InvalidParameterException",
                        "Credential must be a JSON object (RegistrationResponseJSON).")


def test_at_most_twenty_passkeys(cognito, access):
    for _ in range(20):
        register(cognito, access)
    assert len(listed(cognito, access)) == 20
    with pytest.raises(cognito.exceptions.LimitExceededException) as e:
        cognito.start_web_authn_registration(AccessToken=access)
    assert error(e) == ("LimitExceededException", "A user can register at most 20 passkeys.")
    page = cognito.list_web_authn_credentials(AccessToken=access, MaxResults=15)
    rest = cognito.list_web_authn_credentials(AccessToken=access, NextToken=page["NextToken"])
    assert len(page["Credentials"]) == 15 and len(rest["Credentials"]) == 5
    assert "NextToken" not in rest
    ids = [c["CredentialId"] for c in page["Credentials"] + rest["Credentials"]]
    assert len(set(ids)) == 20


def test_registration_needs_a_valid_access_token(cognito):
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.start_web_authn_registration(AccessToken="not.a.token")
    assert error(e) == ("NotAuthorizedException", "Invalid Access Token")


# --- list / delete -------------------------------------------------------------------------

def test_delete_a_passkey(cognito, client_id, access, user):
    _, credential_id = register(cognito, access)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as e:
        cognito.delete_web_authn_credential(AccessToken=access, CredentialId="unknown")
    assert error(e) == ("ResourceNotFoundException",
                        "The user has no passkey with this credential id.")
    cognito.delete_web_authn_credential(AccessToken=access, CredentialId=credential_id)
    assert listed(cognito, access) == []
    # Without a passkey WEB_AUTHN is no longer offered.
    offered = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": user,
                                                    "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert offered["ChallengeName"] == "SELECT_CHALLENGE"
    assert "WEB_AUTHN" not in offered["AvailableChallenges"]


def test_passkeys_belong_to_their_user(cognito, pool_id, client_id, access, user):
    _, credential_id = register(cognito, access)
    other = create_user(cognito, pool_id, unique_name("other"))
    other_access = password_tokens(cognito, client_id, other)["AccessToken"]
    assert listed(cognito, other_access) == []
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_web_authn_credential(AccessToken=other_access, CredentialId=credential_id)
    assert len(listed(cognito, access)) == 1


# --- sign-in: wrong answers -------------------------------------------------------------------

@pytest.fixture
def registered(cognito, access):
    """(authenticator, credential id) of a passkey the user registered."""
    return register(cognito, access)


def test_counter_moves_on_with_each_sign_in(cognito, client_id, user, registered):
    authenticator, credential_id = registered
    for expected in (1, 2, 3):
        started = start(cognito, client_id, user)
        signed_in(answer(cognito, client_id, started,
                         authenticator.get(options_of(started), origin=ORIGIN)), user, client_id)
        assert authenticator.credentials[from_b64url(credential_id)].sign_count == expected


def test_replayed_assertion(cognito, client_id, user, registered):
    authenticator, _ = registered
    first = start(cognito, client_id, user)
    assertion = authenticator.get(options_of(first), origin=ORIGIN)
    answer(cognito, client_id, first, assertion)
    # The same assertion for a new sign-in: signed over the old challenge.
    second = start(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, second, assertion)
    assert error(e) == INCORRECT
    # And the used session can't be answered again.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, first, assertion)
    assert error(e) == INVALID_SESSION


def test_counter_that_did_not_increase(cognito, client_id, user, registered):
    authenticator, _ = registered
    cloned = authenticator.clone()          # a copy of the device: its counter falls behind
    first = start(cognito, client_id, user)
    signed_in(answer(cognito, client_id, first,
                     authenticator.get(options_of(first), origin=ORIGIN)), user, client_id)
    second = start(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, second, cloned.get(options_of(second), origin=ORIGIN))
    assert error(e) == INCORRECT
    # The real device still works, its counter moving on from the stored one.
    third = start(cognito, client_id, user)
    signed_in(answer(cognito, client_id, third,
                     authenticator.get(options_of(third), origin=ORIGIN)), user, client_id)


def test_authenticators_without_a_counter(cognito, client_id, access, user):
    authenticator, credential_id = register(cognito, access, SoftAuthenticator(counter_step=0))
    for _ in range(2):  # counter 0 every time: allowed (synced passkeys have none)
        started = start(cognito, client_id, user)
        signed_in(answer(cognito, client_id, started,
                         authenticator.get(options_of(started), origin=ORIGIN)), user, client_id)
    assert authenticator.credentials[from_b64url(credential_id)].sign_count == 0


def test_assertion_signed_by_another_key(cognito, client_id, user, registered):
    _, credential_id = registered
    impostor = SoftAuthenticator()
    impostor.add_credential(RP, credential_id=from_b64url(credential_id))
    started = start(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, impostor.get(options_of(started), origin=ORIGIN))
    assert error(e) == INCORRECT


def test_assertion_from_another_origin(cognito, client_id, user, registered):
    authenticator, _ = registered
    started = start(cognito, client_id, user)
    phished = authenticator.get(options_of(started), origin="http://evil.localhost:3000")
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, phished)
    assert error(e) == INCORRECT


def test_assertion_of_an_unregistered_passkey(cognito, client_id, user, registered):
    stranger = SoftAuthenticator()
    stranger.add_credential(RP)
    started = start(cognito, client_id, user)
    lax = {**options_of(started), "allowCredentials": []}
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, stranger.get(lax, origin=ORIGIN))
    assert error(e) == INCORRECT


@pytest.mark.parametrize("garbage", ["not json", "[]", json.dumps({"id": "nope"})])
def test_answer_that_is_not_an_assertion(cognito, client_id, user, registered, garbage):
    started = start(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, garbage)
    assert error(e) == INCORRECT


def test_session_of_another_client(cognito, pool_id, client_id, user, registered):
    authenticator, _ = registered
    other = new_client(cognito, pool_id)
    started = start(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, other, started, authenticator.get(options_of(started), origin=ORIGIN))
    assert error(e) == INVALID_SESSION


def test_expired_session(cognito, client_id, user, registered, clock):
    authenticator, _ = registered
    clock.pin()
    started = start(cognito, client_id, user)
    assertion = authenticator.get(options_of(started), origin=ORIGIN)
    clock.advance(3 * 60 + 1)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, started, assertion)
    assert error(e) == ("NotAuthorizedException",
                        "Invalid session for the user, session is expired.")


def test_disabled_user(cognito, pool_id, client_id, user, registered):
    cognito.admin_disable_user(UserPoolId=pool_id, Username=user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        start(cognito, client_id, user)
    assert error(e) == ("NotAuthorizedException", "User is disabled.")


def test_unknown_user_with_prevent_user_existence_errors(cognito, pool_id, user, registered):
    cid = new_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")
    known = options_of(start(cognito, cid, user))
    unknown_started = start(cognito, cid, "nobody-here")
    unknown = options_of(unknown_started)
    assert set(known) == set(unknown) and unknown["allowCredentials"] == []
    stranger = SoftAuthenticator()
    stranger.add_credential(RP)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, cid, unknown_started, stranger.get(unknown, origin=ORIGIN))
    assert error(e) == INCORRECT


# --- MFA ------------------------------------------------------------------------------------

def test_required_mfa_hides_single_factor_passkeys(cognito, pool_id, client_id, user,
                                                   registered):
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    offered = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": user,
                                                    "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert offered["ChallengeName"] == "SELECT_CHALLENGE"
    assert offered["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


@pytest.mark.parametrize("webauthn", [{"RelyingPartyId": RP, "UserVerification": "preferred",
                                       "FactorConfiguration":
                                           "MULTI_FACTOR_WITH_USER_VERIFICATION"}])
def test_passkey_mfa(cognito, pool_id, client_id, user, registered):
    authenticator, _ = registered
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=user,
                                          WebAuthnMfaSettings={"Enabled": True})
    started = start(cognito, client_id, user)
    # As MFA a passkey must verify the user.
    assert options_of(started)["userVerification"] == "required"
    done = answer(cognito, client_id, started,
                  authenticator.get(options_of(started), origin=ORIGIN))
    assert "AccessToken" in done["AuthenticationResult"]
    signed_in(done, user, client_id)
    authenticator.user_verified = False
    again = start(cognito, client_id, user)
    lax = {**options_of(again), "userVerification": "preferred"}
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        answer(cognito, client_id, again, authenticator.get(lax, origin=ORIGIN))
    assert error(e) == INCORRECT
