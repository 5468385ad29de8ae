"""USER_SRP_AUTH -> PASSWORD_VERIFIER with two independent clients (tests/support/srp_client
and pycognito), and the rules of the challenge session."""
import base64
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.support.factories import PASSWORD, UUID_RE, claims, create_user, error, unique_name
from tests.support.srp_client import N_HEX, SrpClient, secret_hash

TEMP = "Temp-Passw0rd!"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")


@pytest.fixture
def make_user(cognito, pool_id):
    """make_user() -> name of a CONFIRMED user; permanent=False leaves it in
    FORCE_CHANGE_PASSWORD with the password TEMP."""
    def make(*, permanent=True):
        return create_user(cognito, pool_id, unique_name("s"), temporary_password=TEMP,
                           permanent=permanent)
    return make


@pytest.fixture
def user(make_user):
    return make_user()


def round1(cognito, client_id, srp: SrpClient):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                 AuthParameters=srp.auth_params())


def round2(cognito, client_id, answer, session=None, **kw):
    extra = {"Session": session} if session else {}
    return cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=answer, **extra, **kw)


def server_time(clock) -> datetime:
    return datetime.fromtimestamp(clock.now(), UTC)


# --- both clients sign in ---------------------------------------------------------------------

def test_srp_client_signs_in(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    params = first["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USER_ID_FOR_SRP"] == params["USERNAME"] == user
    assert params["SALT"][0] in "01234567"  # PAD(salt): no ambiguous leading byte
    assert len(base64.b64decode(params["SECRET_BLOCK"])) >= 32
    done = round2(cognito, client_id, srp.answer(params), first["Session"])
    assert done["ChallengeParameters"] == {}
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == user


def test_pycognito_signs_in_without_session(cognito, pool_id, client_id, user):
    # pycognito answers PASSWORD_VERIFIER without Session: SECRET_BLOCK finds the state
    tokens = AWSSRP(username=user, password=PASSWORD, pool_id=pool_id, client_id=client_id,
                    client=cognito).authenticate_user()
    assert claims(tokens["AuthenticationResult"]["AccessToken"])["username"] == user


def test_wrong_password_fails_both_ways(cognito, pool_id, client_id, user):
    with pytest.raises(ClientError) as e:
        AWSSRP(username=user, password="Wr0ng-pass!", pool_id=pool_id, client_id=client_id,
               client=cognito).authenticate_user()
    assert error(e) == INCORRECT
    srp = SrpClient(pool_id, user, "Wr0ng-pass!")
    first = round1(cognito, client_id, srp)
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, srp.answer(first["ChallengeParameters"]), first["Session"])
    assert error(e) == INCORRECT


def test_admin_srp(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                        AuthFlow="USER_SRP_AUTH", AuthParameters=srp.auth_params())
    done = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
        Session=first["Session"], ChallengeResponses=srp.answer(first["ChallengeParameters"]))
    assert done["AuthenticationResult"]["IdToken"]


def test_srp_in_email_username_pool_uses_the_canonical_name(cognito):
    pool_id = cognito.create_user_pool(PoolName="by-email",
                                       UsernameAttributes=["email"])["UserPool"]["Id"]
    try:
        cid = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")[
            "UserPoolClient"]["ClientId"]
        created = cognito.admin_create_user(UserPoolId=pool_id, Username="eve@example.com",
                                            MessageAction="SUPPRESS")["User"]
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="eve@example.com",
                                        Password=PASSWORD, Permanent=True)
        srp = SrpClient(pool_id, "eve@example.com", PASSWORD)
        first = round1(cognito, cid, srp)
        assert first["ChallengeParameters"]["USER_ID_FOR_SRP"] == created["Username"]
        assert UUID_RE.match(created["Username"])
        done = round2(cognito, cid, srp.answer(first["ChallengeParameters"]), first["Session"])
        assert done["AuthenticationResult"]["AccessToken"]
        tokens = AWSSRP(username="eve@example.com", password=PASSWORD, pool_id=pool_id,
                        client_id=cid, client=cognito).authenticate_user()
        assert claims(tokens["AuthenticationResult"]["IdToken"])["email"] == "eve@example.com"
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)


