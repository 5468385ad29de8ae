"""Identities of identity pools (cognito-identity) over boto3: GetId with user-pool ID
tokens (Amplify v6's issuer-derived key included), guests attached on sign-in, the token
checks (other pool, unlisted client, expiry, ServerSideTokenCheck after sign-out or
disabling), GetOpenIdToken verified with PyJWT against the JWKS fetched over HTTP,
Describe/List/Delete/UnlinkIdentity and developer-authenticated identities."""
import re
from urllib.parse import urlsplit

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import (
    PASSWORD,
    UUID_RE,
    claims,
    create_user,
    error,
    password_client,
    password_sign_in,
    unique_name,
)
from tests.support.server import RunningServer

IDENTITY_ID = re.compile(r"^us-east-1:" + UUID_RE.pattern[1:])
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
LOGINS_DONT_MATCH = ("Logins don't match. Please include at least one valid login for this "
                     "identity or identity pool.")


def provider_of(pool_id: str) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"


@pytest.fixture
def new_identity_pool(identity):
    """new_identity_pool(**CreateIdentityPool params) -> the pool id; deleted afterwards."""
    made = []

    def make(**params):
        params.setdefault("IdentityPoolName", unique_name("ip").replace("-", "_"))
        params.setdefault("AllowUnauthenticatedIdentities", False)
        made.append(identity.create_identity_pool(**params)["IdentityPoolId"])
        return made[-1]
    yield make
    for pool_id in made:
        identity.delete_identity_pool(IdentityPoolId=pool_id)


class SignedIn:
    """A user pool with one app client and one user, signed in."""

    def __init__(self, cognito, pool_id: str):
        self.cognito, self.pool_id = cognito, pool_id
        self.provider = provider_of(pool_id)
        self.client_id = password_client(cognito, pool_id)["ClientId"]
        self.username = create_user(cognito, pool_id, unique_name("u"))
        self.sign_in()

    def sign_in(self) -> None:
        result = password_sign_in(self.cognito, self.client_id, self.username, PASSWORD)
        self.tokens = result["AuthenticationResult"]
        self.id_token = self.tokens["IdToken"]
        self.sub = claims(self.id_token)["sub"]

    @property
    def logins(self) -> dict:
        return {self.provider: self.id_token}

    def entry(self, check: bool = False) -> dict:
        return {"ProviderName": self.provider, "ClientId": self.client_id,
                "ServerSideTokenCheck": check}


@pytest.fixture
def user(cognito, make_pool):
    return SignedIn(cognito, make_pool())


@pytest.fixture
def linked(new_identity_pool, user):
    """(identity pool id, user) with the user's pool and client as a provider, guests allowed
    and the classic flow on."""
    return new_identity_pool(AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
                             CognitoIdentityProviders=[user.entry()]), user


# --- GetId -----------------------------------------------------------------------------------

def test_guest_identities_are_new_each_time(identity, new_identity_pool):
    pool_id = new_identity_pool(AllowUnauthenticatedIdentities=True)
    first = identity.get_id(IdentityPoolId=pool_id, Logins={})["IdentityId"]
    second = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert IDENTITY_ID.match(first) and first != second
    described = identity.describe_identity(IdentityId=first)
    assert described["IdentityId"] == first and described.get("Logins", []) == []
    assert described["CreationDate"] == described["LastModifiedDate"]


def test_guests_refused_when_the_pool_disallows_them(identity, new_identity_pool):
    pool_id = new_identity_pool(AllowUnauthenticatedIdentities=False)
    with pytest.raises(ClientError) as exc:
        identity.get_id(IdentityPoolId=pool_id, Logins={})
    assert error(exc) == ("NotAuthorizedException",
                          "Unauthenticated access is not supported for this identity pool.")


def test_unknown_identity_pool(identity):
    with pytest.raises(ClientError) as exc:
        identity.get_id(IdentityPoolId="us-east-1:00000000-0000-4000-8000-000000000000")
    assert error(exc) == ("ResourceNotFoundException", "IdentityPool "
                          "'us-east-1:00000000-0000-4000-8000-000000000000' not found.")


def test_a_user_pool_login_keeps_its_identity(identity, linked):
    pool_id, user = linked
    first = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    user.sign_in()  # a new ID token of the same user
    assert identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"] == first
    assert identity.describe_identity(IdentityId=first)["Logins"] == [user.provider]


