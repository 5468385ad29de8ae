"""App-client settings: defaults, token validity and its units, auth-flow and attribute
checks, and the OAuth 2.0 settings (flows, scopes, callback/logout URLs, identity providers)
for CreateUserPoolClient / UpdateUserPoolClient. Plain dicts in and out.
"""
import copy
from urllib.parse import urlsplit

from ..errors import CognitoError, invalid
from . import pools

LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

# token -> (request member, unit key, default value, default unit, unit when a value comes
# without one, allowed range in seconds). COGNITO_REFERENCE 6.5.
TOKENS = {
    "AccessToken": ("AccessTokenValidity", 60, "minutes", "hours", (5 * 60, 86400)),
    "IdToken": ("IdTokenValidity", 60, "minutes", "hours", (5 * 60, 86400)),
    "RefreshToken": ("RefreshTokenValidity", 30, "days", "days", (60 * 60, 3650 * 86400)),
}

# Members that UpdateUserPoolClient puts back to their default when left out (AWS: "If you
# don't provide a value for an attribute, Amazon Cognito sets it to its default value").
SETTINGS = ["RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
            "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows",
            "SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
            "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
            "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
            "EnablePropagateAdditionalUserContextData", "AuthSessionValidity",
            "RefreshTokenRotation"]

_AS_GIVEN = ["SupportedIdentityProviders", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
             "AllowedOAuthFlows", "AllowedOAuthScopes", "AnalyticsConfiguration",
             "RefreshTokenRotation"]


def settings(pool: dict, params: dict, *, has_secret: bool, updating: bool,
             store=None) -> dict:
    """The client's settings from a Create/UpdateUserPoolClient request, defaults filled in.
    With `store`, custom scopes must belong to a resource server of the pool and identity
    providers must exist; without it those two look-ups are skipped."""
    out = token_validity(params)
    verb = "updating" if updating else "creating"
    schema = pools.schema(pool)
    for member, label in (("ReadAttributes", "read"), ("WriteAttributes", "write")):
        if params.get(member) is not None:
            if any(name not in schema for name in params[member]):
                raise invalid(f"Invalid {label} attributes specified while {verb} a client")
            out[member] = list(params[member])
    out["ExplicitAuthFlows"] = explicit_auth_flows(params.get("ExplicitAuthFlows"))
    for key in _AS_GIVEN:
        if params.get(key) is not None:
            out[key] = copy.deepcopy(params[key])
    out["AllowedOAuthFlowsUserPoolClient"] = bool(params.get("AllowedOAuthFlowsUserPoolClient",
                                                             False))
    out["PreventUserExistenceErrors"] = params.get("PreventUserExistenceErrors", "LEGACY")
    out["EnableTokenRevocation"] = bool(params.get("EnableTokenRevocation", True))
    out["EnablePropagateAdditionalUserContextData"] = bool(
        params.get("EnablePropagateAdditionalUserContextData", False))
    out["AuthSessionValidity"] = params.get("AuthSessionValidity", 3)
    _check_oauth(out, has_secret)
    check_oauth_settings(out, pool, store)
    _check_tier(pool, out)
    return out


def token_validity(params: dict) -> dict:
    """RefreshTokenValidity, AccessTokenValidity, IdTokenValidity and TokenValidityUnits.

    Nothing given: 60 minutes / 60 minutes / 30 days. A validity given without its unit is
    read in the documented default unit (hours, hours, days). A unit given without a validity
    keeps the default lifetime, expressed in that unit when it divides evenly (UNCONFIRMED).
    RefreshTokenValidity 0 means "the default" (model documentation)."""
    units_given = params.get("TokenValidityUnits") or {}
    values, units = {}, {}
    for token, (member, default, default_unit, given_unit, (low, high)) in TOKENS.items():
        value = params.get(member)
        if value == 0 and token == "RefreshToken":
            value = None
        unit = units_given.get(token)
        if value is None:
            value, unit_out = default, default_unit
            if unit and (default * UNIT_SECONDS[default_unit]) % UNIT_SECONDS[unit] == 0:
                value, unit_out = default * UNIT_SECONDS[default_unit] // UNIT_SECONDS[unit], unit
        else:
            unit_out = unit or given_unit
        if not low <= value * UNIT_SECONDS[unit_out] <= high:
            raise invalid("Invalid range for token validity.")
        values[member], units[token] = value, unit_out
    return {"RefreshTokenValidity": values["RefreshTokenValidity"],
            "AccessTokenValidity": values["AccessTokenValidity"],
            "IdTokenValidity": values["IdTokenValidity"],
            "TokenValidityUnits": units}


