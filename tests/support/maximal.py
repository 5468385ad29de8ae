"""Maximal valid inputs, generated from the botocore model: every member an operation's input
shape declares, with realistic values that respect its patterns, lengths, ranges and enums
and the rules the emulator enforces beyond the model (Lambda ARNs, email addresses, callback
URLs, scopes and identity providers that exist, members that exclude each other).

`maximal(op, variant, **given)` walks the input shape. `variant` (0, 1, ...) picks a second
maximal input different in every member it can be (booleans flip, enums and numbers move,
lists of enums come in another order), for the Update after a Create. `given` fills members
the caller owns (UserPoolId, ClientId, a provider or scope that exists; lower-case keys are
data an override reads, such as SAML metadata). `kind` picks another override table of the
same operation (KINDS: a prefix domain, a SAML or social provider). Values come from, in
order: `given`, the OVERRIDES of the operation's resource (hand-written where the model's
constraints are not enough; each says why), the member tables (by member name, then by shape
name), then generic rules (enum values, numbers inside the range, booleans). The result is
checked against the emulator's own request validator: a maximal input that the model refuses
is an error here, not a drift.

`drifts(shape, expected, actual)` walks an output shape and lists every path where `actual`
differs from `expected`: missing, unexpected or different, all at once.
"""
from __future__ import annotations

import base64
import copy

from emulator.api import model
from emulator.api.validation import validate

SHAPES = model.load_model()["shapes"]
ACCOUNT = "123456789012"
REGION = "us-east-1"
OMIT = object()  # an override that leaves a member out (with a reason in its comment)


def arn(service: str, resource: str, *, region: str = REGION) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def _lambda(name: str, v: int) -> str:
    return arn("lambda", f"function:{name}-{v}")


# A 1x1 transparent PNG: the smallest realistic image file.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChw"
                       "GA60e6kgAAAABJRU5ErkJggg==")

# --- values by member name (any operation), then by shape name ------------------------------
# Each is a function of the variant.

BY_MEMBER = {
    # ARNs: the model's ArnType pattern accepts any service; a realistic one names the right
    # kind of resource (the emulator reads the Lambda ones as functions to invoke).
    **{trigger: (lambda t: lambda v: _lambda(t, v))(trigger) for trigger in (
        "PreSignUp", "CustomMessage", "PostConfirmation", "PreAuthentication",
        "PostAuthentication", "DefineAuthChallenge", "CreateAuthChallenge",
        "VerifyAuthChallengeResponse", "PreTokenGeneration", "UserMigration")},
    "LambdaArn": lambda v: _lambda("sender", v),
    "KMSKeyID": lambda v: arn("kms", f"key/1234abcd-12ab-34cd-56ef-1234567890a{v}"),
    "KmsKeyArn": lambda v: arn("kms", f"key/5678abcd-12ab-34cd-56ef-1234567890b{v}"),
    "SourceArn": lambda v: arn("ses", f"identity/sender{v}@example.com"),
    "SnsCallerArn": lambda v: arn("iam", f"role/cognito-sms-{v}", region=""),
    "CallerArn": lambda v: arn("iam", f"role/cognito-eums-{v}", region=""),
    "RoleArn": lambda v: arn("iam", f"role/cognito-role-{v}", region=""),
    "ApplicationArn": lambda v: arn("mobiletargeting", f"apps/0123456789abcdef0123456789abcde{v}"),
    "CertificateArn": lambda v: arn("acm", f"certificate/aaaaaaaa-bbbb-cccc-dddd-00000000000{v}"),
    "LogGroupArn": lambda v: arn("logs", f"log-group:/aws/cognito/round-trip-{v}"),
    "StreamArn": lambda v: arn("firehose", f"deliverystream/round-trip-{v}"),
    "BucketArn": lambda v: f"arn:aws:s3:::round-trip-logs-{v}",
    "ApplicationId": lambda v: f"0123456789abcdef0123456789abcde{v}",
    # free-form StringType members: what each one holds
    "ExternalId": lambda v: f"external-id-{v}",
    "From": lambda v: f"Example Support <support{v}@example.com>",
    "ReplyTo": lambda v: f"reply{v}@example.com",
    "ReplyToEmailAddress": lambda v: f"reply{v}@example.com",
    "OriginationIdentity": lambda v: f"+1206555010{v}",
    "ConfigurationSetName": lambda v: f"sms-set-{v}",
    "InEntityId": lambda v: f"entity-{v}",
    "InTemplateId": lambda v: f"template-{v}",
    "SnsRegion": lambda v: ["us-east-1", "us-west-2"][v % 2],
    "Region": lambda v: ["us-east-1", "us-west-2"][v % 2],
    "SecondaryRegion": lambda v: ["us-west-2", "eu-west-1"][v % 2],
    "PrimaryRoute53HealthCheckId": lambda v: f"abcdef12-3456-7890-abcd-ef123456789{v}",
    "ConfigurationSet": lambda v: f"round-trip-set-{v}",
    "RelyingPartyId": lambda v: f"auth{v}.example.com",
    "Description": lambda v: f"Round-trip group {v}",
    "CSS": lambda v: f".banner-customizable {{ background-color: #00{v}0ff; }}",
    "ImageFile": lambda v: PNG,
    "Bytes": lambda v: PNG,
    "ResourceId": lambda v: f"asset-{v}",
    "BlockedIPRangeList": lambda v: [f"192.0.2.{v}/32", "198.51.100.0/24"],
    "SkippedIPRangeList": lambda v: [f"203.0.113.{v}/32"],
    "Subject": lambda v: f"Security notice {v}",
    "HtmlBody": lambda v: f"<p>We noticed a sign-in for {{username}} ({v}).</p>",
    "TextBody": lambda v: f"We noticed a sign-in for {{username}} ({v}).",
    "ScopeDescription": lambda v: f"Reads things ({v})",
}

