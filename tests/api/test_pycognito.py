"""pycognito, a real Python client, signs in with SRP and verifies our tokens itself."""
import uuid

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito


def _cognito(endpoint, pool_id, client_id, username, **kw):
    return Cognito(pool_id, client_id, username=username,
                   boto3_client_kwargs={"endpoint_url": endpoint, "aws_access_key_id": "x",
                                        "aws_secret_access_key": "x"}, **kw)


@pytest.fixture
def user(cognito, pool_id):
    name = f"py-{uuid.uuid4().hex[:6]}"
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password="Passw0rd!",
                                    Permanent=True)
    return name


def test_authenticate_with_srp_and_verify_tokens(endpoint, pool_id, client_id, user):
    c = _cognito(endpoint, pool_id, client_id, user)
    c.authenticate(password="Passw0rd!")  # SRP, then pycognito verifies both tokens via our JWKS
    assert c.id_claims["cognito:username"] == user
    assert c.id_claims["email"] == f"{user}@example.com"
    assert c.access_claims["token_use"] == "access"
    assert c.refresh_token
    me = c.get_user()
    assert me.username == user


def test_wrong_password_fails(endpoint, pool_id, client_id, user):
    c = _cognito(endpoint, pool_id, client_id, user)
    with pytest.raises(ClientError) as e:
        c.authenticate(password="Wrong-Passw0rd!")
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert e.value.response["Error"]["Message"] == "Incorrect username or password."


def test_secret_client(cognito, endpoint, pool_id, user):
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="secret", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    c = _cognito(endpoint, pool_id, created["ClientId"], user,
                 client_secret=created["ClientSecret"])
    c.authenticate(password="Passw0rd!")
    assert c.access_claims["client_id"] == created["ClientId"]
    wrong = _cognito(endpoint, pool_id, created["ClientId"], user, client_secret="x" * 51)
    with pytest.raises(ClientError) as e:
        wrong.authenticate(password="Passw0rd!")
    assert e.value.response["Error"]["Message"] == \
        f"Unable to verify secret hash for client {created['ClientId']}"