def test_amplify_key_from_the_issuer_is_the_same_provider(identity, linked, endpoint):
    """Amplify v6 sends iss without its scheme: <host:port>/<poolId> under the local style."""
    pool_id, user = linked
    iss = claims(user.id_token)["iss"]
    amplify_key = re.sub(r"^\w+://", "", iss)
    assert amplify_key == f"{urlsplit(endpoint).netloc}/{user.pool_id}"
    by_amplify = identity.get_id(IdentityPoolId=pool_id,
                                 Logins={amplify_key: user.id_token})["IdentityId"]
    assert identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"] \
        == by_amplify
    assert identity.describe_identity(IdentityId=by_amplify)["Logins"] == [user.provider]


def test_updated_issuer_key_is_the_same_provider():
    """In the aws issuer style a pool with IssuerConfiguration UPDATED signs its tokens as
    https://issuer-cognito-idp.<region>.amazonaws.com/<pool>; Amplify's key from that iss
    names the same provider as cognito-idp.<region>.amazonaws.com/<pool>."""
    with RunningServer(["--in-memory", "--issuer-style", "aws"]) as server:
        cognito = make_client(server.url)
        identity = make_client(server.url, service="cognito-identity")
        pool_id = cognito.create_user_pool(
            PoolName=unique_name("p"), IssuerConfiguration={"Type": "UPDATED"})["UserPool"]["Id"]
        user = SignedIn(cognito, pool_id)
        iss = claims(user.id_token)["iss"]
        assert iss == f"https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool_id}"
        identity_pool = identity.create_identity_pool(
            IdentityPoolName="updated", AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[user.entry()])["IdentityPoolId"]
        by_amplify = identity.get_id(IdentityPoolId=identity_pool,
                                     Logins={iss.removeprefix("https://"): user.id_token})
        assert identity.get_id(IdentityPoolId=identity_pool, Logins=user.logins)[
            "IdentityId"] == by_amplify["IdentityId"]
        assert identity.describe_identity(IdentityId=by_amplify["IdentityId"])["Logins"] == \
            [user.provider]


def test_a_guest_is_attached_on_sign_in(identity, linked):
    """Amplify v6: a guest GetId, then after sign-in the guest id plus Logins."""
    pool_id, user = linked
    guest = identity.get_id(IdentityPoolId=pool_id, Logins={})["IdentityId"]
    answer = identity.get_open_id_token(IdentityId=guest, Logins=user.logins)
    assert answer["IdentityId"] == guest
    assert identity.describe_identity(IdentityId=guest)["Logins"] == [user.provider]
    assert identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"] == guest
    # The identity now has a login: a guest call on it is refused.
    with pytest.raises(ClientError) as exc:
        identity.get_open_id_token(IdentityId=guest)
    assert error(exc) == ("NotAuthorizedException", LOGINS_DONT_MATCH)


def test_a_login_of_another_identity_answers_that_identity(identity, linked):
    pool_id, user = linked
    owner = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = identity.get_open_id_token(IdentityId=guest, Logins=user.logins)
    assert answer["IdentityId"] == owner
    assert identity.describe_identity(IdentityId=guest).get("Logins", []) == []


# --- which tokens are refused ------------------------------------------------------------------

def refused(identity, pool_id: str, logins: dict) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        identity.get_id(IdentityPoolId=pool_id, Logins=logins)
    return error(exc)


def test_a_token_of_another_user_pool(identity, cognito, make_pool, linked):
    pool_id, user = linked
    other = SignedIn(cognito, make_pool())
    # Under the other pool's own name: that pool is no provider of the identity pool.
    assert refused(identity, pool_id, other.logins) == ("NotAuthorizedException",
                                                        NOT_SUPPORTED)
    # Under the listed pool's name: the issuer gives it away.
    assert refused(identity, pool_id, {user.provider: other.id_token}) == (
        "NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")


def test_a_token_of_a_client_not_listed(identity, cognito, linked):
    pool_id, user = linked
    second = password_client(cognito, user.pool_id, ClientName="other")["ClientId"]
    token = password_sign_in(cognito, second, user.username)["AuthenticationResult"]["IdToken"]
    assert refused(identity, pool_id, {user.provider: token}) == ("NotAuthorizedException",
                                                                  NOT_SUPPORTED)


def test_an_access_token_is_no_id_token(identity, linked):
    pool_id, user = linked
    assert refused(identity, pool_id, {user.provider: user.tokens["AccessToken"]}) == (
        "NotAuthorizedException", "Invalid login token. Missing a required claim: aud")