def lifetime_seconds(client: dict, token: str) -> int:
    """A client's token lifetime in seconds (token: AccessToken | IdToken | RefreshToken)."""
    member, default, default_unit, _, _ = TOKENS[token]
    value = client.get(member) or default
    unit = (client.get("TokenValidityUnits") or {}).get(token) or default_unit
    return value * UNIT_SECONDS[unit]


def explicit_auth_flows(given: list[str] | None) -> list[str]:
    # An empty list counts as "not given" (clients.flows treats it the same way).
    if not given:
        return list(DEFAULT_FLOWS)
    flows = list(dict.fromkeys(given))
    legacy = [f for f in flows if f in LEGACY_FLOWS]
    if legacy and len(legacy) != len(flows):
        # The rule is documented; the wording is UNCONFIRMED.
        raise invalid("ExplicitAuthFlows can not mix the legacy values ADMIN_NO_SRP_AUTH, "
                      "CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ values.")
    return flows


def _check_oauth(config: dict, has_secret: bool) -> None:
    # COGNITO_REFERENCE 7.1: client_credentials must be the only OAuth flow and needs a
    # secret.
    flows = config.get("AllowedOAuthFlows") or []
    if "client_credentials" in flows:
        if len(set(flows)) > 1:
            # Wording as public CLI notes quote it (without the code or the final period);
            # code and exact text UNCONFIRMED.
            raise CognitoError("InvalidOAuthFlowException",
                               "client_credentials flow can not be selected along with code "
                               "flow or implicit flow.")
        if not has_secret:
            # Code and wording: Terraform's CreateUserPoolClient error quoted in
            # wellcomecollection/storage-service terraform/modules/app_client/main.tf.
            raise CognitoError("InvalidOAuthFlowException",
                               "client_credentials flow can not be selected if client does not "
                               "have a client secret.")


def _check_tier(pool: dict, config: dict) -> None:
    tier = pool.get("UserPoolTier", "ESSENTIALS")
    if tier == "LITE" and "ALLOW_USER_AUTH" in config["ExplicitAuthFlows"]:
        raise CognitoError("FeatureUnavailableInTierException",
                           "The following features need to be disabled for the LITE pricing "
                           "tier configured: Choice-based sign-in")


# --- OAuth 2.0 settings -----------------------------------------------------------------------

OAUTH_FLOWS = ("code", "implicit", "client_credentials")
RESERVED_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
COGNITO_PROVIDER = "COGNITO"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")  # urlsplit drops the brackets of [::1]


def oauth_enabled(client: dict) -> bool:
    """The client may use the OAuth 2.0 endpoints at all."""
    return bool(client.get("AllowedOAuthFlowsUserPoolClient")) and bool(
        client.get("AllowedOAuthFlows"))


def allows_flow(client: dict, flow: str) -> bool:
    """`flow` (code | implicit | client_credentials) is enabled for the client, which needs
    AllowedOAuthFlowsUserPoolClient=true as well."""
    return oauth_enabled(client) and flow in client.get("AllowedOAuthFlows", [])


