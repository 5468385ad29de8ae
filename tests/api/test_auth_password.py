"""Password sign-in through the API: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
ADMIN_NO_SRP_AUTH, REFRESH_TOKEN_AUTH, NEW_PASSWORD_REQUIRED, app-client checks."""
import json

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    PASSWORD,
    attribute_list,
    claims,
    create_user,
    error,
    unique_name,
)
from tests.support.factories import password_sign_in as password_auth
from tests.support.srp_client import secret_hash

TEMP = "Temp-Passw0rd!"
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"]


@pytest.fixture
def make_user(cognito, pool_id):
    """make_user() -> name of a CONFIRMED user with an email; permanent=False leaves it in
    FORCE_CHANGE_PASSWORD with the password TEMP."""
    def make(*, permanent=True):
        name = unique_name("u")
        return create_user(cognito, pool_id, name, temporary_password=TEMP, permanent=permanent,
                           attributes=attribute_list(email=f"{name}@example.com"))
    return make


@pytest.fixture
def user(make_user):
    return make_user()


def new_client(cognito, pool_id, flows=None, **kw):
    if flows is not None:
        kw["ExplicitAuthFlows"] = flows
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c",
                                           **kw)["UserPoolClient"]


# --- success paths --------------------------------------------------------------------------

def test_user_password_auth_returns_tokens(cognito, pool_id, client_id, user):
    out = password_auth(cognito, client_id, user)
    assert out["ChallengeParameters"] == {}
    assert "ChallengeName" not in out and "Session" not in out
    result = out["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    assert result["RefreshToken"]
    assert claims(result["IdToken"])["cognito:username"] == user
    assert claims(result["AccessToken"])["client_id"] == client_id


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(cognito, pool_id, client_id, user, flow):
    out = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                      AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert claims(out["AuthenticationResult"]["AccessToken"])["username"] == user
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                    AuthParameters={"USERNAME": user, "PASSWORD": "Wr0ng-pass!"})
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_wrong_password(cognito, client_id, user):
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client_id, user, "Wr0ng-pass!")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_sign_in_with_email_in_an_email_username_pool(cognito):
    pool_id = cognito.create_user_pool(PoolName="by-email",
                                       UsernameAttributes=["email"])["UserPool"]["Id"]
    try:
        client_id = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
        created = cognito.admin_create_user(UserPoolId=pool_id, Username="Ann@Example.com",
                                            MessageAction="SUPPRESS")["User"]
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="Ann@Example.com",
                                        Password=PASSWORD, Permanent=True)
        out = password_auth(cognito, client_id, "ann@example.com")
        token = claims(out["AuthenticationResult"]["IdToken"])
        assert token["cognito:username"] == created["Username"]  # the UUID, not the email
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)


# --- which API, which flow ------------------------------------------------------------------

