"""Identity pools: CreateIdentityPool ... ListIdentityPools, roles and role mappings,
principal tags.

Records (the shapes the operations return, so Describe/Get read them back as stored):
- kind "identitypool", scope "", key = IdentityPoolId ("<region>:<uuid>"): the
  IdentityPool shape of DescribeIdentityPool (IdentityPoolId, IdentityPoolName,
  AllowUnauthenticatedIdentities, AllowClassicFlow, SupportedLoginProviders,
  DeveloperProviderName, OpenIdConnectProviderARNs, CognitoIdentityProviders
  [{ProviderName, ClientId, ServerSideTokenCheck}], SamlProviderARNs, IdentityPoolTags).
- kind "identitypoolroles", scope = pool id, key "roles": {"Roles": {"authenticated": arn,
  "unauthenticated": arn}, "RoleMappings": {provider: RoleMapping}} (GetIdentityPoolRoles).
- kind "principaltags", scope = pool id, key = IdentityProviderName:
  {"UseDefaults": bool, "PrincipalTags": {tag: claim}} (GetPrincipalTagAttributeMap).
- kind "identitypool_owner", scope "", key = pool id: {"account"}, the account that created
  it (the region is the id's prefix). Beside the record, not in it: Describe returns the
  record as it is. A pool without one (made before accounts were kept apart) belongs to the
  default account (settings.account_id).

Everything of a pool but its record lives in the scope named by its id, so DeleteIdentityPool
is the record plus store.delete_scope(pool id) (identities, logins, roles, principal tags).

Decisions (sources in docs/IDENTITY_POOLS.md):
- Names need not be unique: the service allows two pools of the same name.
- UpdateIdentityPool replaces the pool: a member left out goes back to its default, except
  DeveloperProviderName (set once, never changed; leaving it out keeps it) and
  IdentityPoolTags (managed with TagResource; leaving them out keeps them).
- The providers are checked for form only: a user pool named in CognitoIdentityProviders
  need not exist here (it may live in another region or account).
"""
import re
import uuid

from ...errors import CognitoError, invalid, not_found
from .. import paging

KIND = "identitypool"
ROLES_KIND = "identitypoolroles"
ROLES_KEY = "roles"
PRINCIPAL_TAGS_KIND = "principaltags"
OWNER_KIND = "identitypool_owner"

# The SupportedLoginProviders keys the service knows (CreateIdentityPool's documentation).
LOGIN_PROVIDERS = ("graph.facebook.com", "accounts.google.com", "www.amazon.com",
                   "appleid.apple.com", "api.twitter.com", "www.digits.com")
MAX_TAGS = 50  # TagResource documentation: "An identity pool can have as many as 50 tags."

USER_POOL_PROVIDER = re.compile(r"cognito-idp\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com/"
                                r"(\1_[0-9a-zA-Z]+)")
OIDC_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/(\S+)")
SAML_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:saml-provider/[\w+=,.@-]+")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]+/)?[\w+=,.@-]{1,64}")


def get(store, pool_id: str) -> dict | None:
    return store.get(KIND, "", pool_id)


def require(store, pool_id: str) -> dict:
    pool = get(store, pool_id)
    if pool is None:
        raise not_found(f"IdentityPool '{pool_id}' not found.")
    return pool


def owner(ctx, pool_id: str) -> tuple[str, str]:
    """(account, region) the identity pool belongs to."""
    record = ctx.store.get(OWNER_KIND, "", pool_id)
    return (record["account"] if record else ctx.settings.account_id), pool_id.split(":", 1)[0]


def visible(ctx, pool_id: str) -> bool:
    """Whether the call may see the pool: a signed call only its own account's and region's;
    an unsigned one (GetId, GetCredentialsForIdentity...) carries no account and sees all."""
    return not ctx.signed or owner(ctx, pool_id) == (ctx.account_id, ctx.region)


def roles_of(store, pool_id: str) -> dict:
    """{"Roles": {...}, "RoleMappings": {...}}; both empty when never set."""
    return store.get(ROLES_KIND, pool_id, ROLES_KEY) or {"Roles": {}, "RoleMappings": {}}