def check_oauth_settings(config: dict, pool: dict, store=None) -> None:
    """The OAuth rules beyond the client_credentials ones (_check_oauth), in this order:
    flows and scopes present when OAuth is on; callback URLs for code/implicit; each URL
    (https, http only for loopback hosts, no fragment); DefaultRedirectURI among the callback
    URLs; no reserved scope with client_credentials; scopes exist; identity providers exist.
    The checks apply whether or not AllowedOAuthFlowsUserPoolClient is true, as in Cognito
    (a client can hold OAuth settings with OAuth switched off)."""
    flows = config.get("AllowedOAuthFlows") or []
    scopes = config.get("AllowedOAuthScopes") or []
    callbacks = config.get("CallbackURLs") or []
    if config.get("AllowedOAuthFlowsUserPoolClient") and (not flows or not scopes):
        raise invalid("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool "
                      "client is allowed to use OAuth flows.")
    if ("code" in flows or "implicit" in flows) and not callbacks:
        raise CognitoError("InvalidOAuthFlowException",
                           "CallbackUrls can not be empty when code flow or implicit flow is "
                           "selected")
    for url in [*callbacks, *(config.get("LogoutURLs") or [])]:
        check_redirect_url(url)
    default = config.get("DefaultRedirectURI")
    if default is not None:
        check_redirect_url(default)
        if default not in callbacks:
            # Wording UNCONFIRMED.
            raise invalid("DefaultRedirectURI must be one of the CallbackURLs.")
    if "client_credentials" in flows:
        for scope in scopes:
            if scope in RESERVED_SCOPES:
                # Wording captured from the real service; the code is UNCONFIRMED.
                raise CognitoError("InvalidOAuthFlowException",
                                   f"{scope} is not supported with client_credentials flow")
    if store is not None:
        _check_scopes_exist(store, pool["Id"], scopes)
        _check_providers_exist(store, pool["Id"], config.get("SupportedIdentityProviders") or [])


def check_redirect_url(url: str) -> None:
    """A callback or logout URL: absolute, https (http only for localhost, 127.0.0.1 and
    [::1], any port) or an app scheme such as myapp://, and without a fragment."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise invalid(f"{url} is not a valid URL.") from None
    if not scheme or (scheme in ("http", "https") and not host):
        raise invalid(f"{url} is not a valid URL.")  # wording UNCONFIRMED
    if "#" in url:
        raise invalid(f"{url} cannot contain a fragment.")  # wording UNCONFIRMED
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        # Wording captured from the real service.
        raise invalid(f"{url} cannot use the HTTP protocol.")


def _check_scopes_exist(store, pool_id: str, scopes: list[str]) -> None:
    from . import resource_servers
    custom = [s for s in scopes if s not in RESERVED_SCOPES]
    if not custom:
        return
    known = resource_servers.all_scopes(store, pool_id)
    for scope in custom:
        if scope not in known:
            # Wording captured from the real service (awsdocs/aws-cloudformation-user-guide#564).
            raise CognitoError("ScopeDoesNotExistException", f"Invalid scope requested: {scope}")


IDENTITY_PROVIDER_KIND = "identity_provider"  # scope = pool id, key = provider name (SAML issue)


def _check_providers_exist(store, pool_id: str, names: list[str]) -> None:
    """Every listed provider exists; and a client listing a SAML provider with IDPInit on
    lists SAML providers only, no COGNITO (COGNITO_REFERENCE 8.4; wording UNCONFIRMED)."""
    records = {}
    for name in names:
        if name == COGNITO_PROVIDER:
            continue
        record = store.get(IDENTITY_PROVIDER_KIND, pool_id, name)
        if record is None:
            # Wording captured from the real service (CloudFormation/CDK deployment logs).
            raise invalid(f"The provider {name} does not exist for User Pool {pool_id}")
        records[name] = record
    idp_initiated = [name for name, rec in records.items()
                     if rec.get("ProviderType") == "SAML"
                     and (rec.get("ProviderDetails") or {}).get("IDPInit") == "true"]
    if idp_initiated:
        others = [name for name in names
                  if name not in records or records[name].get("ProviderType") != "SAML"]
        if others:
            raise invalid(f"The provider {idp_initiated[0]} allows IdP-initiated sign-in, so "
                          f"the app client may only support SAML providers, not "
                          f"{', '.join(others)}.")