@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_flows_refused_on_initiate_auth(cognito, client_id, user, flow):
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow=flow,
                              AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert error(e) == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_user_password_auth_refused_on_admin_initiate_auth(cognito, pool_id, client_id, user):
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                    AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert error(e) == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_unknown_client_and_pool(cognito, pool_id, user):
    with pytest.raises(ClientError) as e:
        password_auth(cognito, "a" * 26, user)
    assert error(e) == ("ResourceNotFoundException", f"User pool client {'a' * 26} does not exist.")
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId="b" * 26,
                                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert error(e) == ("ResourceNotFoundException", f"User pool client {'b' * 26} does not exist.")
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(UserPoolId="us-east-1_nothere00", ClientId="b" * 26,
                                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert error(e) == ("ResourceNotFoundException",
                        "User pool us-east-1_nothere00 does not exist.")


def test_client_of_another_pool_on_admin_initiate_auth(cognito, pool_id, user):
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        foreign = new_client(cognito, other, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["ClientId"]
        with pytest.raises(ClientError) as e:
            cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=foreign,
                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
        assert error(e) == ("ResourceNotFoundException",
                            f"User pool client {foreign} does not exist.")
    finally:
        cognito.delete_user_pool(UserPoolId=other)


def test_flows_not_enabled_on_the_client(cognito, pool_id, user):
    srp_only = new_client(cognito, pool_id, ["ALLOW_USER_SRP_AUTH"])["ClientId"]
    with pytest.raises(ClientError) as e:
        password_auth(cognito, srp_only, user)
    assert error(e) == ("InvalidParameterException",
                        "USER_PASSWORD_AUTH flow not enabled for this client")
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=srp_only,
                                    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
    assert error(e) == ("InvalidParameterException", "Auth flow not enabled for this client")
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=srp_only, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": "x"})
    assert error(e) == ("InvalidParameterException",
                        "Refresh Token flow not enabled for this client")
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=srp_only, AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": user})
    assert error(e) == ("InvalidParameterException", "CUSTOM_AUTH is not enabled for the client.")

    password_only = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=password_only, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": user, "SRP_A": "abc123"})
    assert error(e) == ("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client.")


def test_default_client_flows_exclude_passwords(cognito, pool_id, user):
    default = new_client(cognito, pool_id)["ClientId"]  # SRP, refresh, custom
    with pytest.raises(ClientError) as e:
        password_auth(cognito, default, user)
    assert error(e) == ("InvalidParameterException",
                        "USER_PASSWORD_AUTH flow not enabled for this client")


def test_legacy_flow_names(cognito, pool_id, user):
    legacy = new_client(cognito, pool_id, ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
    cid = legacy["ClientId"]
    assert password_auth(cognito, cid, user)["AuthenticationResult"]
    for flow in ("ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"):
        out = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid, AuthFlow=flow,
                                          AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
        assert out["AuthenticationResult"]
    # legacy clients always allowed SRP: round 1 answers
    out = cognito.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                                AuthParameters={"USERNAME": user, "SRP_A": "abc123"})
    assert out["ChallengeName"] == "PASSWORD_VERIFIER"


def test_choice_based_sign_in_answers_clearly(cognito, pool_id, user):
    # USER_AUTH (tests/api/test_user_auth.py): on a pool that allows only PASSWORD as the first
    # factor the user is asked to choose between plain password and SRP; ALLOW_USER_AUTH
    # alone permits both inside USER_AUTH.
    cid = new_client(cognito, pool_id, ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    out = cognito.initiate_auth(ClientId=cid, AuthFlow="USER_AUTH",
                                AuthParameters={"USERNAME": user})
    assert out["ChallengeName"] == "SELECT_CHALLENGE"
    assert out["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    done = cognito.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="SELECT_CHALLENGE", Session=out["Session"],
        ChallengeResponses={"USERNAME": user, "ANSWER": "PASSWORD", "PASSWORD": PASSWORD})
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == user


def test_custom_auth_without_triggers_names_the_gap(cognito, pool_id, user):
    cid = new_client(cognito, pool_id,
                     ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=cid, AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": user})
    assert error(e) == ("InvalidParameterException",
                        "Custom auth lambda trigger is not configured for the user pool.")


def test_missing_auth_parameters(cognito, client_id, user):
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"PASSWORD": PASSWORD})
    assert error(e) == ("InvalidParameterException", "Missing required parameter USERNAME")
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": user})
    assert error(e) == ("InvalidParameterException", "Missing required parameter PASSWORD")
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH")
    assert error(e) == ("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")


# --- SECRET_HASH --------------------------------------------------------------------------

@pytest.fixture
def secret_client(cognito, pool_id):
    return new_client(cognito, pool_id, ALL_FLOWS, GenerateSecret=True)


def test_secret_hash_required_and_checked(cognito, secret_client, user):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    with pytest.raises(ClientError) as e:
        password_auth(cognito, cid, user)
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        password_auth(cognito, cid, user, SECRET_HASH=secret_hash(user, cid, "wrong"))
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    out = password_auth(cognito, cid, user, SECRET_HASH=secret_hash(user, cid, secret))
    assert out["AuthenticationResult"]["AccessToken"]


def test_secret_hash_over_canonical_name_or_sub(cognito, pool_id, make_user):
    pool = cognito.create_user_pool(PoolName="alias", AliasAttributes=["email"])["UserPool"]["Id"]
    try:
        client = new_client(cognito, pool, ALL_FLOWS, GenerateSecret=True)
        cid, secret = client["ClientId"], client["ClientSecret"]
        cognito.admin_create_user(UserPoolId=pool, Username="carol", MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": "carol@example.com"},
                                                  {"Name": "email_verified", "Value": "true"}])
        cognito.admin_set_user_password(UserPoolId=pool, Username="carol", Password=PASSWORD,
                                        Permanent=True)
        sub = {a["Name"]: a["Value"] for a in cognito.admin_get_user(
            UserPoolId=pool, Username="carol")["UserAttributes"]}["sub"]
        for name in ("carol@example.com", "carol", sub):  # typed alias, canonical, sub
            out = password_auth(cognito, cid, "carol@example.com",
                                SECRET_HASH=secret_hash(name, cid, secret))
            assert claims(out["AuthenticationResult"]["IdToken"])["cognito:username"] == "carol"
    finally:
        cognito.delete_user_pool(UserPoolId=pool)


# --- refresh ------------------------------------------------------------------------------

@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_flows(cognito, pool_id, client_id, user, flow):
    first = password_auth(cognito, client_id, user)["AuthenticationResult"]
    out = cognito.initiate_auth(ClientId=client_id, AuthFlow=flow,
                                AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    result = out["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert claims(result["IdToken"])["sub"] == claims(first["IdToken"])["sub"]
    assert claims(result["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
    admin = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert admin["AuthenticationResult"]["AccessToken"]


def test_refresh_with_bad_token(cognito, client_id):
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": "not-a-token"})
    assert error(e) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_refresh_secret_hash_over_username_or_sub(cognito, secret_client, user):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    first = password_auth(cognito, cid, user, SECRET_HASH=secret_hash(user, cid, secret))
    token = first["AuthenticationResult"]["RefreshToken"]
    sub = claims(first["AuthenticationResult"]["IdToken"])["sub"]
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": token})
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": token,
                                              "SECRET_HASH": secret_hash("someone", cid, secret)})
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    for name in (user, sub):
        out = cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": token,
                                                    "SECRET_HASH": secret_hash(name, cid, secret)})
        assert out["AuthenticationResult"]["AccessToken"]


# --- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------

def test_new_password_required_challenge(cognito, pool_id, client_id, make_user):
    name = make_user(permanent=False)
    out = password_auth(cognito, client_id, name, TEMP)
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert 20 <= len(out["Session"]) <= 4096
    params = out["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == name
    assert json.loads(params["requiredAttributes"]) == []
    attrs = json.loads(params["userAttributes"])
    assert attrs["email"] == f"{name}@example.com" and "sub" not in attrs

    done = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": "Brand-new-passw0rd",
                            "userAttributes.given_name": "Newbie"})
    assert done["ChallengeParameters"] == {}
    assert claims(done["AuthenticationResult"]["IdToken"])["given_name"] == "Newbie"
    got = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
    assert got["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client_id, name, TEMP)
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    assert password_auth(cognito, client_id, name, "Brand-new-passw0rd")["AuthenticationResult"]


def test_new_password_required_on_admin_apis(cognito, pool_id, client_id, make_user):
    name = make_user(permanent=False)
    out = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                      AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": TEMP})
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=out["Session"], ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD})
    assert done["AuthenticationResult"]["RefreshToken"]


