"""Tokens an app client asks for itself, through boto3: GetClientToken (the client_credentials
grant through the API: the same checks and the same token as /oauth2/token) and
GetDerivedToken (token exchange: narrower scopes, one audience, never wider or longer-lived
than the subject token). Tokens are checked with PyJWT against the pool's JWKS."""
import jwt
import pytest

from tests.support.factories import PASSWORD, claims, create_user, error, password_sign_in

API = "https://api.example.com"
READ, WRITE, ADMIN = f"{API}/read", f"{API}/write", f"{API}/admin"
EXCHANGE_FLOWS = ["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_TOKEN_EXCHANGE_DELEGATION"]


class Rig:
    """A pool with a resource server (read, write, admin), an M2M client (read, write), a
    client that exchanges tokens (secret; read, write, admin) and a password client."""

    def __init__(self, cognito, http, make_pool):
        self.cognito, self.http = cognito, http
        self.pool_id = make_pool()
        cognito.create_resource_server(
            UserPoolId=self.pool_id, Identifier=API, Name="api",
            Scopes=[{"ScopeName": n, "ScopeDescription": n} for n in ("read", "write", "admin")])
        self.machine = self.client("m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                                   AllowedOAuthFlows=["client_credentials"],
                                   AllowedOAuthScopes=[READ, WRITE])
        self.exchanger = self.client("gateway", GenerateSecret=True,
                                     ExplicitAuthFlows=EXCHANGE_FLOWS,
                                     AllowedOAuthFlowsUserPoolClient=True,
                                     AllowedOAuthFlows=["client_credentials"],
                                     AllowedOAuthScopes=[READ, WRITE, ADMIN])
        self.app = self.client("app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                          "ALLOW_REFRESH_TOKEN_AUTH"])

    def client(self, name: str, **params) -> dict:
        return self.cognito.create_user_pool_client(UserPoolId=self.pool_id, ClientName=name,
                                                    **params)["UserPoolClient"]

    def m2m_token(self, client: dict | None = None, **params) -> str:
        client = client or self.machine
        return self.cognito.get_client_token(
            ClientId=client["ClientId"], Secret=client["ClientSecret"],
            **params)["ClientAuthenticationResult"]["AccessToken"]

    def user_tokens(self, username: str = "alice") -> dict:
        create_user(self.cognito, self.pool_id, username)
        return password_sign_in(self.cognito, self.app["ClientId"], username,
                                PASSWORD)["AuthenticationResult"]

    def derive(self, subject: str, subject_type: str = "ACCESS_TOKEN", client=None, **params):
        client = client or self.exchanger
        if "ClientSecret" in client:
            params.setdefault("ClientSecret", client["ClientSecret"])
        return self.cognito.get_derived_token(ClientId=client["ClientId"], SubjectToken=subject,
                                              SubjectTokenType=subject_type, **params)

    def verified(self, token: str, audience: str | None = None) -> dict:
        """The token's claims, checked by PyJWT with the pool's published keys."""
        jwks = jwt.PyJWKSet.from_dict(
            self.http.get(f"/{self.pool_id}/.well-known/jwks.json").json())
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in jwks.keys if k.key_id == kid)
        return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience,
                          options={"verify_aud": audience is not None})


@pytest.fixture
def rig(cognito, http, make_pool):
    return Rig(cognito, http, make_pool)


# --- GetClientToken -----------------------------------------------------------------------

def test_api_and_token_endpoint_issue_the_same_token(rig, http, clock):
    clock.pin()
    cid, secret = rig.machine["ClientId"], rig.machine["ClientSecret"]
    answer = rig.cognito.get_client_token(ClientId=cid, Secret=secret, Scopes=[READ])
    result = answer["ClientAuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    endpoint = http.post("/oauth2/token", data={"grant_type": "client_credentials",
                                                "scope": READ}, auth=(cid, secret))
    assert endpoint.status_code == 200, endpoint.text
    body = endpoint.json()
    assert body["expires_in"] == result["ExpiresIn"] and body["token_type"] == "Bearer"
    from_api, from_endpoint = rig.verified(result["AccessToken"]), rig.verified(
        body["access_token"])
    assert from_api["jti"] != from_endpoint["jti"]
    skip = {"jti", "iat", "exp"}
    assert {k: v for k, v in from_api.items() if k not in skip} == \
        {k: v for k, v in from_endpoint.items() if k not in skip}
    assert from_api["sub"] == from_api["client_id"] == cid and from_api["scope"] == READ
    assert jwt.get_unverified_header(result["AccessToken"]) == \
        jwt.get_unverified_header(body["access_token"])


def test_client_token_without_scopes_gets_all_of_the_clients(rig):
    assert sorted(claims(rig.m2m_token())["scope"].split()) == [READ, WRITE]
    assert claims(rig.m2m_token(Scopes=[WRITE, WRITE]))["scope"] == WRITE