BY_SHAPE = {
    "UserPoolNameType": lambda v: f"round-trip pool {v}",
    "ClientNameType": lambda v: f"round-trip app {v}",
    "ResourceServerNameType": lambda v: f"round-trip api {v}",
    "SmsVerificationMessageType": lambda v: f"Your code is {{####}} ({v})",
    "EmailVerificationMessageType": lambda v: f"Your verification code is {{####}} ({v}).",
    "EmailVerificationSubjectType": lambda v: f"Your verification code {v}",
    "EmailVerificationMessageByLinkType": lambda v: f"Please click {{##Verify Email##}} ({v}).",
    "EmailVerificationSubjectByLinkType": lambda v: f"Your verification link {v}",
    # Cognito's invitations must carry both placeholders (COGNITO_REFERENCE, messages).
    "SmsInviteMessageType": lambda v: f"Your username is {{username}} and code {{####}} ({v})",
    "EmailInviteMessageType": lambda v: f"Welcome {{username}}, your password is {{####}} ({v}).",
    "EmailMfaMessageType": lambda v: f"Your sign-in code is {{####}} ({v}).",
    "EmailMfaSubjectType": lambda v: f"Your sign-in code {v}",
    "EmailAddressType": lambda v: f"reply{v}@example.com",
    "ClientSecretType": lambda v: f"roundTripClientSecret00000000{v}",
}


# --- overrides per resource: path -> value(v, given) or OMIT --------------------------------
# A path is member names joined by '.'; "[]" is every element of a list.

