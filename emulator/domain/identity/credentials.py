"""GetCredentialsForIdentity's two halves: which IAM role an identity gets (resolve_role),
and the AWS credentials for that role (issue).

Role resolution follows the developer guide's "Role-based access control" page
(docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html) and the
RoleMapping / MappingRule API reference:

- no logins: Roles["unauthenticated"];
- the pool's own OpenID token as the only login (developer-authenticated identities):
  Roles["authenticated"] or ["unauthenticated"] as its amr says;
- logins: the RoleMapping of the login's provider, keyed by the provider name, for a user
  pool `cognito-idp.<region>.amazonaws.com/<poolId>:<clientId>` (clientId = the ID token's
  aud); no mapping: Roles["authenticated"];
- Type Token: CustomRoleArn when given and one of cognito:roles (given but not one of them:
  denied); else cognito:preferred_role; else the one role of cognito:roles when there is
  exactly one; else AmbiguousRoleResolution;
- Type Rules: the rules in order, the first that matches (Equals, Contains, StartsWith,
  NotEqual on one claim; NotEqual on a missing claim is skipped); CustomRoleArn picks among
  the matching rules' roles; none matches: AmbiguousRoleResolution;
- AmbiguousRoleResolution AuthenticatedRole: Roles["authenticated"]; Deny:
  NotAuthorizedException "The ambiguous role mapping rules for: <provider> denied this
  request." (the wording Amplify users quote, for accounts.google.com);
- a role the pool doesn't have: InvalidIdentityPoolConfigurationException "Invalid identity
  pool configuration. Check assigned IAM roles for this pool." (the real wording).

- a SAML login (the key is the provider ARN; the developer guide's "SAML identity providers
  (identity pools)"): without a mapping, or with a Token mapping, the assertion's
  https://aws.amazon.com/SAML/Attributes/Role values ("<role ARN>,<provider ARN>") that name
  this provider: the only one; CustomRoleArn among several (not one of them: denied);
  several without CustomRoleArn: the Token mapping's AmbiguousRoleResolution, else denied;
  Role values that name only other providers: denied; no Role attribute: as any login.
  A Rules mapping matches on the assertion's attributes.

UNCONFIRMED (no source found; chosen to be the least surprising): a list claim
(cognito:groups) matches when one of its members does; CustomRoleArn that no matching rule
names is denied like a Token mapping's; CustomRoleArn without a mapping is ignored; with
several logins the first one (in the order given) with a mapping decides; the provider named
in the Deny message is the mapping key.

Credentials are minted locally in the real format (ASIA key id, 40-character secret, session
token, one hour), or, with `--sts-endpoint`, come from AssumeRoleWithWebIdentity on that STS
(LocalStack, moto_server) with the identity pool's OpenID token, as the real service does.
Each issue is recorded (kind "identitycredentials", scope = identity pool id, key = access
key id) with the role, identity, providers and times: GET /_emulator/credentials shows them.
"""
from __future__ import annotations

import base64
import re
import secrets
import string

from ...errors import CognitoError, not_authorized
from ...store.base import expiry_index

KIND = "identitycredentials"  # scope = identity pool id, key = AccessKeyId
LIFETIME = 3600               # seconds; GetCredentialsForIdentity's credentials last an hour
SESSION_NAME = "CognitoIdentityCredentials"
OPENID_PROVIDER = "cognito-identity.amazonaws.com"  # a login with the pool's own token
SAML_ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SAML_PROVIDER = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:saml-provider/[\w+=,.@-]+")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/\S+")
_KEY_CHARS = string.ascii_uppercase + string.digits
_SECRET_CHARS = string.ascii_letters + string.digits + "+/"
_MATCHES = {
    "Equals": lambda have, want: have == want,
    "Contains": lambda have, want: want in have,
    "StartsWith": lambda have, want: have.startswith(want),
    "NotEqual": lambda have, want: have != want,
}


def invalid_configuration(detail: str = "") -> CognitoError:
    message = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
    return CognitoError("InvalidIdentityPoolConfigurationException",
                        f"{message} {detail}".strip())


# --- which role ----------------------------------------------------------------------------

def resolve_role(pool: dict, roles: dict, verified: dict[str, dict],
                 custom_role_arn: str | None) -> str:
    """The role ARN for these verified logins ({} = a guest). `roles` is the pool's
    GetIdentityPoolRoles record: {"Roles": {...}, "RoleMappings": {...}}."""
    defaults = roles.get("Roles") or {}
    if set(verified) == {OPENID_PROVIDER}:  # the pool's own OpenID token: its amr decides
        amr = verified[OPENID_PROVIDER].get("amr") or []
        return _default(defaults, "authenticated" if "authenticated" in amr
                        else "unauthenticated")
    if not verified:
        return _default(defaults, "unauthenticated")
    mappings = roles.get("RoleMappings") or {}
    for provider, claims in verified.items():
        key = mapping_key(provider, claims)
        mapping = mappings.get(key)
        if SAML_PROVIDER.fullmatch(provider) and (mapping is None
                                                  or mapping.get("Type") == "Token"):
            offered = saml_roles(provider, claims)
            if offered is not None:
                return _from_assertion(provider, offered, mapping, defaults, custom_role_arn)
        if mapping is not None:
            return _mapped(mapping, key, claims, defaults, custom_role_arn)
    return _default(defaults, "authenticated")