def test_new_password_policy_and_single_use_session(cognito, client_id, make_user):
    name = make_user(permanent=False)
    out = password_auth(cognito, client_id, name, TEMP)
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": "short"})
    assert error(e) == ("InvalidPasswordException",
                        "Password did not conform with policy: Password not long enough")
    with pytest.raises(ClientError) as e:  # the session went with the wrong answer
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD})
    assert error(e) == ("NotAuthorizedException", "Invalid session for the user.")


def test_new_password_missing_fields(cognito, client_id, make_user):
    name = make_user(permanent=False)
    session = password_auth(cognito, client_id, name, TEMP)["Session"]
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": name})
    assert error(e) == ("InvalidParameterException", "Missing required parameter NEW_PASSWORD")
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"NEW_PASSWORD": PASSWORD})
    assert error(e) == ("InvalidParameterException", "Missing required parameter USERNAME")


def test_new_password_cannot_write_verified_flag(cognito, client_id, make_user):
    name = make_user(permanent=False)
    session = password_auth(cognito, client_id, name, TEMP)["Session"]
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD,
                                "userAttributes.email_verified": "true"})
    assert error(e) == ("NotAuthorizedException",
                        "A client attempted to write unauthorized attribute")


def test_new_password_with_required_attributes(cognito):
    pool_id = cognito.create_user_pool(PoolName="req", Schema=[
        {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}
    ])["UserPool"]["Id"]
    try:
        cid = new_client(cognito, pool_id, ["ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="dora", TemporaryPassword=TEMP,
                                  MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "name", "Value": "Dora"}])
        # AdminCreateUser insists on required attributes here; blank it to get a user
        # who lacks one (as users created before a schema change or by import do).
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="dora",
                                             UserAttributes=[{"Name": "name", "Value": ""}])
        out = password_auth(cognito, cid, "dora", TEMP)
        assert json.loads(out["ChallengeParameters"]["requiredAttributes"]) == \
            ["userAttributes.name"]
        with pytest.raises(ClientError) as e:
            cognito.respond_to_auth_challenge(
                ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
                ChallengeResponses={"USERNAME": "dora", "NEW_PASSWORD": PASSWORD})
        assert error(e) == ("InvalidParameterException",
                            "Invalid attributes given, name is missing")
        out = password_auth(cognito, cid, "dora", TEMP)
        done = cognito.respond_to_auth_challenge(
            ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
            ChallengeResponses={"USERNAME": "dora", "NEW_PASSWORD": PASSWORD,
                                "userAttributes.name": "Dora D."})
        assert claims(done["AuthenticationResult"]["IdToken"])["name"] == "Dora D."
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)


