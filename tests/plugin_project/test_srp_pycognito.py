"""Sign in with SRP through pycognito, which also verifies our tokens against the JWKS."""
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito


def pycognito_for(emulator, pool_id, client_id, username):
    return Cognito(pool_id, client_id, username=username,
                   boto3_client_kwargs={"endpoint_url": emulator.endpoint_url,
                                        "region_name": emulator.region,
                                        "aws_access_key_id": "testing",
                                        "aws_secret_access_key": "testing"})


def test_srp_sign_in(cognito_emulator, cognito_client, cognito_user_factory):
    user = cognito_user_factory("bob", attributes={"given_name": "Bob"})
    u = pycognito_for(cognito_emulator, user.pool_id, cognito_client["ClientId"], "bob")
    u.authenticate(password=user.password)      # USER_SRP_AUTH + PASSWORD_VERIFIER
    assert u.id_claims["cognito:username"] == "bob"
    assert u.id_claims["sub"] == user.sub
    assert u.id_claims["given_name"] == "Bob"
    assert u.id_claims["iss"] == cognito_emulator.issuer(user.pool_id)
    assert u.access_claims["client_id"] == cognito_client["ClientId"]


def test_srp_with_a_wrong_password_fails(cognito_emulator, cognito_client, cognito_user_factory):
    user = cognito_user_factory()
    u = pycognito_for(cognito_emulator, user.pool_id, cognito_client["ClientId"], user.username)
    with pytest.raises(ClientError) as err:
        u.authenticate(password="Not-the-passw0rd")
    assert err.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert err.value.response["Error"]["Message"] == "Incorrect username or password."