def test_client_token_refusals(rig, make_pool):
    cid, secret = rig.machine["ClientId"], rig.machine["ClientSecret"]
    get = rig.cognito.get_client_token
    wrong = ("x" * 24, "NotAuthorizedException")
    cases = [
        ({"ClientId": cid, "Secret": wrong[0]}, wrong[1]),
        ({"ClientId": cid, "Secret": secret, "Scopes": [ADMIN]}, "InvalidParameterException"),
        ({"ClientId": cid, "Secret": secret, "Scopes": ["openid"]}, "InvalidParameterException"),
        ({"ClientId": cid, "Secret": secret, "Scopes": [READ, ADMIN]},
         "InvalidParameterException"),
        ({"ClientId": "1" * 26, "Secret": secret}, "ResourceNotFoundException"),
    ]
    for params, code in cases:
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            get(**params)
        assert error(refused)[0] == code, params
    # A client without a secret can't have M2M tokens; one without the flow neither.
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        get(ClientId=rig.app["ClientId"], Secret="y" * 24)
    assert error(refused)[0] == "NotAuthorizedException"
    web = rig.client("web", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                     AllowedOAuthFlows=["code"], AllowedOAuthScopes=[READ],
                     CallbackURLs=["https://app.example.com/cb"],
                     SupportedIdentityProviders=["COGNITO"])
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        get(ClientId=web["ClientId"], Secret=web["ClientSecret"])
    assert error(refused) == ("InvalidParameterException",
                              f"Client {web['ClientId']} is not enabled for the "
                              "client_credentials flow.")


def test_client_token_takes_either_active_secret(rig):
    cid = rig.machine["ClientId"]
    second = rig.cognito.add_user_pool_client_secret(
        UserPoolId=rig.pool_id, ClientId=cid)["ClientSecretDescriptor"]["ClientSecretValue"]
    for secret in (rig.machine["ClientSecret"], second):
        token = rig.cognito.get_client_token(ClientId=cid, Secret=secret)
        assert token["ClientAuthenticationResult"]["AccessToken"]


# --- GetDerivedToken ----------------------------------------------------------------------

def test_derived_token_is_narrower_and_bound_to_the_audience(rig):
    subject = rig.m2m_token()
    answer = rig.derive(subject, Scopes=[READ], Audiences=["orders-service"])
    assert (answer["IssuedTokenType"], answer["TokenType"], answer["Scopes"]) == \
        ("ACCESS_TOKEN", "Bearer", [READ])
    issued = rig.verified(answer["IssuedToken"], audience="orders-service")
    original = claims(subject)
    assert issued["aud"] == "orders-service" and issued["scope"] == READ
    assert issued["sub"] == original["sub"] == rig.machine["ClientId"]
    assert issued["client_id"] == rig.exchanger["ClientId"] and issued["token_use"] == "access"
    assert issued["exp"] <= original["exp"] and "act" not in issued
    assert answer["ExpiresIn"] == issued["exp"] - issued["iat"]
    # No Scopes: the subject token's own.
    same = claims(rig.derive(subject)["IssuedToken"])
    assert sorted(same["scope"].split()) == [READ, WRITE] and "aud" not in same
    # A derived token can be exchanged again, and narrowed further.
    again = rig.derive(answer["IssuedToken"], Audiences=["billing"])
    assert claims(again["IssuedToken"])["aud"] == "billing" and again["Scopes"] == [READ]


def test_derived_token_never_widens_scopes(rig):
    subject = rig.m2m_token(Scopes=[READ])
    # The exchanging client may have ADMIN and WRITE, the subject token has neither.
    for scopes in ([ADMIN], [WRITE, ADMIN]):
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            rig.derive(subject, Scopes=scopes)
        assert error(refused)[0] == "InvalidParameterException", scopes
    # The intersection: what the subject lacks is left out.
    assert rig.derive(subject, Scopes=[ADMIN, READ])["Scopes"] == [READ]
    # A scope the subject has but the exchanging client may not have is left out too.
    narrow = rig.client("narrow", ExplicitAuthFlows=EXCHANGE_FLOWS,
                        AllowedOAuthFlowsUserPoolClient=True, GenerateSecret=True,
                        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[WRITE])
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(subject, client=narrow, Scopes=[READ])
    assert error(refused)[0] == "InvalidParameterException"


def test_derived_token_refuses_a_foreign_pools_token(rig, cognito, http, make_pool):
    other = Rig(cognito, http, make_pool)
    for subject in (other.m2m_token(), other.user_tokens()["AccessToken"]):
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            rig.derive(subject)
        assert error(refused) == ("NotAuthorizedException", "Invalid subject token.")


def test_derived_token_refuses_an_expired_subject(rig, clock):
    clock.pin()
    subject = rig.m2m_token()
    clock.advance(3599)
    assert rig.derive(subject)["ExpiresIn"] == 1  # never outlives the subject token
    clock.advance(1)
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(subject)
    assert error(refused) == ("NotAuthorizedException", "The subject token has expired.")