def saml_roles(provider_arn: str, claims: dict) -> list[str] | None:
    """The role ARNs a SAML assertion's Role attribute pairs with this provider: each value is
    "<role ARN>,<provider ARN>" (either order, as IAM accepts them). None when the assertion
    has no Role attribute."""
    values = claims.get(SAML_ROLE_ATTRIBUTE)
    if values is None:
        return None
    roles = []
    for value in values if isinstance(values, list) else [values]:
        parts = [part.strip() for part in str(value).split(",")]
        if len(parts) != 2:
            continue
        role = next((p for p in parts if ROLE_ARN.fullmatch(p)), None)
        provider = next((p for p in parts if SAML_PROVIDER.fullmatch(p)), None)
        if role and provider == provider_arn and role not in roles:
            roles.append(role)
    return roles


def _from_assertion(provider: str, offered: list[str], mapping: dict | None, defaults: dict,
                    custom_role_arn: str | None) -> str:
    """The role of a SAML login from its assertion's Role pairs for this provider: the only
    one, or CustomRoleArn among several (the developer guide: "If multiple roles are
    received in the SAML assertion, the optional customRoleArn parameter should be
    populated")."""
    if not offered:
        raise not_authorized(f"The SAML assertion from {provider} grants no role through this "
                             f"provider (no {SAML_ROLE_ATTRIBUTE} value pairs a role with it).")
    if custom_role_arn:
        if custom_role_arn in offered:
            return custom_role_arn
        raise not_authorized(f"The CustomRoleArn {custom_role_arn} is not one of the roles the "
                             f"SAML assertion from {provider} allows.")
    if len(offered) == 1:
        return offered[0]
    if mapping is not None and mapping.get("AmbiguousRoleResolution") == "AuthenticatedRole":
        return _default(defaults, "authenticated")
    raise not_authorized(f"The SAML assertion from {provider} allows several roles: choose one "
                         f"with CustomRoleArn.")


def mapping_key(provider: str, claims: dict) -> str:
    """The RoleMappings key of a login: a user pool's carries the app client (the token's
    aud), `cognito-idp.<region>.amazonaws.com/<poolId>:<clientId>`; others are the name."""
    if provider.startswith("cognito-idp.") and isinstance(claims.get("aud"), str):
        return f"{provider}:{claims['aud']}"
    return provider


def _default(defaults: dict, which: str) -> str:
    role = defaults.get(which)
    if not role:
        raise invalid_configuration()
    return role


def _mapped(mapping: dict, key: str, claims: dict, defaults: dict,
            custom_role_arn: str | None) -> str:
    if mapping.get("Type") == "Token":
        allowed = _strings(claims.get("cognito:roles"))
        if custom_role_arn:
            if custom_role_arn in allowed:
                return custom_role_arn
            raise not_authorized(f"The CustomRoleArn {custom_role_arn} is not one of the "
                                 f"roles the token from {key} allows.")
        preferred = claims.get("cognito:preferred_role")
        if isinstance(preferred, str) and preferred:
            return preferred
        if len(allowed) == 1:
            return allowed[0]
    else:
        rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
        matching = [rule["RoleARN"] for rule in rules if _matches(rule, claims)]
        if custom_role_arn:
            if custom_role_arn in matching:
                return custom_role_arn
            raise not_authorized(f"The CustomRoleArn {custom_role_arn} is not the role of a "
                                 f"matching rule for {key}.")
        if matching:
            return matching[0]
    if mapping.get("AmbiguousRoleResolution") == "AuthenticatedRole":
        return _default(defaults, "authenticated")
    raise not_authorized(f"The ambiguous role mapping rules for: {key} denied this request.")


def _matches(rule: dict, claims: dict) -> bool:
    """One MappingRule against the claims. A missing claim matches nothing (NotEqual on a
    missing claim is not evaluated); a list claim matches when one member does, and
    NotEqual then means no member equals the value."""
    if rule["Claim"] not in claims:
        return False
    values = _strings(claims[rule["Claim"]], split=False)
    want, match_type = rule["Value"], rule["MatchType"]
    if match_type == "NotEqual":
        return want not in values
    test = _MATCHES.get(match_type)
    return test is not None and any(test(value, want) for value in values)