def test_srp_with_client_secret(cognito, pool_id, user):
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="s",
                                             GenerateSecret=True,
                                             ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])[
        "UserPoolClient"]
    cid, secret = client["ClientId"], client["ClientSecret"]
    srp = SrpClient(pool_id, user, PASSWORD, client_id=cid, client_secret=secret)
    first = round1(cognito, cid, srp)
    done = round2(cognito, cid, srp.answer(first["ChallengeParameters"]), first["Session"])
    assert done["AuthenticationResult"]["IdToken"]
    # the second round needs its own SECRET_HASH
    first = round1(cognito, cid, srp)
    answer = srp.answer(first["ChallengeParameters"])
    answer["SECRET_HASH"] = secret_hash(user, cid, "x" * 51)
    with pytest.raises(ClientError) as e:
        round2(cognito, cid, answer, first["Session"])
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    tokens = AWSSRP(username=user, password=PASSWORD, pool_id=pool_id, client_id=cid,
                    client_secret=secret, client=cognito).authenticate_user()
    assert tokens["AuthenticationResult"]["AccessToken"]


def test_srp_leads_to_new_password_required(cognito, pool_id, client_id, make_user):
    name = make_user(permanent=False)
    srp = SrpClient(pool_id, name, TEMP)
    first = round1(cognito, client_id, srp)
    second = round2(cognito, client_id, srp.answer(first["ChallengeParameters"]), first["Session"])
    assert second["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert second["Session"] != first["Session"]
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=second["Session"],
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD})
    assert done["AuthenticationResult"]["AccessToken"]


# --- bad protocol input -----------------------------------------------------------------------

@pytest.mark.parametrize("bad_a", ["0", N_HEX, "2" + "0" * 10 + "x"])
def test_invalid_srp_a(cognito, client_id, user, bad_a):
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": user, "SRP_A": bad_a})
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"


def test_missing_srp_parameters(cognito, pool_id, client_id, user):
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": user})
    assert error(e) == ("InvalidParameterException", "Missing required parameter SRP_A")
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    answer = srp.answer(first["ChallengeParameters"])
    del answer["PASSWORD_CLAIM_SIGNATURE"]
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, answer, first["Session"])
    assert error(e) == ("InvalidParameterException",
                        "Missing required parameter PASSWORD_CLAIM_SIGNATURE")


def test_timestamp_malformed_or_skewed(cognito, pool_id, client_id, user, clock):
    clock.pin()
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    answer = srp.answer(first["ChallengeParameters"], now=server_time(clock))
    answer["TIMESTAMP"] = "2024-05-07T00:09:40Z"
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, answer, first["Session"])
    assert error(e) == ("InvalidParameterException",
                        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")

    first = round1(cognito, client_id, srp)
    late = server_time(clock) + timedelta(minutes=6)
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, srp.answer(first["ChallengeParameters"], now=late),
               first["Session"])
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert "TIMESTAMP" in error(e)[1]

    first = round1(cognito, client_id, srp)  # 4 minutes off is tolerated
    near = server_time(clock) - timedelta(minutes=4)
    done = round2(cognito, client_id, srp.answer(first["ChallengeParameters"], now=near),
                  first["Session"])
    assert done["AuthenticationResult"]["AccessToken"]


def test_zero_padded_day_is_accepted(cognito, pool_id, client_id, user, clock):
    clock.pin(datetime(2030, 3, 5, 12, 0, 0, tzinfo=UTC).timestamp())
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    ts = "Tue Mar 05 12:00:00 UTC 2030"
    answer = srp.answer(first["ChallengeParameters"])
    answer["TIMESTAMP"] = ts
    answer["PASSWORD_CLAIM_SIGNATURE"] = srp.signature(
        pool_id.split("_", 1)[1], user, PASSWORD, first["ChallengeParameters"], ts)
    assert round2(cognito, client_id, answer, first["Session"])["AuthenticationResult"]


# --- sessions ---------------------------------------------------------------------------------

def test_session_is_single_use(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    answer = srp.answer(first["ChallengeParameters"])
    assert round2(cognito, client_id, answer, first["Session"])["AuthenticationResult"]
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, answer, first["Session"])
    assert error(e) == INVALID_SESSION
    with pytest.raises(ClientError) as e:  # nor through SECRET_BLOCK alone
        round2(cognito, client_id, answer)
    assert error(e) == INVALID_SESSION


def test_wrong_answer_uses_up_the_session(cognito, pool_id, client_id, user):
    bad = SrpClient(pool_id, user, "Wr0ng-pass!")
    first = round1(cognito, client_id, bad)
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, bad.answer(first["ChallengeParameters"]), first["Session"])
    assert error(e) == INCORRECT
    good = SrpClient(pool_id, user, PASSWORD)
    good.a, good.A = bad.a, bad.A  # same A, now with the right password
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, good.answer(first["ChallengeParameters"]), first["Session"])
    assert error(e) == INVALID_SESSION


