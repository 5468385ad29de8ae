"""User-pool settings: the defaults a fresh pool shows, the schema (standard and custom
attributes), and the checks Cognito makes on CreateUserPool / UpdateUserPool input.

Everything here works on plain dicts shaped like the API (UserPoolType members); the
store and the clock stay in emulator/domain/pools.py.
"""
import copy

from ..errors import CognitoError, invalid

# --- schema ---------------------------------------------------------------------------------

def _string(name, *, required=False, mutable=True, min_len="0", max_len="2048"):
    return {"Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
            "Mutable": mutable, "Required": required,
            "StringAttributeConstraints": {"MinLength": min_len, "MaxLength": max_len}}


def _boolean(name):
    return {"Name": name, "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": False,
            "Mutable": True, "Required": False}


# The standard attributes in the order DescribeUserPool lists them (awscli example
# describe-user-pool.rst, botocore 1.43: identities carries an empty constraints object).
STANDARD_SCHEMA = [
    _string("sub", required=True, mutable=False, min_len="1"),
    _string("name"), _string("given_name"), _string("family_name"), _string("middle_name"),
    _string("nickname"), _string("preferred_username"), _string("profile"), _string("picture"),
    _string("website"), _string("email"), _boolean("email_verified"), _string("gender"),
    _string("birthdate", min_len="10", max_len="10"), _string("zoneinfo"), _string("locale"),
    _string("phone_number"), _boolean("phone_number_verified"), _string("address"),
    {"Name": "updated_at", "AttributeDataType": "Number", "DeveloperOnlyAttribute": False,
     "Mutable": True, "Required": False, "NumberAttributeConstraints": {"MinValue": "0"}},
    {"Name": "identities", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
     "Mutable": True, "Required": False, "StringAttributeConstraints": {}},
]
STANDARD_NAMES = [a["Name"] for a in STANDARD_SCHEMA]

# GetCSVHeader: the standard import columns (awscli example get-csv-header.rst), then the
# pool's custom attributes.
CSV_HEADER = ["name", "given_name", "family_name", "middle_name", "nickname",
              "preferred_username", "profile", "picture", "website", "email", "email_verified",
              "gender", "birthdate", "zoneinfo", "locale", "phone_number",
              "phone_number_verified", "address", "updated_at", "cognito:mfa_enabled",
              "cognito:username"]

MAX_CUSTOM_ATTRIBUTES = 50  # documented quota per user pool
MAX_STRING_LENGTH = 2048


def standard_schema() -> list[dict]:
    return copy.deepcopy(STANDARD_SCHEMA)


def is_custom(name: str) -> bool:
    return name.startswith("custom:") or name.startswith("dev:custom:")


def custom_attribute(entry: dict) -> dict:
    """A SchemaAttributeType from the request as the pool stores it: `custom:<name>`
    (`dev:custom:<name>` for developer-only attributes), never required."""
    if entry.get("Required"):
        raise invalid("Required custom attributes are not supported currently.")
    if not entry.get("Name"):
        raise invalid("Attribute name is required for a custom attribute.")
    developer_only = bool(entry.get("DeveloperOnlyAttribute", False))
    # No AttributeDataType: refused, not defaulted. Wording: a real Cognito message
    # (aws-amplify/amplify-backend maps it in its CDK deployment error table); that a
    # missing type triggers it: getmoto/moto's
    # test_create_user_pool_custom_attribute_without_data_type.
    kind = entry.get("AttributeDataType")
    if kind is None:
        raise invalid("Invalid AttributeDataType input, consider using the provided "
                      "AttributeDataType enum.")
    prefix = "dev:custom:" if developer_only else "custom:"
    out = {"Name": prefix + entry["Name"], "AttributeDataType": kind,
           "DeveloperOnlyAttribute": developer_only,
           "Mutable": bool(entry.get("Mutable", True)), "Required": False}
    if kind == "String":
        out["StringAttributeConstraints"] = _string_constraints(
            entry.get("StringAttributeConstraints"), out["Name"])
    elif kind == "Number":
        out["NumberAttributeConstraints"] = _number_constraints(
            entry.get("NumberAttributeConstraints"), out["Name"])
    return out


