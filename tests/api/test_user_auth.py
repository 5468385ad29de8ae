"""Choice-based sign-in (AuthFlow USER_AUTH) through boto3: AvailableChallenges and
SELECT_CHALLENGE, PREFERRED_CHALLENGE, the PASSWORD / PASSWORD_SRP / EMAIL_OTP / SMS_OTP first
factors, the MFA rules, the Session from ConfirmSignUp, and Get/AdminGetUserAuthFactors.
(Passkeys - WEB_AUTHN - are in test_passkeys.py.)"""
import pytest

from tests.support.factories import (
    PASSWORD,
    attrs_of,
    claims,
    create_user,
    error,
    last_message,
    unique_name,
    wrong_code,
)
from tests.support.srp_client import SrpClient, secret_hash

ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")
EXPIRED_SESSION = ("NotAuthorizedException", "Invalid session for the user, session is expired.")
CODE_MISMATCH = ("CodeMismatchException", "Invalid code or auth state for the user.")
PHONE = "+15555550123"


@pytest.fixture
def factors():
    """The pool's AllowedFirstAuthFactors; a test may set it before asking for `pool_id`."""
    return list(ALL_FACTORS)


@pytest.fixture
def pool_id(make_pool, factors):
    return make_pool(AutoVerifiedAttributes=["email"],
                     Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}})


def user_auth_client(cognito, pool_id, **params) -> str:
    params.setdefault("ExplicitAuthFlows", ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="choice",
                                           **params)["UserPoolClient"]["ClientId"]


@pytest.fixture
def client_id(cognito, pool_id):
    """USER_AUTH and refresh only: password and SRP work inside USER_AUTH all the same."""
    return user_auth_client(cognito, pool_id)


@pytest.fixture
def user(cognito, pool_id):
    name = unique_name("u")
    return create_user(cognito, pool_id, name, attributes=[
        {"Name": "email", "Value": f"{name}@example.com"},
        {"Name": "phone_number", "Value": PHONE}])


def user_auth(cognito, client_id, username, **auth):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                 AuthParameters={"USERNAME": username, **auth})


def respond(cognito, client_id, name, session, **responses):
    return cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName=name,
                                             Session=session, ChallengeResponses=responses)


def signed_in_as(result, username):
    tokens = result["AuthenticationResult"]
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(tokens)
    assert claims(tokens["AccessToken"])["username"] == username
    return tokens


def otp_code(outbox, pool_id, username, name="EMAIL_OTP"):
    return last_message(outbox, pool_id, username, name)["code"]


# --- AvailableChallenges / SELECT_CHALLENGE --------------------------------------------------

def test_no_preference_lists_the_users_first_factors(cognito, pool_id, client_id, user):
    started = user_auth(cognito, client_id, user)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    # No passkey yet: WEB_AUTHN, allowed by the pool, is not offered to this user.
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert started["ChallengeParameters"] == {}
    assert len(started["Session"]) >= 20


def test_select_challenge_password(cognito, client_id, user):
    started = user_auth(cognito, client_id, user)
    done = respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                   USERNAME=user, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    signed_in_as(done, user)
    # The session is used up.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                USERNAME=user, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error(e) == INVALID_SESSION


def test_select_challenge_wrong_password(cognito, client_id, user):
    started = user_auth(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                USERNAME=user, ANSWER="PASSWORD", PASSWORD="Wrong-Passw0rd!")
    assert error(e) == INCORRECT


def test_password_answers_select_challenge_directly(cognito, client_id, user):
    started = user_auth(cognito, client_id, user)
    signed_in_as(respond(cognito, client_id, "PASSWORD", started["Session"],
                         USERNAME=user, PASSWORD=PASSWORD), user)


