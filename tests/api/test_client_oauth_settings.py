"""An app client's OAuth 2.0 settings (flows, scopes, callback and logout URLs, identity
providers) as Create/UpdateUserPoolClient check them, through boto3."""
import pytest
from botocore.exceptions import ClientError

from emulator.domain import client_config
from emulator.errors import CognitoError
from tests.support.factories import error

WEB = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
       "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": ["https://app.example/cb"],
       "SupportedIdentityProviders": ["COGNITO"]}


def create(cognito, pool_id, **params):
    params.setdefault("ClientName", "web")
    return cognito.create_user_pool_client(UserPoolId=pool_id, **params)["UserPoolClient"]


def refused(cognito, pool_id, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, **params)
    return error(exc)


@pytest.fixture
def api_scopes(cognito, pool_id) -> list[str]:
    cognito.create_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="Orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"},
                {"ScopeName": "write", "ScopeDescription": "Write orders"}])
    return ["orders/read", "orders/write"]


# --- what is accepted -----------------------------------------------------------------------

def test_code_flow_client(cognito, pool_id, api_scopes):
    client = create(cognito, pool_id, **{
        **WEB, "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["openid", "email", "phone", "profile",
                               "aws.cognito.signin.user.admin", "orders/read"],
        "CallbackURLs": ["https://app.example/cb", "http://localhost:3000/cb",
                         "http://127.0.0.1/cb", "http://[::1]:8080/cb", "myapp://callback"],
        "LogoutURLs": ["https://app.example/bye", "http://localhost/bye"],
        "DefaultRedirectURI": "https://app.example/cb"})
    assert client["AllowedOAuthFlows"] == ["code", "implicit"]
    assert "orders/read" in client["AllowedOAuthScopes"]
    assert client["DefaultRedirectURI"] == "https://app.example/cb"
    assert client_config.allows_flow(client, "code")
    assert not client_config.allows_flow(client, "client_credentials")


def test_machine_client(cognito, pool_id, api_scopes):
    client = create(cognito, pool_id, GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                    AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=api_scopes)
    assert client["AllowedOAuthScopes"] == api_scopes
    assert client_config.allows_flow(client, "client_credentials")


def test_settings_kept_while_oauth_is_off(cognito, pool_id):
    # Cognito stores OAuth settings on a client with AllowedOAuthFlowsUserPoolClient=false;
    # the OAuth endpoints refuse such a client (client_config.oauth_enabled).
    client = create(cognito, pool_id, **{**WEB, "AllowedOAuthFlowsUserPoolClient": False})
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert not client_config.oauth_enabled(client)
    assert not client_config.allows_flow(client, "code")


# --- flows and scopes -----------------------------------------------------------------------

def test_oauth_on_needs_flows_and_scopes(cognito, pool_id):
    message = ("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is "
               "allowed to use OAuth flows.")
    assert refused(cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True) == \
        ("InvalidParameterException", message)
    assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthScopes": []}) == \
        ("InvalidParameterException", message)
    assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthFlows": []}) == \
        ("InvalidParameterException", message)


def test_code_and_implicit_need_callback_urls(cognito, pool_id):
    for flow in ("code", "implicit"):
        assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthFlows": [flow],
                                            "CallbackURLs": []}) == \
            ("InvalidOAuthFlowException",
             "CallbackUrls can not be empty when code flow or implicit flow is selected")


def test_client_credentials_rules(cognito, pool_id, api_scopes):
    assert refused(cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True,
                   AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=api_scopes) == \
        ("InvalidOAuthFlowException",
         "client_credentials flow can not be selected if client does not have a client secret.")
    assert refused(cognito, pool_id, **{**WEB, "GenerateSecret": True,
                                        "AllowedOAuthFlows": ["client_credentials", "code"]}) == \
        ("InvalidOAuthFlowException",
         "client_credentials flow can not be selected along with code flow or implicit flow.")
    assert refused(cognito, pool_id, GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                   AllowedOAuthFlows=["client_credentials"],
                   AllowedOAuthScopes=["orders/read", "openid"]) == \
        ("InvalidOAuthFlowException", "openid is not supported with client_credentials flow")