def _int_value(value, what: str, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid {what} for attribute {name}: {value!r} is not a number.") from None


def _string_constraints(given: dict | None, name: str) -> dict:
    # UNCONFIRMED: a custom String attribute without constraints shows an empty object.
    given = dict(given or {})
    low = _int_value(given["MinLength"], "MinLength", name) if "MinLength" in given else 0
    high = (_int_value(given["MaxLength"], "MaxLength", name) if "MaxLength" in given
            else MAX_STRING_LENGTH)
    if low < 0 or high > MAX_STRING_LENGTH or low > high:
        raise invalid(f"Invalid string length constraints for attribute {name}: "
                      f"MinLength and MaxLength must satisfy 0 <= MinLength <= MaxLength <= "
                      f"{MAX_STRING_LENGTH}.")
    return given


def _number_constraints(given: dict | None, name: str) -> dict:
    given = dict(given or {})
    low = _int_value(given["MinValue"], "MinValue", name) if "MinValue" in given else None
    high = _int_value(given["MaxValue"], "MaxValue", name) if "MaxValue" in given else None
    if low is not None and high is not None and low > high:
        raise invalid(f"Invalid number constraints for attribute {name}: "
                      f"MinValue must not be greater than MaxValue.")
    return given


def build_schema(entries: list[dict] | None) -> list[dict]:
    """SchemaAttributes of a new pool: the standard list, adjusted by entries naming a
    standard attribute, followed by the custom attributes in request order."""
    schema = standard_schema()
    by_name = {a["Name"]: a for a in schema}
    for entry in entries or []:
        name = entry.get("Name")
        if name in by_name:
            _adjust_standard(by_name[name], entry)
        else:
            add_custom(schema, [entry])
    return schema


def _adjust_standard(attribute: dict, entry: dict) -> None:
    name = attribute["Name"]
    kind = entry.get("AttributeDataType", attribute["AttributeDataType"])
    if kind != attribute["AttributeDataType"] or entry.get("DeveloperOnlyAttribute"):
        # UNCONFIRMED wording.
        raise invalid("You can not change AttributeDataType or set developerOnlyAttribute for "
                      f"standard schema attribute {name}")
    if name == "sub":
        return  # sub stays required and immutable whatever the request says
    if "Required" in entry:
        attribute["Required"] = bool(entry["Required"])
    if "Mutable" in entry:
        attribute["Mutable"] = bool(entry["Mutable"])
    if kind == "String" and entry.get("StringAttributeConstraints"):
        merged = {**attribute.get("StringAttributeConstraints", {}),
                  **entry["StringAttributeConstraints"]}
        attribute["StringAttributeConstraints"] = _string_constraints(merged, name)
    if kind == "Number" and entry.get("NumberAttributeConstraints"):
        merged = {**attribute.get("NumberAttributeConstraints", {}),
                  **entry["NumberAttributeConstraints"]}
        attribute["NumberAttributeConstraints"] = _number_constraints(merged, name)


def add_custom(schema: list[dict], entries: list[dict]) -> None:
    """Append custom attributes to `schema` in place (CreateUserPool, AddCustomAttributes)."""
    names = {a["Name"] for a in schema}
    for entry in entries:
        attribute = custom_attribute(entry)
        if attribute["Name"] in names:
            # Wording: jmaleonard/serverless-cognito-add-custom-attributes#3 (a real
            # AddCustomAttributes error: "custom:custom:name: Existing attribute already has
            # name custom:custom:name." for Name "custom:name"); dev: variant as getmoto/moto.
            raise invalid(f"custom:{entry['Name']}: Existing attribute already has name "
                          f"{attribute['Name']}.")
        names.add(attribute["Name"])
        schema.append(attribute)
    if sum(1 for a in schema if is_custom(a["Name"])) > MAX_CUSTOM_ATTRIBUTES:
        raise invalid(f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")


def csv_header(schema: list[dict]) -> list[str]:
    return CSV_HEADER + [a["Name"] for a in schema if is_custom(a["Name"])]


# --- settings -------------------------------------------------------------------------------

DEFAULT_TIER = "ESSENTIALS"
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7

# The members of CreateUserPool/UpdateUserPool that UpdateUserPool puts back to their default
# when the request leaves them out (the documented AWS semantics: "If you don't provide a value
# for an attribute, Amazon Cognito sets it to its default value"). PoolName, UserPoolTags and
# UserPoolTier are kept when omitted (UNCONFIRMED for tags and tier: a rename, an untag or a
# change of pricing plan by omission seems implausible); Schema, UsernameAttributes,
# AliasAttributes and UsernameConfiguration are not even accepted by UpdateUserPool.
RESETTABLE = ["Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes",
              "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
              "VerificationMessageTemplate", "SmsAuthenticationMessage",
              "UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration",
              "EmailConfiguration", "SmsConfiguration", "AdminCreateUserConfig", "UserPoolAddOns",
              "DcrConfiguration", "AccountRecoverySetting", "KeyConfiguration",
              "IssuerConfiguration", "AcrConfiguration"]

# Stored as given (no default shown by Describe when absent).
_AS_GIVEN = ["AutoVerifiedAttributes", "SmsAuthenticationMessage", "DeviceConfiguration",
             "SmsConfiguration", "UserPoolAddOns", "DcrConfiguration", "KeyConfiguration",
             "IssuerConfiguration", "AcrConfiguration"]

DEFAULT_RECOVERY = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"},
                                           {"Priority": 2, "Name": "verified_phone_number"}]}

