"""App-client settings: defaults, token validity and its units, auth-flow and attribute
checks for CreateUserPoolClient / UpdateUserPoolClient. Plain dicts in and out.
"""
import copy

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


def settings(pool: dict, params: dict, *, has_secret: bool, updating: bool) -> dict:
    """The client's settings from a Create/UpdateUserPoolClient request, defaults filled in."""
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
    # secret. Wording UNCONFIRMED.
    flows = config.get("AllowedOAuthFlows") or []
    if "client_credentials" in flows:
        if len(set(flows)) > 1:
            raise CognitoError("InvalidOAuthFlowException",
                               "client_credentials flow can not be selected along with code "
                               "flow or implicit flow.")
        if not has_secret:
            raise CognitoError("InvalidOAuthFlowException",
                               "client_credentials flow can not be selected if client does not "
                               "have a client secret.")


def _check_tier(pool: dict, config: dict) -> None:
    tier = pool.get("UserPoolTier", "ESSENTIALS")
    if tier == "LITE" and "ALLOW_USER_AUTH" in config["ExplicitAuthFlows"]:
        raise CognitoError("FeatureUnavailableInTierException",
                           "The following features need to be disabled for the LITE pricing "
                           "tier configured: Choice-based sign-in")