def test_derived_token_of_a_user_stays_that_users(rig):
    tokens = rig.user_tokens()
    answer = rig.derive(tokens["AccessToken"])
    issued, original = rig.verified(answer["IssuedToken"]), claims(tokens["AccessToken"])
    for name in ("sub", "username", "origin_jti", "event_id", "auth_time", "iss"):
        assert issued[name] == original[name], name
    assert answer["Scopes"] == ["aws.cognito.signin.user.admin"]
    # It works where the user's own token works, until the user signs out everywhere.
    assert rig.cognito.get_user(AccessToken=answer["IssuedToken"])["Username"] == "alice"
    rig.cognito.admin_user_global_sign_out(UserPoolId=rig.pool_id, Username="alice")
    for call in (lambda: rig.cognito.get_user(AccessToken=answer["IssuedToken"]),
                 lambda: rig.derive(tokens["AccessToken"])):
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            call()
        assert error(refused)[0] == "NotAuthorizedException"


def test_derived_id_token_for_a_resource_server(rig):
    tokens = rig.user_tokens()
    answer = rig.derive(tokens["IdToken"], "ID_TOKEN", RequestedTokenType="ID_TOKEN",
                        Resources=[API])
    assert (answer["IssuedTokenType"], answer["TokenType"]) == ("ID_TOKEN", "N_A")
    assert "Scopes" not in answer
    issued = rig.verified(answer["IssuedToken"], audience=API)
    assert issued["token_use"] == "id" and issued["cognito:username"] == "alice"
    assert issued["sub"] == claims(tokens["IdToken"])["sub"]
    # An M2M token has no user to make an ID token of.
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(rig.m2m_token(), RequestedTokenType="ID_TOKEN")
    assert error(refused)[0] == "InvalidParameterException"


def test_delegation_names_the_actor(rig):
    user = rig.user_tokens()["AccessToken"]
    actor = rig.m2m_token()
    answer = rig.derive(user, ActorToken=actor, ActorTokenType="ACCESS_TOKEN")
    issued = rig.verified(answer["IssuedToken"])
    assert issued["act"] == {"sub": rig.machine["ClientId"]}
    assert issued["username"] == "alice"
    # Exchanged again by another actor: the earlier one nests inside (RFC 8693 4.1).
    other = rig.client("m2m-2", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                       AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[READ])
    again = rig.derive(answer["IssuedToken"], ActorToken=rig.m2m_token(other),
                       ActorTokenType="ACCESS_TOKEN")
    assert claims(again["IssuedToken"])["act"] == {"sub": other["ClientId"],
                                                   "act": {"sub": rig.machine["ClientId"]}}


def test_each_exchange_needs_its_flow(rig):
    subject = rig.m2m_token()
    only_impersonation = rig.client("imp", GenerateSecret=True,
                                    ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"])
    only_delegation = rig.client("del", GenerateSecret=True,
                                 ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_DELEGATION"])
    assert rig.derive(subject, client=only_impersonation)["IssuedToken"]
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(subject, client=only_impersonation, ActorToken=subject,
                   ActorTokenType="ACCESS_TOKEN")
    assert error(refused) == ("InvalidParameterException",
                              "ALLOW_TOKEN_EXCHANGE_DELEGATION is not enabled for client "
                              f"{only_impersonation['ClientId']}.")
    assert rig.derive(subject, client=only_delegation, ActorToken=subject,
                      ActorTokenType="ACCESS_TOKEN")["IssuedToken"]
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(subject, client=only_delegation)
    assert error(refused)[0] == "InvalidParameterException"


def test_derived_token_request_refusals(rig):
    subject = rig.m2m_token()
    user = rig.user_tokens()
    cases = [
        ({"ClientSecret": "z" * 24}, "NotAuthorizedException"),
        ({"Audiences": ["a"], "Resources": [API]}, "InvalidParameterException"),
        ({"Resources": ["https://nowhere.example.com"]}, "ResourceNotFoundException"),
        ({"ActorToken": subject}, "InvalidParameterException"),
        ({"ActorTokenType": "ACCESS_TOKEN"}, "InvalidParameterException"),
        ({"SubjectTokenProviderName": "Okta"}, "InvalidParameterException"),
    ]
    for params, code in cases:
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            rig.derive(subject, **params)
        assert error(refused)[0] == code, params
    # A token of the other type than the one named, or not a token at all.
    for token, kind in ((user["IdToken"], "ACCESS_TOKEN"), (user["AccessToken"], "ID_TOKEN"),
                        ("not.a.token", "ACCESS_TOKEN")):
        with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
            rig.derive(token, kind)
        assert error(refused) == ("NotAuthorizedException", "Invalid subject token."), kind
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.derive(subject, "SAML2")
    assert error(refused)[0] == "InvalidParameterException"
    with pytest.raises(rig.cognito.exceptions.ClientError) as refused:
        rig.cognito.get_derived_token(ClientId="1" * 26, SubjectToken=subject,
                                      SubjectTokenType="ACCESS_TOKEN")
    assert error(refused)[0] == "ResourceNotFoundException"