TIER_RANK = {"LITE": 0, "ESSENTIALS": 1, "PLUS": 2}


def settings(params: dict, tier: str) -> dict:
    """The resettable settings of a pool from a Create/UpdateUserPool request: every member
    the request gives, the default for every member it leaves out. Raises on bad input."""
    out: dict = {}
    temp_days = _temporary_password_days(params)
    out["Policies"] = _policies(params.get("Policies") or {}, temp_days)
    out["DeletionProtection"] = params.get("DeletionProtection", "INACTIVE")
    out["LambdaConfig"] = _lambda_config(params.get("LambdaConfig") or {})
    for key in _AS_GIVEN:
        if params.get(key) is not None:
            out[key] = copy.deepcopy(params[key])
    if "AutoVerifiedAttributes" in out:
        out["AutoVerifiedAttributes"] = _unique(out["AutoVerifiedAttributes"])
    out.update(_verification_messages(params))
    out["UserAttributeUpdateSettings"] = _attribute_update_settings(
        params.get("UserAttributeUpdateSettings"), out.get("AutoVerifiedAttributes", []))
    out["MfaConfiguration"] = params.get("MfaConfiguration", "OFF")
    email = copy.deepcopy(params.get("EmailConfiguration") or {})
    email.setdefault("EmailSendingAccount", "COGNITO_DEFAULT")
    out["EmailConfiguration"] = email
    admin = copy.deepcopy(params.get("AdminCreateUserConfig") or {})
    admin.setdefault("AllowAdminCreateUserOnly", False)
    # Cognito mirrors the (deprecated) UnusedAccountValidityDays and the password policy's
    # TemporaryPasswordValidityDays: Describe shows the same number in both places.
    admin["UnusedAccountValidityDays"] = temp_days
    out["AdminCreateUserConfig"] = admin
    out["AccountRecoverySetting"] = _recovery(params.get("AccountRecoverySetting"))
    _check_tier(out, tier)
    return out


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