def test_password_srp_answers_select_challenge_directly(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    started = user_auth(cognito, client_id, user)
    verifier = respond(cognito, client_id, "PASSWORD_SRP", started["Session"],
                       USERNAME=user, SRP_A=srp.auth_params()["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    done = respond(cognito, client_id, "PASSWORD_VERIFIER", verifier["Session"],
                   **srp.answer(verifier["ChallengeParameters"]))
    signed_in_as(done, user)


def test_select_challenge_needs_an_offered_answer(cognito, client_id, user):
    started = user_auth(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                USERNAME=user, ANSWER="WEB_AUTHN")
    assert error(e) == ("InvalidParameterException",
                        "The challenge WEB_AUTHN is not available for the user; choose one of "
                        "PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP.")


def test_select_challenge_session_of_another_client(cognito, pool_id, client_id, user):
    other = user_auth_client(cognito, pool_id)
    started = user_auth(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, other, "SELECT_CHALLENGE", started["Session"],
                USERNAME=user, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error(e) == INVALID_SESSION


def test_select_challenge_for_another_user(cognito, pool_id, client_id, user):
    someone = create_user(cognito, pool_id, unique_name("other"))
    started = user_auth(cognito, client_id, user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                USERNAME=someone, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error(e) == INVALID_SESSION


# --- PREFERRED_CHALLENGE -----------------------------------------------------------------

def test_preferred_password_signs_in_directly(cognito, client_id, user):
    signed_in_as(user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="PASSWORD",
                           PASSWORD=PASSWORD), user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="nope-nope")
    assert error(e) == INCORRECT


def test_preferred_password_srp(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="PASSWORD_SRP",
                      SRP_A=srp.auth_params()["SRP_A"])
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == user
    done = respond(cognito, client_id, "PASSWORD_VERIFIER", first["Session"],
                   **srp.answer(first["ChallengeParameters"]))
    signed_in_as(done, user)


def test_preferred_password_needs_the_password(cognito, client_id, user):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="PASSWORD")
    assert error(e) == ("InvalidParameterException", "Missing required parameter PASSWORD")


def test_unknown_preferred_challenge(cognito, client_id, user):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="SOFTWARE_TOKEN_MFA")
    assert error(e) == ("InvalidParameterException", "PREFERRED_CHALLENGE must be one of PASSWORD, "
                        "PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN.")


@pytest.mark.parametrize("factors", [["PASSWORD"]])
def test_preference_for_a_factor_the_pool_disallows(cognito, client_id, user, outbox, pool_id):
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                USERNAME=user, ANSWER="EMAIL_OTP")
    assert outbox(poolId=pool_id, username=user) == []


def test_client_without_allow_user_auth(cognito, pool_id, user):
    cid = user_auth_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                "ALLOW_USER_SRP_AUTH"])
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        user_auth(cognito, cid, user, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert error(e) == ("InvalidParameterException", "USER_AUTH is not enabled for the client.")


def test_admin_initiate_auth(cognito, pool_id, client_id, user):
    done = cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": user, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD})
    signed_in_as(done, user)


def test_client_with_secret(cognito, pool_id, user):
    made = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="secret",
                                           GenerateSecret=True,
                                           ExplicitAuthFlows=["ALLOW_USER_AUTH"])["UserPoolClient"]
    cid, secret = made["ClientId"], made["ClientSecret"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        user_auth(cognito, cid, user)
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    started = user_auth(cognito, cid, user, SECRET_HASH=secret_hash(user, cid, secret))
    done = respond(cognito, cid, "SELECT_CHALLENGE", started["Session"], USERNAME=user,
                   ANSWER="PASSWORD", PASSWORD=PASSWORD, SECRET_HASH=secret_hash(user, cid, secret))
    signed_in_as(done, user)


# --- EMAIL_OTP / SMS_OTP --------------------------------------------------------------------

def test_email_otp_sign_in(cognito, pool_id, client_id, user, outbox):
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                              "CODE_DELIVERY_DESTINATION": f"{user[0]}***@e***",
                                              "USERNAME": user}
    mail = last_message(outbox, pool_id, user, "EMAIL_OTP")
    assert mail["medium"] == "EMAIL" and mail["destination"] == f"{user}@example.com"
    assert mail["code"] in mail["message"]
    done = respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                   EMAIL_OTP_CODE=mail["code"])
    tokens = signed_in_as(done, user)
    # The code proved the address.
    assert attrs_of(cognito.get_user(AccessToken=tokens["AccessToken"]))["email_verified"] == "true"
    # Refresh works as after any sign-in.
    refreshed = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert "AccessToken" in refreshed["AuthenticationResult"]


def test_sms_otp_through_select_challenge(cognito, pool_id, client_id, user, outbox):
    started = user_auth(cognito, client_id, user)
    sent = respond(cognito, client_id, "SELECT_CHALLENGE", started["Session"],
                   USERNAME=user, ANSWER="SMS_OTP")
    assert sent["ChallengeName"] == "SMS_OTP"
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].endswith(PHONE[-4:])
    sms = last_message(outbox, pool_id, user, "SMS_OTP")
    assert sms["medium"] == "SMS" and sms["destination"] == PHONE
    done = respond(cognito, client_id, "SMS_OTP", sent["Session"], USERNAME=user,
                   SMS_OTP_CODE=sms["code"])
    tokens = signed_in_as(done, user)
    assert attrs_of(cognito.get_user(AccessToken=tokens["AccessToken"]))[
        "phone_number_verified"] == "true"


