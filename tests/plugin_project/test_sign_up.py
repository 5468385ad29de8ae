"""Sign-up, confirm with the code from the outbox, then sign in."""
import pytest
from botocore.exceptions import ClientError

PASSWORD = "Corr3ct-Horse!"


def test_sign_up_and_confirm_with_the_code_from_the_outbox(cognito_idp, cognito_pool,
                                                           cognito_client, cognito_outbox):
    client_id = cognito_client["ClientId"]
    out = cognito_idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    [message] = cognito_outbox(pool_id=cognito_pool["Id"], username="alice", purpose="SIGN_UP")
    assert message["destination"] == "alice@example.com"
    assert message["code"] in message["message"]

    # The code is checked for real: a wrong one is refused with Cognito's own error.
    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(ClientError) as err:
        cognito_idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=wrong)
    assert err.value.response["Error"]["Code"] == "CodeMismatchException"

    cognito_idp.confirm_sign_up(ClientId=client_id, Username="alice",
                                ConfirmationCode=cognito_outbox.last_code("alice"))
    user = cognito_idp.admin_get_user(UserPoolId=cognito_pool["Id"], Username="alice")
    assert user["UserStatus"] == "CONFIRMED"

    tokens = cognito_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": "alice",
                                                       "PASSWORD": PASSWORD})
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_each_test_gets_a_fresh_pool(cognito_idp, cognito_pool):
    assert cognito_idp.list_users(UserPoolId=cognito_pool["Id"])["Users"] == []


@pytest.mark.cognito_client(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
def test_client_settings_from_a_marker_are_enforced(cognito_idp, cognito_client,
                                                   cognito_user_factory):
    user = cognito_user_factory()
    with pytest.raises(ClientError) as err:
        cognito_idp.initiate_auth(ClientId=cognito_client["ClientId"],
                                  AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": user.username,
                                                  "PASSWORD": user.password})
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