def test_new_password_with_secret_hash(cognito, secret_client, make_user):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    name = make_user(permanent=False)
    out = password_auth(cognito, cid, name, TEMP, SECRET_HASH=secret_hash(name, cid, secret))
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(
            ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
            ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD})
    assert error(e) == ("NotAuthorizedException",
                        f"Client {cid} is configured for secret but secret was not received")
    out = password_auth(cognito, cid, name, TEMP, SECRET_HASH=secret_hash(name, cid, secret))
    done = cognito.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD,
                            "SECRET_HASH": secret_hash(name, cid, secret)})
    assert done["AuthenticationResult"]["AccessToken"]


def test_temporary_password_expires(cognito, client_id, make_user, clock):
    name = make_user(permanent=False)
    clock.pin()
    clock.advance(7 * 86400 + 60)  # default TemporaryPasswordValidityDays = 7
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client_id, name, TEMP)
    assert error(e) == ("NotAuthorizedException",
                        "Temporary password has expired and must be reset by an administrator.")


def test_unanswerable_challenge_names(cognito, client_id, user):
    # ADMIN_NO_SRP_AUTH is a ChallengeNameType value that no RespondToAuthChallenge answers.
    with pytest.raises(ClientError) as e:
        cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="ADMIN_NO_SRP_AUTH",
                                          Session="s" * 40,
                                          ChallengeResponses={"USERNAME": user})
    assert error(e) == ("InvalidParameterException",
                        "Responding to the ADMIN_NO_SRP_AUTH challenge is not supported by this "
                        "emulator yet.")