def test_wrong_otp_keeps_the_session_for_another_try(cognito, pool_id, client_id, user, outbox):
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = otp_code(outbox, pool_id, user)
    with pytest.raises(cognito.exceptions.CodeMismatchException) as e:
        respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                EMAIL_OTP_CODE=wrong_code(code))
    assert error(e) == CODE_MISMATCH
    done = respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                   EMAIL_OTP_CODE=code)
    signed_in_as(done, user)
    # Used: the code and its session are gone.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                EMAIL_OTP_CODE=code)
    assert error(e) == INVALID_SESSION


def test_three_wrong_otps_end_the_session(cognito, pool_id, client_id, user, outbox):
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = otp_code(outbox, pool_id, user)
    for _ in range(3):
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                    EMAIL_OTP_CODE=wrong_code(code))
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                EMAIL_OTP_CODE=code)
    assert error(e) == INVALID_SESSION


def test_expired_otp(cognito, pool_id, client_id, user, outbox, clock):
    clock.pin()
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = otp_code(outbox, pool_id, user)
    clock.advance(3 * 60 + 1)  # AuthSessionValidity: 3 minutes by default
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=user,
                EMAIL_OTP_CODE=code)
    assert error(e) == EXPIRED_SESSION


def test_otp_of_one_challenge_does_not_answer_another(cognito, pool_id, client_id, user, outbox):
    first = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    old = otp_code(outbox, pool_id, user)
    second = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    new = otp_code(outbox, pool_id, user)
    if old != new:
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            respond(cognito, client_id, "EMAIL_OTP", second["Session"], USERNAME=user,
                    EMAIL_OTP_CODE=old)
    signed_in_as(respond(cognito, client_id, "EMAIL_OTP", first["Session"], USERNAME=user,
                         EMAIL_OTP_CODE=old), user)


def test_otp_session_of_another_client(cognito, pool_id, client_id, user, outbox):
    other = user_auth_client(cognito, pool_id)
    started = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, other, "EMAIL_OTP", started["Session"], USERNAME=user,
                EMAIL_OTP_CODE=otp_code(outbox, pool_id, user))
    assert error(e) == INVALID_SESSION


def test_otp_challenge_needs_a_session(cognito, client_id, user):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as e:
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_OTP",
                                          ChallengeResponses={"USERNAME": user,
                                                              "SMS_OTP_CODE": "123456"})
    assert error(e) == ("InvalidParameterException", "Missing required parameter Session")


def test_disabled_user_gets_no_code(cognito, pool_id, client_id, user, outbox):
    cognito.admin_disable_user(UserPoolId=pool_id, Username=user)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert error(e) == ("NotAuthorizedException", "User is disabled.")
    assert outbox(poolId=pool_id, username=user) == []


def test_email_otp_confirms_an_unconfirmed_user(cognito, pool_id, client_id, outbox):
    name = unique_name("new")
    cognito.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    # The password alone doesn't sign an unconfirmed user in...
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        user_auth(cognito, client_id, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    # ...a code to the address does, and confirms the user on the way.
    started = user_auth(cognito, client_id, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    signed_in_as(respond(cognito, client_id, "EMAIL_OTP", started["Session"], USERNAME=name,
                         EMAIL_OTP_CODE=otp_code(outbox, pool_id, name)), name)
    got = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert got["UserStatus"] == "CONFIRMED"
    assert attrs_of(got)["email_verified"] == "true"


def test_otp_first_factors_need_the_attribute(cognito, pool_id, client_id):
    name = create_user(cognito, pool_id, unique_name("bare"))
    started = user_auth(cognito, client_id, name, PREFERRED_CHALLENGE="SMS_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


# --- MFA rules ----------------------------------------------------------------------------

def test_required_mfa_takes_otp_first_factors_away(cognito, new_pool):
    pool_id = new_pool(MfaConfiguration="ON",
                       SmsConfiguration={"SnsCallerArn": "arn:aws:iam::000000000000:role/sns",
                                         "ExternalId": "x"},
                       Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS}})["Id"]
    cid = user_auth_client(cognito, pool_id)
    name = create_user(cognito, pool_id, unique_name("m"), attributes=[
        {"Name": "email", "Value": "m@example.com"}, {"Name": "phone_number", "Value": PHONE}])
    started = user_auth(cognito, cid, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_optional_mfa_takes_otp_away_from_users_with_mfa(cognito, new_pool):
    pool_id = new_pool(MfaConfiguration="OPTIONAL",
                       SmsConfiguration={"SnsCallerArn": "arn:aws:iam::000000000000:role/sns",
                                         "ExternalId": "x"},
                       Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS}})["Id"]
    cid = user_auth_client(cognito, pool_id)
    name = create_user(cognito, pool_id, unique_name("m"), attributes=[
        {"Name": "email", "Value": "m@example.com"}, {"Name": "phone_number", "Value": PHONE},
        {"Name": "phone_number_verified", "Value": "true"}])
    assert user_auth(cognito, cid, name)["AvailableChallenges"] == \
        ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name,
                                          SMSMfaSettings={"Enabled": True})
    assert user_auth(cognito, cid, name)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


