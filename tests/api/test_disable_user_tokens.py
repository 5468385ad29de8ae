"""AdminDisableUser revokes the user's tokens; enabling again does not revive them."""
import pytest
from botocore.exceptions import ClientError


def test_disable_revokes_access_and_refresh_tokens(cognito, pool_id, client_id):
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="dora", Password="Passw0rd!",
                                    Permanent=True)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "dora", "PASSWORD": "Passw0rd!"}
                                   )["AuthenticationResult"]
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "dora"
    cognito.admin_disable_user(UserPoolId=pool_id, Username="dora")
    cognito.admin_enable_user(UserPoolId=pool_id, Username="dora")
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert e.value.response["Error"]["Message"] == "Access Token has been revoked"
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    # A fresh sign-in works again once the user is enabled.
    again = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "dora", "PASSWORD": "Passw0rd!"})
    assert again["AuthenticationResult"]["AccessToken"]