def _temporary_password_days(params: dict) -> int:
    policy_days = ((params.get("Policies") or {}).get("PasswordPolicy") or {}) \
        .get("TemporaryPasswordValidityDays")
    unused_days = (params.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    if policy_days is not None and unused_days is not None and policy_days != unused_days:
        # Code and wording: aws/aws-sdk-js#3817 (InvalidParameterException from a live
        # CreateUserPool), pulumi/pulumi-aws-native#1256 (same text, "Service:
        # CognitoIdentityProvider, Status Code: 400"). Condition: both set and different
        # (hashicorp/terraform-provider-aws#8845 describes it; not captured).
        raise invalid("Please use TemporaryPasswordValidityDays in PasswordPolicy instead of "
                      "UnusedAccountValidityDays")
    for days in (policy_days, unused_days):
        if days is not None:
            return days
    return DEFAULT_TEMPORARY_PASSWORD_DAYS


def _policies(given: dict, temp_days: int) -> dict:
    # A PasswordPolicy in the request replaces the whole policy; booleans it leaves out
    # are false, as in the service's Java model (UNCONFIRMED); MinimumLength defaults to 8.
    if given.get("PasswordPolicy") is not None:
        p = given["PasswordPolicy"]
        policy = {"MinimumLength": p.get("MinimumLength", 8),
                  "RequireUppercase": bool(p.get("RequireUppercase", False)),
                  "RequireLowercase": bool(p.get("RequireLowercase", False)),
                  "RequireNumbers": bool(p.get("RequireNumbers", False)),
                  "RequireSymbols": bool(p.get("RequireSymbols", False))}
        if p.get("PasswordHistorySize") is not None:
            policy["PasswordHistorySize"] = p["PasswordHistorySize"]
    else:
        policy = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                  "RequireNumbers": True, "RequireSymbols": True}
    if not 6 <= policy["MinimumLength"] <= 99:  # the model allows 6-99
        raise invalid("Password policy MinimumLength must be between 6 and 99.")
    policy["TemporaryPasswordValidityDays"] = temp_days
    factors = ((given.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
               or ["PASSWORD"])
    factors = _unique(factors)
    if factors == ["WEB_AUTHN"]:
        raise invalid("WEB_AUTHN must be accompanied by another allowed first auth factor.")
    return {"PasswordPolicy": policy, "SignInPolicy": {"AllowedFirstAuthFactors": factors}}


def _lambda_config(given: dict) -> dict:
    config = copy.deepcopy(given)
    # PreTokenGeneration (legacy) and PreTokenGenerationConfig.LambdaArn name the same
    # function; Cognito fills in whichever the request left out.
    legacy = config.get("PreTokenGeneration")
    versioned = config.get("PreTokenGenerationConfig")
    if legacy and versioned and versioned.get("LambdaArn") != legacy:
        raise invalid("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the "
                      "same function.")
    if legacy and not versioned:
        config["PreTokenGenerationConfig"] = {"LambdaVersion": "V1_0", "LambdaArn": legacy}
    elif versioned and not legacy:
        config["PreTokenGeneration"] = versioned["LambdaArn"]
    return config


def _verification_messages(params: dict) -> dict:
    """The legacy top-level message members and VerificationMessageTemplate mirror each
    other in Describe; the template wins when a request gives both."""
    template = copy.deepcopy(params.get("VerificationMessageTemplate") or {})
    out = {}
    for top, inner in (("SmsVerificationMessage", "SmsMessage"),
                       ("EmailVerificationMessage", "EmailMessage"),
                       ("EmailVerificationSubject", "EmailSubject")):
        value = template.get(inner) or params.get(top)
        if value:
            out[top] = value
            template[inner] = value
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    out["VerificationMessageTemplate"] = template
    return out


def _attribute_update_settings(given: dict | None, auto_verified: list[str]) -> dict:
    required = _unique((given or {}).get("AttributesRequireVerificationBeforeUpdate") or [])
    if any(a not in auto_verified for a in required):
        # Wording captured from the real service (ekristen/aws-nuke#477).
        raise invalid("All attributes in AttributesRequireVerificationBeforeUpdate must exist "
                      "in AutoVerifiedAttributes")
    return {"AttributesRequireVerificationBeforeUpdate": required}


def _recovery(given: dict | None) -> dict:
    if not given or not given.get("RecoveryMechanisms"):
        return copy.deepcopy(DEFAULT_RECOVERY)
    mechanisms = given["RecoveryMechanisms"]
    names = [m["Name"] for m in mechanisms]
    priorities = [m["Priority"] for m in mechanisms]
    if len(set(names)) != len(names) or len(set(priorities)) != len(priorities):
        raise invalid("RecoveryMechanisms must have distinct names and distinct priorities.")
    if "admin_only" in names and len(names) > 1:
        raise invalid("admin_only can not be combined with other recovery mechanisms.")
    return {"RecoveryMechanisms": sorted(copy.deepcopy(mechanisms), key=lambda m: m["Priority"])}


def _check_tier(config: dict, tier: str) -> None:
    """Features the pool's feature plan doesn't include -> FeatureUnavailableInTierException
    (wording as captured in hashicorp/terraform-provider-aws#40734)."""
    needs_plus, needs_essentials = [], []
    if (config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF") != "OFF":
        needs_plus.append("Threat Protection")
    factors = config["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"]
    if any(f != "PASSWORD" for f in factors):
        needs_essentials.append("Passwordless sign-in")
    if config["Policies"]["PasswordPolicy"].get("PasswordHistorySize"):
        needs_essentials.append("Password reuse prevention")
    version = (config["LambdaConfig"].get("PreTokenGenerationConfig") or {}).get("LambdaVersion")
    if version in ("V2_0", "V3_0"):
        needs_essentials.append("Access token customization")
    missing = needs_plus if TIER_RANK[tier] < TIER_RANK["PLUS"] else []
    if TIER_RANK[tier] < TIER_RANK["ESSENTIALS"]:
        missing += needs_essentials
    if missing:
        raise CognitoError("FeatureUnavailableInTierException",
                           f"The following features need to be disabled for the {tier} pricing "
                           f"tier configured: {', '.join(missing)}")


def check_sign_in_attributes(params: dict) -> None:
    """UsernameAttributes and AliasAttributes are the two exclusive ways of choosing sign-in
    names ("We can only specify either the alias attributes or username attributes, but not
    both" - AWS Security Cookbook; Terraform refuses the combination too). Wording UNCONFIRMED."""
    if params.get("UsernameAttributes") and params.get("AliasAttributes"):
        raise invalid("Only one of the aliasAttributes or usernameAttributes can be set in a "
                      "User Pool.")


MAX_TAGS = 50  # "A user pool can have as many as 50 tags." (TagResource documentation)


def check_tags(tags: dict) -> None:
    if any(key.lower().startswith("aws:") for key in tags):
        raise invalid("Tag keys starting with aws: are reserved for AWS use.")
    if len(tags) > MAX_TAGS:
        raise invalid(f"A user pool can have at most {MAX_TAGS} tags.")