def principal_tags_of(store, pool_id: str, provider: str) -> dict | None:
    """The principal-tag map set for one identity provider of the pool, None if never set."""
    return store.get(PRINCIPAL_TAGS_KIND, pool_id, provider)


# --- the operations ---------------------------------------------------------------------------

def create(ctx, params: dict, *, pool_id: str | None = None) -> dict:
    """CreateIdentityPool (pool_id: a fixed id, for seed files)."""
    pool_id = pool_id or f"{ctx.region}:{uuid.uuid4()}"
    tags = dict(params.get("IdentityPoolTags") or {})
    check_tags(tags)
    record = _record(pool_id, params, tags)
    ctx.store.insert(KIND, "", pool_id, record)
    ctx.store.put(OWNER_KIND, "", pool_id, {"account": ctx.account_id})
    return record


def update(ctx, params: dict) -> dict:
    """UpdateIdentityPool: the whole pool is replaced (see the module's decisions)."""
    current = require(ctx.store, params["IdentityPoolId"])
    developer = current.get("DeveloperProviderName")
    given = params.get("DeveloperProviderName")
    if developer and given and given != developer:
        # Wording UNCONFIRMED (the rule is the model's: "Once you have set a developer
        # provider name, you cannot change it").
        raise invalid("Developer provider name cannot be changed once set.")
    tags = current.get("IdentityPoolTags", {})
    if "IdentityPoolTags" in params:
        tags = dict(params["IdentityPoolTags"])
        check_tags(tags)
    record = _record(current["IdentityPoolId"],
                     {**params, "DeveloperProviderName": developer or given}, tags)
    save(ctx.store, record)
    return record


def delete(store, pool_id: str) -> None:
    """DeleteIdentityPool: the pool and everything in its scope (identities, logins, roles,
    principal tags)."""
    require(store, pool_id)
    store.delete(KIND, "", pool_id)
    store.delete(OWNER_KIND, "", pool_id)
    store.delete_scope(pool_id)


def page(ctx, *, token: str | None, limit: int) -> tuple[list[dict], str | None]:
    """ListIdentityPools: ({IdentityPoolId, IdentityPoolName} of one page, next token), only
    the pools of the caller's account and region (the id starts with the region)."""
    items: list[dict] = []
    after = paging.after(token)
    while True:
        rows = ctx.store.list(KIND, "", prefix=f"{ctx.region}:", after=after, limit=limit + 1)
        for pool_id, pool in rows:
            if owner(ctx, pool_id)[0] != ctx.account_id:
                continue
            if len(items) == limit:
                return items, paging.token(items[-1]["IdentityPoolId"])
            items.append({"IdentityPoolId": pool["IdentityPoolId"],
                          "IdentityPoolName": pool["IdentityPoolName"]})
        if len(rows) <= limit:
            return items, None
        after = rows[-1][0]


def save(store, pool: dict) -> None:
    store.put(KIND, "", pool["IdentityPoolId"], pool)


# --- providers --------------------------------------------------------------------------------

def provider_names(pool: dict) -> set[str]:
    """What names the pool's providers for role mappings: social provider names,
    `<user pool provider>:<client id>`, OIDC provider ARNs and their URLs, SAML ARNs."""
    names = set(pool.get("SupportedLoginProviders", {}))
    names |= {f"{p['ProviderName']}:{p['ClientId']}"
              for p in pool.get("CognitoIdentityProviders", [])}
    for arn in pool.get("OpenIdConnectProviderARNs", []):
        names.add(arn)
        match = OIDC_ARN.fullmatch(arn)
        if match:
            names.add(match.group(1))
    names |= set(pool.get("SamlProviderARNs", []))
    return names


def token_provider_names(pool: dict) -> set[str]:
    """The IdentityProviderName values principal tags may be set for: social provider names,
    user pool provider names (no client id), OIDC and SAML ARNs, the developer provider."""
    names = set(pool.get("SupportedLoginProviders", {}))
    names |= {p["ProviderName"] for p in pool.get("CognitoIdentityProviders", [])}
    names |= set(pool.get("OpenIdConnectProviderARNs", []))
    names |= set(pool.get("SamlProviderARNs", []))
    if pool.get("DeveloperProviderName"):
        names.add(pool["DeveloperProviderName"])
    return names