def test_a_forged_or_broken_token(identity, linked):
    pool_id, user = linked
    head, body, signature = user.id_token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    assert refused(identity, pool_id, {user.provider: forged}) == (
        "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
    assert refused(identity, pool_id, {user.provider: "not-a-jwt"}) == (
        "NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity "
                                  "token.")


def test_an_expired_token(identity, linked, clock):
    pool_id, user = linked
    exp = claims(user.id_token)["exp"]
    clock.pin(exp - 1)
    assert identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    clock.pin(exp)
    code, message = refused(identity, pool_id, user.logins)
    assert code == "NotAuthorizedException"
    assert message == f"Invalid login token. Token expired: {exp} >= {exp}"


@pytest.mark.parametrize("revoke", ["GlobalSignOut", "AdminUserGlobalSignOut",
                                    "AdminDisableUser", "RevokeToken"])
def test_server_side_token_check(identity, cognito, new_identity_pool, user, revoke):
    checked = new_identity_pool(CognitoIdentityProviders=[user.entry(check=True)])
    unchecked = new_identity_pool(CognitoIdentityProviders=[user.entry(check=False)])
    assert identity.get_id(IdentityPoolId=checked, Logins=user.logins)["IdentityId"]
    if revoke == "GlobalSignOut":
        cognito.global_sign_out(AccessToken=user.tokens["AccessToken"])
    elif revoke == "AdminUserGlobalSignOut":
        cognito.admin_user_global_sign_out(UserPoolId=user.pool_id, Username=user.username)
    elif revoke == "RevokeToken":
        cognito.revoke_token(Token=user.tokens["RefreshToken"], ClientId=user.client_id)
    else:
        cognito.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    code, message = refused(identity, checked, user.logins)
    assert code == "NotAuthorizedException"
    assert message == ("Invalid login token. User is disabled." if revoke == "AdminDisableUser"
                       else "Invalid login token. Token has been revoked.")
    # Without ServerSideTokenCheck the signature and expiry are all that count.
    assert identity.get_id(IdentityPoolId=unchecked, Logins=user.logins)["IdentityId"]


def test_a_new_sign_in_after_sign_out_is_accepted(identity, cognito, new_identity_pool, user):
    checked = new_identity_pool(CognitoIdentityProviders=[user.entry(check=True)])
    cognito.global_sign_out(AccessToken=user.tokens["AccessToken"])
    user.sign_in()
    assert identity.get_id(IdentityPoolId=checked, Logins=user.logins)["IdentityId"]


def test_providers_this_emulator_cannot_check_are_refused_by_name(identity, new_identity_pool):
    saml = "arn:aws:iam::000000000000:saml-provider/corp"
    pool_id = new_identity_pool(SamlProviderARNs=[saml],
                                SupportedLoginProviders={"accounts.google.com": "app"})
    code, message = refused(identity, pool_id, {"accounts.google.com": "token"})
    assert code == "NotImplementedException" and "accounts.google.com" in message
    # SAML and outside OIDC providers: tests/api/test_identity_federation.py; one the config
    # file's iam: section does not declare is refused naming the missing registration.
    code, message = refused(identity, pool_id, {saml: "token"})
    assert code == "ResourceNotFoundException" and f"SAML provider {saml}" in message
    assert refused(identity, pool_id, {"login.example.com": "token"}) == (
        "NotAuthorizedException", NOT_SUPPORTED)


def test_an_oidc_provider_that_is_a_user_pool_here(identity, new_identity_pool, user):
    arn = f"arn:aws:iam::000000000000:oidc-provider/{user.provider}"
    pool_id = new_identity_pool(OpenIdConnectProviderARNs=[arn])
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [user.provider]
    other = "arn:aws:iam::000000000000:oidc-provider/login.example.com"
    elsewhere = new_identity_pool(OpenIdConnectProviderARNs=[other])
    code, message = refused(identity, elsewhere, {"login.example.com": user.id_token})
    assert code == "ResourceNotFoundException" and "iam: oidc_providers" in message


# --- GetOpenIdToken and the JWKS --------------------------------------------------------------

def verified_token(http, token: str, audience: str) -> dict:
    """The token checked by PyJWT with the key the discovery document's jwks_uri names."""
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "JWS" and header["alg"] == "RS512"
    config = http.get("/cognito-identity/.well-known/openid-configuration").json()
    jwks = jwt.PyJWKSet.from_dict(http.get(config["jwks_uri"]).json())
    key = next(k for k in jwks.keys if k.key_id == header["kid"])
    return jwt.decode(token, key.key, algorithms=["RS512"], audience=audience,
                      issuer=config["issuer"], options={"verify_exp": False})


def test_open_id_token_of_a_signed_in_identity(identity, http, linked):
    pool_id, user = linked
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    answer = identity.get_open_id_token(IdentityId=identity_id, Logins=user.logins)
    assert answer["IdentityId"] == identity_id
    token = verified_token(http, answer["Token"], pool_id)
    assert token["sub"] == identity_id and token["aud"] == pool_id
    assert token["amr"] == ["authenticated", user.provider,
                            f"{user.provider}:CognitoSignIn:{user.sub}"]
    assert token["exp"] - token["iat"] == 600
    assert token["https://cognito-identity.amazonaws.com/identity-pool-arn"] == \
        f"arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{pool_id}"


def test_open_id_token_of_a_guest(identity, http, linked):
    pool_id, _ = linked
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = verified_token(http, identity.get_open_id_token(IdentityId=guest)["Token"], pool_id)
    assert token["amr"] == ["unauthenticated"] and token["sub"] == guest


def test_open_id_token_needs_the_classic_flow(identity, new_identity_pool):
    pool_id = new_identity_pool(AllowUnauthenticatedIdentities=True, AllowClassicFlow=False)
    guest = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with pytest.raises(ClientError) as exc:
        identity.get_open_id_token(IdentityId=guest)
    assert error(exc) == ("InvalidParameterException",
                          "Basic (classic) flow is not enabled, please use enhanced flow.")


def test_unknown_identity(identity):
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    for call in (lambda: identity.describe_identity(IdentityId=missing),
                 lambda: identity.get_open_id_token(IdentityId=missing)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException", f"Identity '{missing}' not found.")


# --- List, Delete, Unlink ---------------------------------------------------------------------

def test_list_identities_pages(identity, new_identity_pool):
    pool_id = new_identity_pool(AllowUnauthenticatedIdentities=True)
    made = sorted(identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(3))
    first = identity.list_identities(IdentityPoolId=pool_id, MaxResults=2)
    assert first["IdentityPoolId"] == pool_id
    assert [i["IdentityId"] for i in first["Identities"]] == made[:2]
    rest = identity.list_identities(IdentityPoolId=pool_id, MaxResults=2,
                                    NextToken=first["NextToken"])
    assert [i["IdentityId"] for i in rest["Identities"]] == made[2:]
    assert "NextToken" not in rest


def test_list_identities_max_results_bounds(endpoint, new_identity_pool):
    raw = make_client(endpoint, service="cognito-identity", validate=False)
    pool_id = new_identity_pool()
    assert raw.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"] == []
    with pytest.raises(ClientError) as exc:
        raw.list_identities(IdentityPoolId=pool_id, MaxResults=61)
    # cognito-identity keeps Coral's code for a constraint violation (api/validation.py).
    assert error(exc)[0] == "ValidationException"
    assert "Member must have value less than or equal to 60" in error(exc)[1]


def test_delete_identities(identity, new_identity_pool):
    pool_id = new_identity_pool(AllowUnauthenticatedIdentities=True)
    doomed = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    unknown = "us-east-1:00000000-0000-4000-8000-000000000000"
    answer = identity.delete_identities(IdentityIdsToDelete=[doomed, unknown])
    assert answer["UnprocessedIdentityIds"] == [{"IdentityId": unknown,
                                                 "ErrorCode": "AccessDenied"}]
    with pytest.raises(ClientError) as exc:
        identity.describe_identity(IdentityId=doomed)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_unlink_identity(identity, linked):
    pool_id, user = linked
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    identity.unlink_identity(IdentityId=identity_id, Logins=user.logins,
                             LoginsToRemove=[user.provider])
    assert identity.describe_identity(IdentityId=identity_id).get("Logins", []) == []
    listed = identity.list_identities(IdentityPoolId=pool_id, MaxResults=10, HideDisabled=True)
    assert identity_id not in [i["IdentityId"] for i in listed["Identities"]]
    shown = identity.list_identities(IdentityPoolId=pool_id, MaxResults=10)
    assert identity_id in [i["IdentityId"] for i in shown["Identities"]]
    # The login is free again: it makes a new identity.
    again = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    assert again != identity_id


def test_unlink_needs_a_login_of_the_identity(identity, cognito, make_pool, new_identity_pool,
                                             user):
    other = SignedIn(cognito, make_pool())
    pool_id = new_identity_pool(CognitoIdentityProviders=[user.entry(), other.entry()])
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    identity.get_id(IdentityPoolId=pool_id, Logins=other.logins)
    with pytest.raises(ClientError) as exc:
        identity.unlink_identity(IdentityId=identity_id, Logins=other.logins,
                                 LoginsToRemove=[user.provider])
    assert error(exc) == ("NotAuthorizedException", LOGINS_DONT_MATCH)


# --- developer-authenticated identities -------------------------------------------------------

@pytest.fixture
def developer_pool(new_identity_pool):
    return new_identity_pool(DeveloperProviderName="login.example.dev", AllowClassicFlow=True)


def developer_token(identity, pool_id: str, user_id: str, **params) -> dict:
    return identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={"login.example.dev": user_id}, **params)


def test_developer_identity_and_its_token(identity, http, developer_pool):
    answer = developer_token(identity, developer_pool, "alice", TokenDuration=1234,
                             PrincipalTags={"team": "red"})
    identity_id = answer["IdentityId"]
    assert IDENTITY_ID.match(identity_id)
    token = verified_token(http, answer["Token"], developer_pool)
    assert token["amr"] == ["authenticated", "login.example.dev",
                            f"login.example.dev:{developer_pool}:alice"]
    assert token["exp"] - token["iat"] == 1234
    assert token["https://aws.amazon.com/tags"] == {"principal_tags": {"team": ["red"]}}
    again = developer_token(identity, developer_pool, "alice")
    assert again["IdentityId"] == identity_id
    default = verified_token(http, again["Token"], developer_pool)
    assert default["exp"] - default["iat"] == 900
    # The enhanced flow: the OpenID token is the login of its own identity.
    proven = identity.get_open_id_token(IdentityId=identity_id,
                                        Logins={"cognito-identity.amazonaws.com": again["Token"]})
    assert proven["IdentityId"] == identity_id


def test_developer_user_registered_with_another_identity(identity, developer_pool):
    alice = developer_token(identity, developer_pool, "alice")["IdentityId"]
    bob = developer_token(identity, developer_pool, "bob")["IdentityId"]
    assert alice != bob
    with pytest.raises(ClientError) as exc:
        developer_token(identity, developer_pool, "alice", IdentityId=bob)
    assert error(exc)[0] == "DeveloperUserAlreadyRegisteredException"


def test_developer_logins_go_through_the_developer_api_only(identity, developer_pool):
    with pytest.raises(ClientError) as exc:
        identity.get_id(IdentityPoolId=developer_pool, Logins={"login.example.dev": "alice"})
    assert error(exc)[0] == "NotAuthorizedException"


def test_lookup_merge_and_unlink_developer_identities(identity, developer_pool):
    alice = developer_token(identity, developer_pool, "alice")["IdentityId"]
    bob = developer_token(identity, developer_pool, "bob")["IdentityId"]
    found = identity.lookup_developer_identity(IdentityPoolId=developer_pool,
                                               DeveloperUserIdentifier="alice")
    assert found["IdentityId"] == alice and found["DeveloperUserIdentifierList"] == ["alice"]

    merged = identity.merge_developer_identities(
        SourceUserIdentifier="bob", DestinationUserIdentifier="alice",
        DeveloperProviderName="login.example.dev", IdentityPoolId=developer_pool)
    assert merged["IdentityId"] == alice
    by_id = identity.lookup_developer_identity(IdentityPoolId=developer_pool, IdentityId=alice,
                                               MaxResults=1)
    assert by_id["DeveloperUserIdentifierList"] == ["alice"] and by_id["NextToken"]
    assert developer_token(identity, developer_pool, "bob")["IdentityId"] == alice
    with pytest.raises(ClientError) as exc:
        identity.describe_identity(IdentityId=bob)
    assert error(exc)[0] == "ResourceNotFoundException"

    identity.unlink_developer_identity(IdentityId=alice, IdentityPoolId=developer_pool,
                                       DeveloperProviderName="login.example.dev",
                                       DeveloperUserIdentifier="bob")
    with pytest.raises(ClientError) as exc:
        identity.lookup_developer_identity(IdentityPoolId=developer_pool,
                                           DeveloperUserIdentifier="bob")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_developer_operations_need_the_pools_developer_provider(identity, new_identity_pool):
    plain = new_identity_pool()
    with pytest.raises(ClientError) as exc:
        identity.lookup_developer_identity(IdentityPoolId=plain, DeveloperUserIdentifier="x")
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        identity.merge_developer_identities(
            SourceUserIdentifier="a", DestinationUserIdentifier="b",
            DeveloperProviderName="other.dev", IdentityPoolId=plain)
    assert error(exc)[0] == "ResourceNotFoundException"
