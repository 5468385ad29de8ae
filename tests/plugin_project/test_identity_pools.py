"""Identity pools from the plugin: a pool linked to the test's user pool, roles already set."""
import pytest
from botocore.exceptions import ClientError

from emulator.testing.pytest_plugin import COGNITO_AUTHENTICATED_ROLE


def test_identity_pool_is_linked_to_the_user_pool_and_has_roles(cognito_identity,
                                                                cognito_identity_pool,
                                                                cognito_pool, cognito_client):
    [provider] = cognito_identity_pool["CognitoIdentityProviders"]
    assert provider["ProviderName"].endswith("/" + cognito_pool["Id"])
    assert provider["ClientId"] == cognito_client["ClientId"]
    assert cognito_identity_pool["AllowUnauthenticatedIdentities"] is True
    roles = cognito_identity.get_identity_pool_roles(
        IdentityPoolId=cognito_identity_pool["IdentityPoolId"])["Roles"]
    assert roles["authenticated"] == COGNITO_AUTHENTICATED_ROLE


@pytest.mark.cognito_identity_pool(AllowUnauthenticatedIdentities=False,
                                   DeveloperProviderName="login.example.app")
def test_identity_pool_settings_from_a_marker(cognito_identity_pool):
    assert cognito_identity_pool["AllowUnauthenticatedIdentities"] is False
    assert cognito_identity_pool["DeveloperProviderName"] == "login.example.app"


def test_factory_pools_are_deleted_afterwards(cognito_identity, cognito_identity_pool_factory):
    first = cognito_identity_pool_factory(IdentityPoolName="one")
    second = cognito_identity_pool_factory(IdentityPoolName="one")  # names need not be unique
    assert first["IdentityPoolId"] != second["IdentityPoolId"]
    cognito_identity.delete_identity_pool(IdentityPoolId=first["IdentityPoolId"])
    with pytest.raises(ClientError) as err:
        cognito_identity.describe_identity_pool(IdentityPoolId=first["IdentityPoolId"])
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