def test_scopes_must_exist(cognito, pool_id, api_scopes, make_pool):
    assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthScopes": ["openid", "orders/delete"]}) \
        == ("ScopeDoesNotExistException", "Invalid scope requested: orders/delete")
    assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthScopes": ["Cognito"]}) == \
        ("ScopeDoesNotExistException", "Invalid scope requested: Cognito")
    # Another pool's resource servers don't count.
    other = make_pool()
    assert refused(cognito, other, **{**WEB, "AllowedOAuthScopes": ["orders/read"]}) == \
        ("ScopeDoesNotExistException", "Invalid scope requested: orders/read")


def test_scope_of_a_deleted_resource_server(cognito, pool_id, api_scopes):
    client = create(cognito, pool_id, **{**WEB, "AllowedOAuthScopes": ["openid", "orders/read"]})
    cognito.delete_resource_server(UserPoolId=pool_id, Identifier="orders")
    # The client keeps its list (deleting a server doesn't break clients) ...
    again = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert again["UserPoolClient"]["AllowedOAuthScopes"] == ["openid", "orders/read"]
    # ... but can't be given the scope anew.
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"],
                                        **{**WEB, "AllowedOAuthScopes": ["orders/read"]})
    assert error(exc) == ("ScopeDoesNotExistException", "Invalid scope requested: orders/read")


# --- URLs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://app.example/cb", "http://localhost.com/",
                                 "http://192.168.1.50:5001/cb", "HTTP://example.org"])
def test_http_only_for_loopback(cognito, pool_id, url):
    assert refused(cognito, pool_id, **{**WEB, "CallbackURLs": [url]}) == \
        ("InvalidParameterException", f"{url} cannot use the HTTP protocol.")
    assert refused(cognito, pool_id, **{**WEB, "LogoutURLs": [url]}) == \
        ("InvalidParameterException", f"{url} cannot use the HTTP protocol.")


@pytest.mark.parametrize("url", ["https://app.example/cb#done", "app.example/cb", "https:///cb",
                                 "http://[::1/cb"])
def test_url_shape(cognito, pool_id, url):
    code, _ = refused(cognito, pool_id, **{**WEB, "CallbackURLs": [url]})
    assert code == "InvalidParameterException"


def test_default_redirect_uri_must_be_a_callback(cognito, pool_id):
    code, message = refused(cognito, pool_id, **{**WEB, "DefaultRedirectURI": "https://other/cb"})
    assert code == "InvalidParameterException" and "DefaultRedirectURI" in message
    code, _ = refused(cognito, pool_id, **{**WEB, "CallbackURLs": [],
                                           "AllowedOAuthFlowsUserPoolClient": False,
                                           "AllowedOAuthFlows": [],
                                           "DefaultRedirectURI": "https://app.example/cb"})
    assert code == "InvalidParameterException"


# --- identity providers ---------------------------------------------------------------------

def test_identity_providers_must_exist(cognito, pool_id):
    assert refused(cognito, pool_id, **{**WEB,
                                        "SupportedIdentityProviders": ["COGNITO", "Google"]}) == \
        ("InvalidParameterException", f"The provider Google does not exist for User Pool {pool_id}")


# --- update applies the same rules ----------------------------------------------------------

def test_update_checks_the_same_rules(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                        **{**WEB, "CallbackURLs": ["http://app.example/cb"]})
    assert error(exc) == ("InvalidParameterException",
                          "http://app.example/cb cannot use the HTTP protocol.")
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                              **WEB)["UserPoolClient"]
    assert updated["AllowedOAuthFlowsUserPoolClient"] is True
    assert updated["CallbackURLs"] == WEB["CallbackURLs"]


def test_redirect_url_rules_directly():
    for good in ("https://a.example/cb?x=1", "http://localhost", "http://127.0.0.1:9/x",
                 "http://[::1]/", "com.example.app:/oauth", "myapp://cb"):
        client_config.check_redirect_url(good)
    for bad, why in (("http://example.com", "cannot use the HTTP protocol."),
                     ("https://a.example/#frag", "cannot contain a fragment."),
                     ("/relative", "is not a valid URL."), ("", "is not a valid URL.")):
        with pytest.raises(CognitoError) as exc:
            client_config.check_redirect_url(bad)
        assert (exc.value.code, exc.value.message) == ("InvalidParameterException",
                                                       f"{bad} {why}")