# --- unknown users -------------------------------------------------------------------------

def test_unknown_user(cognito, client_id):
    with pytest.raises(cognito.exceptions.UserNotFoundException) as e:
        user_auth(cognito, client_id, "nobody-here")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_preferring_a_password(cognito, client_id):
    # The password sign-in's own answer (with a UserMigration trigger it would run here).
    with pytest.raises(cognito.exceptions.UserNotFoundException) as e:
        user_auth(cognito, client_id, "nobody-here", PREFERRED_CHALLENGE="PASSWORD",
                  PASSWORD=PASSWORD)
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_with_prevent_user_existence_errors(cognito, pool_id, outbox):
    cid = user_auth_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")
    started = user_auth(cognito, cid, "nobody-here")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP",
                                              "WEB_AUTHN"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        respond(cognito, cid, "SELECT_CHALLENGE", started["Session"], USERNAME="nobody-here",
                ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error(e) == INCORRECT
    # An OTP "goes out" to a simulated address; no code is right.
    sent = user_auth(cognito, cid, "nobody-here", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert sent["ChallengeName"] == "EMAIL_OTP"
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert outbox(poolId=pool_id, username="nobody-here") == []
    with pytest.raises(cognito.exceptions.CodeMismatchException) as e:
        respond(cognito, cid, "EMAIL_OTP", sent["Session"], USERNAME="nobody-here",
                EMAIL_OTP_CODE="123456")
    assert error(e) == CODE_MISMATCH


# --- the Session ConfirmSignUp returns -------------------------------------------------------

def sign_up(cognito, client_id, outbox, pool_id) -> tuple[str, dict]:
    name = unique_name("signup")
    cognito.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    code = last_message(outbox, pool_id, name, "SIGN_UP")["code"]
    return name, cognito.confirm_sign_up(ClientId=client_id, Username=name, ConfirmationCode=code)


def test_sign_in_with_the_confirm_sign_up_session(cognito, pool_id, client_id, outbox):
    name, confirmed = sign_up(cognito, client_id, outbox, pool_id)
    session = confirmed["Session"]
    done = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", Session=session,
                                 AuthParameters={"USERNAME": name})
    signed_in_as(done, name)
    # Once only.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", Session=session,
                              AuthParameters={"USERNAME": name})
    assert error(e) == INVALID_SESSION


def test_confirm_sign_up_session_is_bound_to_client_user_and_time(cognito, pool_id, client_id,
                                                                   outbox, clock, user):
    other = user_auth_client(cognito, pool_id)
    name, confirmed = sign_up(cognito, client_id, outbox, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.initiate_auth(ClientId=other, AuthFlow="USER_AUTH", Session=confirmed["Session"],
                              AuthParameters={"USERNAME": name})
    assert error(e) == INVALID_SESSION

    name, confirmed = sign_up(cognito, client_id, outbox, pool_id)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                              Session=confirmed["Session"], AuthParameters={"USERNAME": user})
    assert error(e) == INVALID_SESSION

    clock.pin()
    name, confirmed = sign_up(cognito, client_id, outbox, pool_id)
    clock.advance(3 * 60 + 1)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                              Session=confirmed["Session"], AuthParameters={"USERNAME": name})
    assert error(e) == EXPIRED_SESSION


# --- GetUserAuthFactors / AdminGetUserAuthFactors ---------------------------------------------

def test_user_auth_factors(cognito, pool_id, client_id, user):
    access = user_auth(cognito, client_id, user, PREFERRED_CHALLENGE="PASSWORD",
                       PASSWORD=PASSWORD)["AuthenticationResult"]["AccessToken"]
    got = cognito.get_user_auth_factors(AccessToken=access)
    got.pop("ResponseMetadata")
    assert got == {"Username": user,
                   "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}
    admin = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username=user)
    admin.pop("ResponseMetadata")
    assert admin == got


@pytest.mark.parametrize("factors", [["PASSWORD", "EMAIL_OTP"]])
def test_user_auth_factors_follow_the_pool(cognito, pool_id, user):
    got = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username=user)
    assert got["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]


def test_user_auth_factors_errors(cognito, pool_id):
    with pytest.raises(cognito.exceptions.UserNotFoundException) as e:
        cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="nobody")
    assert error(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as e:
        cognito.get_user_auth_factors(AccessToken="not.a.token")
    assert error(e) == ("NotAuthorizedException", "Invalid Access Token")