def check_tags(tags: dict) -> None:
    if any(key.lower().startswith("aws:") for key in tags):
        # Wording UNCONFIRMED (the aws: prefix is reserved on every AWS tagging API).
        raise invalid("Tag keys starting with aws: are reserved for AWS use.")
    if len(tags) > MAX_TAGS:
        # Wording UNCONFIRMED.
        raise CognitoError("LimitExceededException",
                           f"An identity pool can have at most {MAX_TAGS} tags.")


def _record(pool_id: str, params: dict, tags: dict) -> dict:
    logins = dict(params.get("SupportedLoginProviders") or {})
    for name in logins:
        if name not in LOGIN_PROVIDERS:
            # Wording UNCONFIRMED. Other providers are added as OIDC providers (an IAM
            # OpenID Connect provider ARN) or as the developer provider.
            raise invalid(f"Invalid login provider: {name}")
    cognito = [_cognito_provider(p) for p in params.get("CognitoIdentityProviders") or []]
    oidc = list(params.get("OpenIdConnectProviderARNs") or [])
    for arn in oidc:
        if not OIDC_ARN.fullmatch(arn):
            # Wording UNCONFIRMED.
            raise invalid(f"Invalid OpenIdConnectProviderARN: {arn}")
    saml = list(params.get("SamlProviderARNs") or [])
    for arn in saml:
        if not SAML_ARN.fullmatch(arn):
            # Wording UNCONFIRMED.
            raise invalid(f"Invalid SamlProviderARN: {arn}")
    record = {"IdentityPoolId": pool_id, "IdentityPoolName": params["IdentityPoolName"],
              "AllowUnauthenticatedIdentities": params["AllowUnauthenticatedIdentities"],
              "AllowClassicFlow": bool(params.get("AllowClassicFlow", False)),
              "SupportedLoginProviders": logins,
              "OpenIdConnectProviderARNs": oidc, "CognitoIdentityProviders": cognito,
              "SamlProviderARNs": saml, "IdentityPoolTags": tags}
    if params.get("DeveloperProviderName"):
        record["DeveloperProviderName"] = params["DeveloperProviderName"]
    return record


def _cognito_provider(spec: dict) -> dict:
    # "Invalid Cognito Identity Provider" is the service's answer to a provider without a
    # ProviderName (a CloudFormation event quoted in
    # amazon-archives/amazon-quicksight-embedding-sample#1); used for a malformed one too.
    name, client_id = spec.get("ProviderName"), spec.get("ClientId")
    if not name or not client_id or not USER_POOL_PROVIDER.fullmatch(name):
        raise invalid("Invalid Cognito Identity Provider")
    return {"ProviderName": name, "ClientId": client_id,
            "ServerSideTokenCheck": bool(spec.get("ServerSideTokenCheck", False))}


# --- ARNs -------------------------------------------------------------------------------------

def arn(pool_id: str, account_id: str) -> str:
    region = pool_id.split(":", 1)[0]
    return f"arn:aws:cognito-identity:{region}:{account_id}:identitypool/{pool_id}"


def by_arn(ctx, resource_arn: str) -> dict:
    """The pool an identity-pool ARN names (TagResource & co.): InvalidParameterException
    for something that is not an identity-pool ARN, ResourceNotFoundException for a pool
    that doesn't exist under exactly that ARN (region and account too)."""
    parts = resource_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "cognito-identity" \
            or not parts[5].startswith("identitypool/"):
        # Wording UNCONFIRMED.
        raise invalid(f"Invalid ARN: {resource_arn}")
    pool_id = parts[5][len("identitypool/"):]
    pool = get(ctx.store, pool_id)
    if pool is None or not visible(ctx, pool_id) \
            or arn(pool_id, owner(ctx, pool_id)[0]) != resource_arn:
        raise not_found(f"IdentityPool '{pool_id}' not found.")
    return pool
