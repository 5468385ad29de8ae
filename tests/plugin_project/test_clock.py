"""Expiry without sleeping: move the emulator's clock."""
import pytest
from botocore.exceptions import ClientError


def sign_in(idp, client_id, user):
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": user.username,
                                             "PASSWORD": user.password})["AuthenticationResult"]


def test_access_token_expires_and_refresh_renews_it(cognito_idp, cognito_client,
                                                    cognito_user_factory, cognito_clock):
    user = cognito_user_factory()
    tokens = sign_in(cognito_idp, cognito_client["ClientId"], user)
    assert cognito_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == user.username

    cognito_clock.advance(tokens["ExpiresIn"] + 1)   # one hour by default
    with pytest.raises(ClientError) as err:
        cognito_idp.get_user(AccessToken=tokens["AccessToken"])
    assert err.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert err.value.response["Error"]["Message"] == "Access Token has expired"

    renewed = cognito_idp.initiate_auth(
        ClientId=cognito_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert cognito_idp.get_user(AccessToken=renewed["AccessToken"])["Username"] == user.username


def test_sign_up_code_expires_after_a_day(cognito_idp, cognito_client, cognito_outbox,
                                          cognito_clock):
    cognito_clock.pin()
    client_id = cognito_client["ClientId"]
    cognito_idp.sign_up(ClientId=client_id, Username="late", Password="Corr3ct-Horse!",
                        UserAttributes=[{"Name": "email", "Value": "late@example.com"}])
    code = cognito_outbox.last_code("late")
    cognito_clock.advance(24 * 3600 + 1)
    with pytest.raises(ClientError) as err:
        cognito_idp.confirm_sign_up(ClientId=client_id, Username="late", ConfirmationCode=code)
    assert err.value.response["Error"]["Code"] == "ExpiredCodeException"


def test_the_clock_was_put_back_after_the_previous_test(cognito_clock):
    import time
    assert abs(cognito_clock.now() - time.time()) < 60