def _strings(value, *, split: bool = True) -> list[str]:
    """A claim as a list of strings: JSON lists as they are; a string alone (cognito:roles
    may also come as a comma-separated string, as the developer guide describes it)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v) for v in value]
    if isinstance(value, bool):
        return [str(value).lower()]
    text = value if isinstance(value, str) else str(value)
    return [part.strip() for part in text.split(",") if part.strip()] if split else [text]


# --- principal tags ------------------------------------------------------------------------

def principal_tags(tag_maps: dict[str, dict | None], verified: dict[str, dict]) -> dict:
    """Session tags of attributes for access control: for each login whose provider has a
    principal-tag map (pools.principal_tags_of; with UseDefaults it holds the defaults
    already), tag -> the claim's value; a list claim joined with commas (UNCONFIRMED)."""
    tags: dict[str, str] = {}
    for provider, claims in verified.items():
        for tag, claim in ((tag_maps.get(provider) or {}).get("PrincipalTags") or {}).items():
            values = _strings(claims.get(claim), split=False)
            if values:
                tags[tag] = ",".join(values)
    return tags


# --- the credentials -----------------------------------------------------------------------

def issue(ctx, pool: dict, identity: dict, role_arn: str, open_id_token: str, *,
          providers: list[str] | None = None, tags: dict | None = None) -> dict:
    """The Credentials member of GetCredentialsForIdentity for this role, locally minted or
    from the STS at settings.sts_endpoint; recorded for /_emulator/credentials."""
    now = ctx.now()
    endpoint = ctx.settings.sts_endpoint
    if endpoint:
        with ctx.store.suspended():  # others go on while the STS answers
            creds = assume_role_with_web_identity(endpoint, ctx.region, role_arn,
                                                  open_id_token)
    else:
        creds = mint(now)
    pool_id = pool["IdentityPoolId"]
    until = max(creds["Expiration"], now + LIFETIME)  # then the sweep deletes it (sweep.py)
    ctx.store.put(KIND, pool_id, creds["AccessKeyId"], {
        "AccessKeyId": creds["AccessKeyId"], "IdentityPoolId": pool_id,
        "IdentityId": identity["IdentityId"], "RoleArn": role_arn,
        "Providers": list(providers or []), "PrincipalTags": dict(tags or {}),
        "Source": endpoint or "local", "IssuedAt": now, "Expiration": creds["Expiration"],
        "expiresAt": until}, index=expiry_index(until))
    return creds


def mint(now: float) -> dict:
    """Credentials in the real format: access key id ASIA + 16 characters, a 40-character
    secret, an opaque session token, one hour."""
    token = base64.b64encode(b"\x00emulator" + secrets.token_bytes(300)).decode()
    return {"AccessKeyId": "ASIA" + "".join(secrets.choice(_KEY_CHARS) for _ in range(16)),
            "SecretKey": "".join(secrets.choice(_SECRET_CHARS) for _ in range(40)),
            "SessionToken": "IQoJb3JpZ2luX2Vj" + token,
            "Expiration": float(int(now) + LIFETIME)}


def assume_role_with_web_identity(endpoint: str, region: str, role_arn: str,
                                  token: str) -> dict:
    """AssumeRoleWithWebIdentity on the STS at `endpoint` (unsigned, as the real call is).
    An STS refusal answers InvalidIdentityPoolConfigurationException, as the real service
    does when the role can't be assumed; an STS out of reach, ExternalServiceException.
    Both messages name the STS."""
    import boto3  # only with --sts-endpoint: boto3 costs ~100 ms of start-up
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    sts = boto3.session.Session().client(
        "sts", endpoint_url=endpoint, region_name=region,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1},
                      connect_timeout=5, read_timeout=15))
    try:
        answer = sts.assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=SESSION_NAME, WebIdentityToken=token,
            DurationSeconds=LIFETIME)
    except ClientError as err:
        error = err.response.get("Error", {})
        raise invalid_configuration(
            f"(the STS at {endpoint} refused AssumeRoleWithWebIdentity for {role_arn}: "
            f"{error.get('Code', '?')}: {error.get('Message', '')})") from None
    except BotoCoreError as err:
        raise CognitoError("ExternalServiceException",
                           f"The STS at {endpoint} could not be reached: {err}") from None
    creds = answer["Credentials"]
    return {"AccessKeyId": creds["AccessKeyId"], "SecretKey": creds["SecretAccessKey"],
            "SessionToken": creds["SessionToken"],
            "Expiration": creds["Expiration"].timestamp()}


# --- lookups -------------------------------------------------------------------------------

def recorded(store, pool_id: str | None = None, identity_id: str | None = None) -> list[dict]:
    """The credentials issued so far, oldest first; of one pool / identity (the expired go
    with the next sweep, emulator/sweep.py)."""
    found = []
    for scope in [pool_id] if pool_id else store.scopes(KIND):
        found += [record for _, record in store.list(KIND, scope)
                  if identity_id is None or record["IdentityId"] == identity_id]
    found.sort(key=lambda record: record["IssuedAt"])
    return [{k: v for k, v in record.items() if k != "expiresAt"} for record in found]
