"""An identity pool's roles and role mappings (SetIdentityPoolRoles, GetIdentityPoolRoles).

Stored at kind pools.ROLES_KIND, scope = pool id, key pools.ROLES_KEY, as
{"Roles": {"authenticated"|"unauthenticated": role ARN}, "RoleMappings": {provider: mapping}};
each SetIdentityPoolRoles replaces both. A mapping is stored as given: {Type,
AmbiguousRoleResolution, RulesConfiguration: {Rules: [{Claim, MatchType, Value, RoleARN}]}}.
"""
from ...errors import CognitoError, invalid
from . import pools

MAX_RULES = 25  # per identity provider (the model's RoleMappings documentation)


def set_roles(store, pool_id: str, params: dict) -> None:
    pool = pools.require(store, pool_id)
    roles = dict(params["Roles"])
    for arn in roles.values():
        if not pools.ROLE_ARN.fullmatch(arn):
            # Code and wording from https://github.com/aws/aws-sdk-js/issues/908 (a role
            # name instead of an ARN) and danilop/LambdAuth#40 (a malformed role ARN).
            raise CognitoError("NotAuthorizedException", f"Access to Role '{arn}' is "
                               "forbidden.")
    mappings = {}
    known = pools.provider_names(pool)
    for provider, mapping in (params.get("RoleMappings") or {}).items():
        if provider not in known:
            # The service's wording (quoted in aws/aws-cdk#22951).
            raise invalid(f"({provider}) is not a valid RoleMapping ProviderName or is not a "
                          "configured provider.")
        mappings[provider] = _mapping(provider, mapping)
    store.put(pools.ROLES_KIND, pool_id, pools.ROLES_KEY,
              {"Roles": roles, "RoleMappings": mappings})


def get_roles(store, pool_id: str) -> dict:
    pools.require(store, pool_id)
    return {"IdentityPoolId": pool_id, **pools.roles_of(store, pool_id)}


def _mapping(provider: str, mapping: dict) -> dict:
    # Wordings below UNCONFIRMED; the rules are the model's RoleMapping documentation.
    kind = mapping["Type"]
    if "AmbiguousRoleResolution" not in mapping:
        raise invalid(f"AmbiguousRoleResolution is required for the {kind} role mapping of "
                      f"{provider}.")
    out = {"Type": kind, "AmbiguousRoleResolution": mapping["AmbiguousRoleResolution"]}
    rules = mapping.get("RulesConfiguration")
    if kind == "Token":
        if rules is not None:
            raise invalid(f"RulesConfiguration must not be set for the Token role mapping of "
                          f"{provider}.")
        return out
    if rules is None:
        raise invalid(f"RulesConfiguration is required for the Rules role mapping of "
                      f"{provider}.")
    if len(rules["Rules"]) > MAX_RULES:
        raise invalid(f"At most {MAX_RULES} rules can be specified per identity provider.")
    for rule in rules["Rules"]:
        _check_role_arn(rule["RoleARN"])
    out["RulesConfiguration"] = {"Rules": [
        {"Claim": r["Claim"], "MatchType": r["MatchType"], "Value": r["Value"],
         "RoleARN": r["RoleARN"]} for r in rules["Rules"]]}
    return out


def _check_role_arn(arn: str) -> None:
    if not pools.ROLE_ARN.fullmatch(arn):
        # Wording UNCONFIRMED.
        raise invalid(f"Invalid role ARN: {arn}")