def test_session_expires(cognito, pool_id, client_id, user, clock):
    clock.pin()
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    clock.advance(181)  # AuthSessionValidity defaults to 3 minutes
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, srp.answer(first["ChallengeParameters"], now=server_time(clock)),
               first["Session"])
    assert error(e) == ("NotAuthorizedException",
                        "Invalid session for the user, session is expired.")


def test_session_validity_follows_the_client(cognito, pool_id, user, clock):
    cid = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="slow",
                                          AuthSessionValidity=5,
                                          ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])[
        "UserPoolClient"]["ClientId"]
    clock.pin()
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, cid, srp)
    clock.advance(4 * 60)
    done = round2(cognito, cid, srp.answer(first["ChallengeParameters"], now=server_time(clock)),
                  first["Session"])
    assert done["AuthenticationResult"]["AccessToken"]
    first = round1(cognito, cid, srp)
    clock.advance(5 * 60 + 1)
    with pytest.raises(ClientError) as e:
        round2(cognito, cid, srp.answer(first["ChallengeParameters"], now=server_time(clock)),
               first["Session"])
    assert error(e) == ("NotAuthorizedException",
                        "Invalid session for the user, session is expired.")


def test_session_bound_to_client(cognito, pool_id, client_id, user):
    other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="other",
                                            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])[
        "UserPoolClient"]["ClientId"]
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    with pytest.raises(ClientError) as e:
        round2(cognito, other, srp.answer(first["ChallengeParameters"]), first["Session"])
    assert error(e) == INVALID_SESSION


def test_session_bound_to_user(cognito, pool_id, client_id, user, make_user):
    someone = make_user()
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    answer = srp.answer(first["ChallengeParameters"])
    answer["USERNAME"] = someone
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, answer, first["Session"])
    assert error(e) == INVALID_SESSION


def test_secret_block_must_belong_to_the_session(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    second = round1(cognito, client_id, srp)
    answer = srp.answer(first["ChallengeParameters"])
    with pytest.raises(ClientError) as e:  # block of round `first`, session of `second`
        round2(cognito, client_id, answer, second["Session"])
    assert error(e) == INVALID_SESSION


def test_garbage_session(cognito, pool_id, client_id, user):
    srp = SrpClient(pool_id, user, PASSWORD)
    first = round1(cognito, client_id, srp)
    with pytest.raises(ClientError) as e:
        round2(cognito, client_id, srp.answer(first["ChallengeParameters"]), "x" * 64)
    assert error(e) == INVALID_SESSION


# --- users that don't exist ---------------------------------------------------------------------

def test_unknown_user_legacy(cognito, pool_id, client_id):
    srp = SrpClient(pool_id, "nobody", PASSWORD)
    with pytest.raises(ClientError) as e:
        round1(cognito, client_id, srp)
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_simulated_when_existence_errors_are_prevented(cognito, pool_id):
    cid = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="quiet",
                                          PreventUserExistenceErrors="ENABLED",
                                          ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])[
        "UserPoolClient"]["ClientId"]
    srp = SrpClient(pool_id, "ghost", PASSWORD)
    first = round1(cognito, cid, srp)
    again = round1(cognito, cid, SrpClient(pool_id, "ghost", PASSWORD))
    other = round1(cognito, cid, SrpClient(pool_id, "phantom", PASSWORD))
    p1, p2, p3 = (r["ChallengeParameters"] for r in (first, again, other))
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(p1) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert UUID_RE.match(p1["USER_ID_FOR_SRP"])
    assert (p1["SALT"], p1["USER_ID_FOR_SRP"]) == (p2["SALT"], p2["USER_ID_FOR_SRP"])
    assert p1["SALT"] != p3["SALT"] and p1["USER_ID_FOR_SRP"] != p3["USER_ID_FOR_SRP"]
    assert p1["SRP_B"] != p2["SRP_B"]
    with pytest.raises(ClientError) as e:
        round2(cognito, cid, srp.answer(p1), first["Session"])
    assert error(e) == INCORRECT
    with pytest.raises(ClientError) as e:  # pycognito sees the same
        AWSSRP(username="ghost", password=PASSWORD, pool_id=pool_id, client_id=cid,
               client=cognito).authenticate_user()
    assert error(e) == INCORRECT
    # a malformed TIMESTAMP reads the same for simulated and real users
    answer = srp.answer(p2)
    answer["TIMESTAMP"] = "yesterday"
    with pytest.raises(ClientError) as e:
        round2(cognito, cid, answer, again["Session"])
    assert error(e) == ("InvalidParameterException",
                        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