def _pool_overrides() -> dict:
    factors = [["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"], ["WEB_AUTHN", "PASSWORD"]]
    return {
        # Sign-in names: UsernameAttributes and AliasAttributes exclude each other (both in
        # the service and in pool_config.check_sign_in_attributes): the maximal pool takes
        # aliases, which allow the most (all three attributes).
        "UsernameAttributes": OMIT,
        # PreTokenGeneration (legacy) and PreTokenGenerationConfig.LambdaArn name one function.
        "LambdaConfig.PreTokenGeneration": lambda v, g: _lambda("pre-token", v),
        "LambdaConfig.PreTokenGenerationConfig.LambdaArn": lambda v, g: _lambda("pre-token", v),
        "LambdaConfig.PreTokenGenerationConfig.LambdaVersion": lambda v, g: ["V2_0", "V3_0"][v],
        # The deprecated UnusedAccountValidityDays must agree with the password policy's
        # TemporaryPasswordValidityDays (UpdateUserPool documentation).
        "Policies.PasswordPolicy.TemporaryPasswordValidityDays": lambda v, g: [3, 10][v],
        "AdminCreateUserConfig.UnusedAccountValidityDays": lambda v, g: [3, 10][v],
        "Policies.PasswordPolicy.MinimumLength": lambda v, g: [12, 10][v],
        "Policies.PasswordPolicy.PasswordHistorySize": lambda v, g: [5, 24][v],
        # Passwordless factors (SOFTWARE_TOKEN is not a first factor a pool can allow: it is
        # in the enum for USER_AUTH's answers); WEB_AUTHN never alone.
        "Policies.SignInPolicy.AllowedFirstAuthFactors": lambda v, g: factors[v],
        # Threat protection (AdvancedSecurityMode) needs the PLUS feature plan.
        "UserPoolTier": lambda v, g: "PLUS",
        "UserPoolAddOns.AdvancedSecurityMode": lambda v, g: ["ENFORCED", "AUDIT"][v],
        # A developer email account needs its SES identity (SourceArn), which it has.
        "EmailConfiguration.EmailSendingAccount": lambda v, g: "DEVELOPER",
        # Distinct names and priorities, admin_only never with another; in priority order.
        "AccountRecoverySetting.RecoveryMechanisms": lambda v, g: [
            [{"Priority": 1, "Name": "verified_email"},
             {"Priority": 2, "Name": "verified_phone_number"}],
            [{"Priority": 1, "Name": "verified_phone_number"},
             {"Priority": 2, "Name": "verified_email"}]][v],
        # A schema needs names that mean something: one standard attribute made required,
        # one custom attribute of each type (the developer-only one too).
        "Schema": lambda v, g: [
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True,
             "DeveloperOnlyAttribute": False,
             "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}},
            {"Name": "tenant", "AttributeDataType": "String", "Mutable": True, "Required": False,
             "DeveloperOnlyAttribute": False,
             "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}},
            {"Name": "level", "AttributeDataType": "Number", "Mutable": True, "Required": False,
             "DeveloperOnlyAttribute": False,
             "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "100"}},
            {"Name": "beta", "AttributeDataType": "Boolean", "Mutable": True, "Required": False,
             "DeveloperOnlyAttribute": False},
            {"Name": "joined", "AttributeDataType": "DateTime", "Mutable": False,
             "Required": False, "DeveloperOnlyAttribute": False},
            {"Name": "internal", "AttributeDataType": "String", "Mutable": True,
             "Required": False, "DeveloperOnlyAttribute": True,
             "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "256"}}],
        "UserPoolTags": lambda v, g: {"team": f"identity-{v}", "env": ["test", "stage"][v]},
        # Dynamic client registration: reserved scopes, grant types a public client can use.
        "DcrConfiguration.AllowedScopes": lambda v, g: [["openid", "email"], ["openid"]][v],
        "DcrConfiguration.AuthenticatedGrantTypes": lambda v, g: [["code"],
                                                                  ["code", "implicit"]][v],
        "DcrConfiguration.OpenDcrGrantTypes": lambda v, g: [["code"], ["implicit"]][v],
        "AcrConfiguration": lambda v, g: {
            f"Level{n}": {"AcrValue": f"urn:example:acr:{v}:{n}"} for n in (1, 2, 3, 4)},
        "KeyConfiguration.KeyType": lambda v, g: "CUSTOMER_MANAGED_KEY",
        # MFA on (the pool has SMS settings and passwordless factors to go with it).
        "MfaConfiguration": lambda v, g: ["OPTIONAL", "ON"][v],
    }


def _client_overrides() -> dict:
    return {
        "UserPoolId": lambda v, g: g["UserPoolId"],
        # "You cannot specify both GenerateSecret as true and provide a ClientSecret value"
        # (CreateUserPoolClient documentation): the maximal client brings its own secret.
        "GenerateSecret": lambda v, g: False,
        # Applies only with GenerateSecret (documentation); false is its default.
        "PublishSecretsInAWSSecretsManager": lambda v, g: False,
        # Token lifetimes inside Cognito's ranges (access and ID: 5 minutes to 1 day;
        # refresh: 1 hour to 10 years), each in the unit sent beside it.
        "AccessTokenValidity": lambda v, g: [30, 2][v],
        "IdTokenValidity": lambda v, g: [45, 3][v],
        "RefreshTokenValidity": lambda v, g: [10, 90][v],
        "TokenValidityUnits": lambda v, g: [
            {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}][v],
        # Attributes of the pool's schema (the maximal pool's: email required).
        "ReadAttributes": lambda v, g: [["email", "email_verified", "name", "custom:tenant"],
                                        ["given_name", "email"]][v],
        "WriteAttributes": lambda v, g: [["email", "name", "custom:tenant"], ["given_name"]][v],
        # The legacy flow names can't be mixed with ALLOW_ ones.
        "ExplicitAuthFlows": lambda v, g: [
            ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH",
             "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"],
            ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]][v],
        # Providers that exist in the pool.
        "SupportedIdentityProviders": lambda v, g: [["COGNITO", g["provider"]],
                                                    [g["provider"]]][v],
        # https, an app scheme, and http only for localhost.
        "CallbackURLs": lambda v, g: [
            ["https://app.example.com/callback", "myapp://callback",
             "http://localhost:3000/callback"],
            ["https://www.example.org/auth"]][v],
        "LogoutURLs": lambda v, g: [["https://app.example.com/signed-out", "myapp://signout"],
                                    ["https://www.example.org/bye"]][v],
        "DefaultRedirectURI": lambda v, g: ["https://app.example.com/callback",
                                            "https://www.example.org/auth"][v],
        # client_credentials must be a flow of its own and can't take the reserved scopes.
        "AllowedOAuthFlows": lambda v, g: [["code", "implicit"], ["implicit", "code"]][v],
        # The reserved scopes and a custom scope of a resource server that exists.
        "AllowedOAuthScopes": lambda v, g: [
            ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin",
             g["scope"]],
            [g["scope"], "openid"]][v],
        "AuthSessionValidity": lambda v, g: [5, 15][v],
        "RefreshTokenRotation.RetryGracePeriodSeconds": lambda v, g: [10, 60][v],
        "RefreshTokenRotation.Feature": lambda v, g: ["ENABLED", "DISABLED"][v],
        "PreventUserExistenceErrors": lambda v, g: ["ENABLED", "LEGACY"][v],
    }


def _domain_overrides() -> dict:
    return {
        "ManagedLoginVersion": lambda v, g: [2, 1][v],
        # An ACM certificate in us-east-1, where CloudFront reads it (documented).
        "CustomDomainConfig.CertificateArn": lambda v, g: arn(
            "acm", f"certificate/aaaaaaaa-bbbb-cccc-dddd-00000000000{v}", region="us-east-1"),
    }


def _provider_overrides() -> dict:
    # OIDC: the one provider type that takes every member (AcrMapping is OIDC only), with the
    # ProviderDetails keys the API reference lists for it.
    return {
        "ProviderType": lambda v, g: "OIDC",
        "ProviderDetails": lambda v, g: {
            "client_id": f"okta-client-{v}", "client_secret": f"okta-secret-{v}",
            "attributes_request_method": ["GET", "POST"][v],
            "oidc_issuer": f"https://idp{v}.example.com",
            "authorize_scopes": ["openid email profile", "openid"][v],
            "authorize_url": f"https://idp{v}.example.com/oauth2/v1/authorize",
            "token_url": f"https://idp{v}.example.com/oauth2/v1/token",
            "attributes_url": f"https://idp{v}.example.com/oauth2/v1/userinfo",
            "jwks_uri": f"https://idp{v}.example.com/oauth2/v1/keys"},
        # Keys are attributes of the pool.
        "AttributeMapping": lambda v, g: [{"email": "email", "name": "name"},
                                          {"given_name": "given_name"}][v],
        "IdpIdentifiers": lambda v, g: [[f"idp{v}.example.com", f"corp-{v}"], ["example.org"]][v],
        "AcrMapping": lambda v, g: {f"Level{n}": f"urn:example:loa:{v}:{n}" for n in (1, 2, 3)},
    }


def _resource_server_overrides() -> dict:
    return {"Scopes": lambda v, g: [
        [{"ScopeName": "read", "ScopeDescription": "Read things"},
         {"ScopeName": "write", "ScopeDescription": "Write things"}],
        [{"ScopeName": "admin", "ScopeDescription": "Everything"}]][v]}


def _group_overrides() -> dict:
    return {"Precedence": lambda v, g: [3, 0][v]}


def _prefix_domain_overrides() -> dict:
    # A prefix domain: CustomDomainConfig is what makes a domain custom, and Routing "is
    # currently only supported for custom domains" (CreateUserPoolDomain documentation).
    return {**_domain_overrides(), "CustomDomainConfig": OMIT, "Routing": OMIT}


def _saml_provider_overrides() -> dict:
    # SAML: every ProviderDetails key the API reference lists for a create request (the
    # metadata comes from the caller: given["metadata"]); AcrMapping is OIDC only (model).
    # IDPInit on needs no client to list the provider beside a non-SAML one (none does).
    return {
        "ProviderType": lambda v, g: "SAML",
        "ProviderDetails": lambda v, g: {
            "MetadataFile": g["metadata"], "IDPSignout": ["true", "false"][v],
            "IDPInit": ["true", "false"][v], "EncryptedResponses": ["true", "false"][v],
            "RequestSigningAlgorithm": "rsa-sha256"},
        "AttributeMapping": lambda v, g: [{"email": "http://schemas.xmlsoap.org/ws/2005/05/"
                                                    "identity/claims/emailaddress",
                                           "name": "name"}, {"given_name": "givenname"}][v],
        "IdpIdentifiers": lambda v, g: [[f"saml{v}.example.com", f"corp-saml-{v}"],
                                        ["example.net"]][v],
        "AcrMapping": OMIT,
    }


# Social providers: the ProviderDetails keys the API reference lists for each (create
# request); authorize_scopes "must match the values listed here".
SOCIAL_DETAILS = {
    "Google": lambda v: {"client_id": f"google-client-{v}", "client_secret": f"google-secret-{v}",
                         "authorize_scopes": ["profile email openid", "email"][v]},
    "Facebook": lambda v: {"client_id": f"fb-client-{v}", "client_secret": f"fb-secret-{v}",
                           "authorize_scopes": ["public_profile, email", "email"][v],
                           "api_version": ["v17.0", "v18.0"][v]},
    "LoginWithAmazon": lambda v: {"client_id": f"amzn1.application-oa2-client.{v}",
                                  "client_secret": f"amazon-secret-{v}",
                                  "authorize_scopes": ["profile postal_code", "profile"][v]},
    "SignInWithApple": lambda v: {"client_id": f"com.example.app{v}", "team_id": f"TEAM00000{v}",
                                  "key_id": f"KEY000000{v}",
                                  "private_key": f"-----BEGIN PRIVATE KEY-----\nkey{v}\n"
                                                 "-----END PRIVATE KEY-----",
                                  "authorize_scopes": ["email name", "email"][v]},
}


def _social_provider_overrides() -> dict:
    return {
        "ProviderType": lambda v, g: g["ProviderName"],
        "ProviderDetails": lambda v, g: SOCIAL_DETAILS[g["ProviderName"]](v),
        "AttributeMapping": lambda v, g: [{"email": "email"}, {"name": "name"}][v],
        "IdpIdentifiers": lambda v, g: [[f"{g['ProviderName'].lower()}-{v}"], ["social"]][v],
        "AcrMapping": OMIT,  # OIDC only (model)
    }


def _ui_customization_overrides() -> dict:
    return {"ClientId": lambda v, g: g.get("ClientId", "ALL")}


def _branding_overrides() -> dict:
    # "When you specify true for this option, you must also omit values for Settings and
    # Assets" (model): the maximal style brings its own. Settings is a document: a part of
    # the branding editor's JSON; one asset per role, a PNG file named as one.
    return {
        "UseCognitoProvidedValues": lambda v, g: False,
        "Settings": lambda v, g: {
            "components": {"primaryButton": {"lightMode": {"defaults": {
                "backgroundColor": ["0972d3ff", "033160ff"][v]}}},
                "pageBackground": {"image": {"enabled": v == 0}}},
            "categories": {"global": {"colorSchemeMode": ["LIGHT", "DARK"][v]}}},
        "Assets": lambda v, g: [
            {"Category": ["FORM_LOGO", "PAGE_BACKGROUND"][v], "ColorMode": ["LIGHT", "DARK"][v],
             "Extension": "PNG", "Bytes": PNG, "ResourceId": f"asset-{v}"}],
    }


def _risk_overrides() -> dict:
    # ClientId: the caller's (a pool-wide configuration sends none).
    return {"ClientId": lambda v, g: g["ClientId"] if "ClientId" in g else OMIT}


def _log_delivery_overrides() -> dict:
    # One configuration per event source, each with exactly one destination: notification
    # errors go to CloudWatch Logs only; user auth events (Plus) to any of the three
    # (SetLogDeliveryConfiguration / LogConfigurationType documentation).
    auth_events = [{"FirehoseConfiguration": {"StreamArn": BY_MEMBER["StreamArn"](0)}},
                   {"S3Configuration": {"BucketArn": BY_MEMBER["BucketArn"](1)}}]
    return {"LogConfigurations": lambda v, g: [
        {"LogLevel": "ERROR", "EventSource": "userNotification",
         "CloudWatchLogsConfiguration": {"LogGroupArn": BY_MEMBER["LogGroupArn"](v)}},
        {"LogLevel": "INFO", "EventSource": "userAuthEvents", **auth_events[v]}]}


def _mfa_overrides() -> dict:
    # "provide either the Amazon SNS configuration (SnsCallerArn) or this configuration, but
    # not both" (EumsSmsConfigurationType): variant 0 sends through SNS, 1 through EUMS.
    sns = lambda v, g: {"SnsCallerArn": BY_MEMBER["SnsCallerArn"](v),  # noqa: E731 (table)
                        "ExternalId": f"external-id-{v}", "SnsRegion": "us-east-1"}
    eums = lambda v, g: {"EumsSms": {  # noqa: E731 (table)
        "CallerArn": BY_MEMBER["CallerArn"](v), "ExternalId": f"external-id-{v}",
        "OriginationIdentity": f"+1206555010{v}", "ConfigurationSetName": f"sms-set-{v}",
        "InEntityId": f"entity-{v}", "InTemplateId": f"template-{v}", "Region": REGION}}
    return {
        "SmsMfaConfiguration.SmsConfiguration": lambda v, g: [sns, eums][v](v, g),
        "MfaConfiguration": lambda v, g: ["OPTIONAL", "ON"][v],
        # The relying party: the pool's domain (WebAuthnConfigurationType.RelyingPartyId).
        "WebAuthnConfiguration.RelyingPartyId": lambda v, g: g["rp_id"],
    }


OVERRIDES = {
    "SetUICustomization": _ui_customization_overrides(),
    "CreateManagedLoginBranding": _branding_overrides(),
    "UpdateManagedLoginBranding": _branding_overrides(),
    "SetRiskConfiguration": _risk_overrides(),
    "SetLogDeliveryConfiguration": _log_delivery_overrides(),
    "SetUserPoolMfaConfig": _mfa_overrides(),
    "CreateUserPoolDomain": _domain_overrides(),
    "UpdateUserPoolDomain": _domain_overrides(),
    "CreateIdentityProvider": _provider_overrides(),
    "UpdateIdentityProvider": _provider_overrides(),
    "CreateResourceServer": _resource_server_overrides(),
    "UpdateResourceServer": _resource_server_overrides(),
    "CreateGroup": _group_overrides(),
    "UpdateGroup": _group_overrides(),
    "CreateUserPool": _pool_overrides(),
    "UpdateUserPool": _pool_overrides(),
    "CreateUserPoolClient": _client_overrides(),
    "UpdateUserPoolClient": _client_overrides(),
}


# --- the walk -------------------------------------------------------------------------------

# Other shapes of a resource than the operation's default: maximal(op, kind=...).
KINDS = {
    "prefix": {"CreateUserPoolDomain": _prefix_domain_overrides(),
               "UpdateUserPoolDomain": _prefix_domain_overrides()},
    "saml": {"CreateIdentityProvider": _saml_provider_overrides(),
             "UpdateIdentityProvider": _saml_provider_overrides()},
    "social": {"CreateIdentityProvider": _social_provider_overrides(),
               "UpdateIdentityProvider": _social_provider_overrides()},
}


def maximal(op: str, variant: int = 0, *, kind: str | None = None, **given) -> dict:
    """A maximal valid input for `op` (Python values as boto3 takes them: bytes for blobs)."""
    table = KINDS[kind][op] if kind else OVERRIDES.get(op, {})
    overrides = {**table, **{k: _constant(value)
                                            for k, value in given.items() if k[0].isupper()}}
    name = model.input_shape_name(op)
    out = _structure(name, "", variant, overrides, given)
    validate(op, _wire(copy.deepcopy(out)))  # raises ValidationFailure: a bug in this module
    return out


def _constant(value):
    return lambda v, g: value


def _structure(name: str, path: str, v: int, overrides: dict, given: dict) -> dict:
    out = {}
    for member, ref in SHAPES[name]["members"].items():
        value = _member(ref["shape"], f"{path}{member}", member, v, overrides, given)
        if value is not OMIT:
            out[member] = value
    return out


def _member(shape_name: str, path: str, member: str, v: int, overrides: dict, given: dict):
    if path in overrides:
        rule = overrides[path]
        return rule if rule is OMIT else rule(v, given)
    if member in BY_MEMBER:
        return BY_MEMBER[member](v)
    if shape_name in BY_SHAPE:
        return BY_SHAPE[shape_name](v)
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        return _structure(shape_name, path + ".", v, overrides, given)
    if kind == "list":
        element = SHAPES[shape["member"]["shape"]]
        if "enum" in element:  # every value, in the model's order or reversed
            values = list(element["enum"])[:shape.get("max", 99)]
            return values if v % 2 == 0 else values[::-1]
        return [_member(shape["member"]["shape"], path + "[]", member, v, overrides, given)]
    if kind == "boolean":
        return v % 2 == 0
    if kind in ("integer", "long"):
        low = shape.get("min", 0)
        high = shape.get("max", low + 100)
        return min(high, low + 1 + v)
    if kind == "string" and "enum" in shape:
        return shape["enum"][v % len(shape["enum"])]
    raise KeyError(f"tests/support/maximal.py has no realistic value for {path} "
                   f"({shape_name}): add it to BY_MEMBER, BY_SHAPE or OVERRIDES")


def _wire(value):
    """The JSON a boto3 call sends (blobs base64), for the validator."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


# --- comparing ------------------------------------------------------------------------------

def drifts(shape_name: str, expected, actual, path: str = "") -> list[str]:
    """Every path of output shape `shape_name` where `actual` differs from `expected`."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure" and not shape.get("document"):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: sent {expected!r}, got {actual!r}"]
        out = []
        for member, ref in shape["members"].items():
            where = f"{path}.{member}" if path else member
            if member not in expected and member not in actual:
                continue
            if member not in actual:
                out.append(f"{where}: missing (expected {expected[member]!r})")
            elif member not in expected:
                out.append(f"{where}: unexpected {actual[member]!r}")
            else:
                out += drifts(ref["shape"], expected[member], actual[member], where)
        return out
    if kind == "list" and isinstance(expected, list) and isinstance(actual, list) \
            and len(expected) == len(actual):
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += drifts(shape["member"]["shape"], e, a, f"{path}[{i}]")
        return out
    if kind == "map" and isinstance(expected, dict) and isinstance(actual, dict) \
            and set(expected) == set(actual):
        out = []
        for key in expected:
            out += drifts(shape["value"]["shape"], expected[key], actual[key], f"{path}.{key}")
        return out
    if kind == "blob" and isinstance(actual, bytes) and isinstance(expected, bytes):
        return [] if actual == expected else [f"{path}: blob differs"]
    return [] if expected == actual else [f"{path}: sent {expected!r}, got {actual!r}"]
