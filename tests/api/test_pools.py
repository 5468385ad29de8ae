"""User pools through boto3 and the real server: CreateUserPool, DescribeUserPool,
UpdateUserPool, DeleteUserPool, ListUserPools, AddCustomAttributes, GetCSVHeader."""
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import error

STANDARD = ["sub", "name", "given_name", "family_name", "middle_name", "nickname",
            "preferred_username", "profile", "picture", "website", "email", "email_verified",
            "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
            "address", "updated_at", "identities"]


def name() -> str:
    return f"pool-{uuid.uuid4().hex[:8]}"


# --- create / describe: defaults ------------------------------------------------------------

def test_fresh_pool_shows_cognito_defaults(cognito, pool):
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", described["Id"])
    assert re.fullmatch(rf"arn:aws:cognito-idp:us-east-1:\d{{12}}:userpool/{pool['Id']}",
                        described["Arn"])
    assert described["Policies"] == {
        "PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True,
                           "RequireLowercase": True, "RequireNumbers": True,
                           "RequireSymbols": True, "TemporaryPasswordValidityDays": 7},
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}}
    assert described["DeletionProtection"] == "INACTIVE"
    assert described["LambdaConfig"] == {}
    assert described["MfaConfiguration"] == "OFF"
    assert described["EstimatedNumberOfUsers"] == 0
    assert described["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert described["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert described["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False,
                                                  "UnusedAccountValidityDays": 7}
    assert described["UserPoolTier"] == "ESSENTIALS"
    assert described["AccountRecoverySetting"] == {"RecoveryMechanisms": [
        {"Priority": 1, "Name": "verified_email"},
        {"Priority": 2, "Name": "verified_phone_number"}]}
    assert described["UserPoolTags"] == {}
    assert described["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": []}
    assert described["CreationDate"] == described["LastModifiedDate"]
    for absent in ("UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes",
                   "UsernameConfiguration", "Status"):
        assert absent not in described
    assert described == pool | {"EstimatedNumberOfUsers": 0}  # Create returns the same view


def test_fresh_pool_has_the_full_standard_schema(pool):
    schema = pool["SchemaAttributes"]
    assert [a["Name"] for a in schema] == STANDARD
    by_name = {a["Name"]: a for a in schema}
    assert by_name["sub"] == {"Name": "sub", "AttributeDataType": "String",
                              "DeveloperOnlyAttribute": False, "Mutable": False,
                              "Required": True,
                              "StringAttributeConstraints": {"MinLength": "1",
                                                             "MaxLength": "2048"}}
    assert by_name["email"]["StringAttributeConstraints"] == {"MinLength": "0",
                                                              "MaxLength": "2048"}
    assert by_name["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10",
                                                                  "MaxLength": "10"}
    assert by_name["email_verified"] == {"Name": "email_verified", "AttributeDataType": "Boolean",
                                         "DeveloperOnlyAttribute": False, "Mutable": True,
                                         "Required": False}
    assert by_name["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert by_name["updated_at"]["AttributeDataType"] == "Number"
    assert by_name["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert by_name["identities"]["StringAttributeConstraints"] == {}
    assert all(not a["Required"] for a in schema if a["Name"] != "sub")


def test_schema_adjusts_standard_attributes_and_adds_custom_ones(new_pool):
    pool = new_pool(Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "given_name", "Mutable": False,
         "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "50"}},
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": False,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "256"}},
        {"Name": "level", "AttributeDataType": "Number",
         "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
        {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
        {"Name": "flag", "AttributeDataType": "Boolean"},
    ])
    by_name = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert by_name["email"]["Required"] is True
    assert by_name["given_name"]["Mutable"] is False
    assert by_name["given_name"]["StringAttributeConstraints"] == {"MinLength": "2",
                                                                   "MaxLength": "50"}
    assert by_name["custom:tenant"] == {
        "Name": "custom:tenant", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": False, "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "256"}}
    assert by_name["custom:level"]["NumberAttributeConstraints"] == {"MinValue": "1",
                                                                     "MaxValue": "10"}
    assert by_name["dev:custom:secret"]["DeveloperOnlyAttribute"] is True
    assert by_name["custom:flag"]["AttributeDataType"] == "Boolean"
    assert "StringAttributeConstraints" not in by_name["custom:flag"]
    # standard attributes first, custom ones after, in request order
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[:len(STANDARD)] == STANDARD
    assert names[len(STANDARD):] == ["custom:tenant", "custom:level", "dev:custom:secret",
                                     "custom:flag"]


def test_required_custom_attribute_is_refused(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), Schema=[
            {"Name": "tenant", "AttributeDataType": "String", "Required": True}])
    assert error(exc) == ("InvalidParameterException",
                          "Required custom attributes are not supported currently.")


def test_custom_attribute_without_data_type_is_refused(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), Schema=[{"Name": "tenant"}])
    assert error(exc) == ("InvalidParameterException", "Invalid AttributeDataType input, "
                          "consider using the provided AttributeDataType enum.")


def test_standard_attribute_type_cannot_change(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), Schema=[
            {"Name": "email", "AttributeDataType": "Number"}])
    assert error(exc)[0] == "InvalidParameterException"


def test_bad_string_constraints_are_refused(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), Schema=[
            {"Name": "x", "AttributeDataType": "String",
             "StringAttributeConstraints": {"MinLength": "10", "MaxLength": "5"}}])
    assert error(exc)[0] == "InvalidParameterException"


def test_sign_in_attributes_and_username_configuration_are_stored(new_pool):
    pool = new_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
                     UsernameConfiguration={"CaseSensitive": False})
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    aliased = new_pool(AliasAttributes=["email", "preferred_username"])
    assert aliased["AliasAttributes"] == ["email", "preferred_username"]


def test_username_and_alias_attributes_are_exclusive(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), UsernameAttributes=["email"],
                                 AliasAttributes=["email"])
    assert error(exc)[0] == "InvalidParameterException"


def test_enum_values_of_sign_in_attributes_are_checked(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), UsernameAttributes=["preferred_username"])
    assert error(exc)[0] == "InvalidParameterException"


@pytest.mark.parametrize("length,limit", [(5, 6), (100, 99)])
def test_password_minimum_length_must_be_6_to_99(unchecked, new_pool, length, limit):
    with pytest.raises(ClientError) as exc:
        unchecked.create_user_pool(PoolName=name(),
                                 Policies={"PasswordPolicy": {"MinimumLength": length}})
    assert error(exc)[0] == "InvalidParameterException"
    side = "greater" if length < limit else "less"
    assert error(exc)[1] == (f"1 validation error detected: Value '{length}' at "
                             "'policies.passwordPolicy.minimumLength' failed to satisfy "
                             f"constraint: Member must have value {side} than or equal to {limit}")
    # the limit beside it is kept
    pool = new_pool(Policies={"PasswordPolicy": {"MinimumLength": limit}})
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == limit


def test_custom_settings_are_kept(new_pool):
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-signup"
    pool = new_pool(
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": True,
                                     "TemporaryPasswordValidityDays": 3}},
        LambdaConfig={"PreSignUp": lambda_arn,
                      "PreTokenGeneration": lambda_arn},
        MfaConfiguration="OPTIONAL", DeletionProtection="ACTIVE",
        EmailVerificationSubject="Your code", EmailVerificationMessage="Code: {####}",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                             "DeviceOnlyRememberedOnUserPrompt": False},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
        UserPoolTags={"team": "identity"})
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": False,
        "RequireNumbers": False, "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}
    assert pool["LambdaConfig"] == {"PreSignUp": lambda_arn, "PreTokenGeneration": lambda_arn,
                                    "PreTokenGenerationConfig": {"LambdaVersion": "V1_0",
                                                                 "LambdaArn": lambda_arn}}
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["EmailVerificationSubject"] == "Your code"
    assert pool["VerificationMessageTemplate"] == {
        "EmailMessage": "Code: {####}", "EmailSubject": "Your code",
        "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert pool["DeviceConfiguration"]["ChallengeRequiredOnNewDevice"] is True
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True,
                                             "UnusedAccountValidityDays": 3}
    assert pool["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]}
    assert pool["UserPoolTags"] == {"team": "identity"}


def test_pre_token_generation_arns_must_agree(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), LambdaConfig={
            "PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:a",
            "PreTokenGenerationConfig": {
                "LambdaVersion": "V2_0",
                "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:b"}})
    assert error(exc)[0] == "InvalidParameterException"


def test_verification_before_update_needs_auto_verification(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), UserAttributeUpdateSettings={
            "AttributesRequireVerificationBeforeUpdate": ["email"]})
    assert error(exc) == ("InvalidParameterException",
                          "All attributes in AttributesRequireVerificationBeforeUpdate must "
                          "exist in AutoVerifiedAttributes")


def test_threat_protection_needs_the_plus_tier(cognito, new_pool):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(),
                                 UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert error(exc) == ("FeatureUnavailableInTierException",
                          "The following features need to be disabled for the ESSENTIALS "
                          "pricing tier configured: Threat Protection")
    pool = new_pool(UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}
    assert pool["UserPoolTier"] == "PLUS"


def test_passwordless_factors_need_essentials(cognito, new_pool):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName=name(), UserPoolTier="LITE", Policies={
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}})
    assert error(exc)[0] == "FeatureUnavailableInTierException"
    pool = new_pool(Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD",
                                                                           "EMAIL_OTP"]}})
    assert pool["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD",
                                                                           "EMAIL_OTP"]}


def test_temporary_password_days_conflict_is_refused(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(
            PoolName=name(),
            Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}},
            AdminCreateUserConfig={"UnusedAccountValidityDays": 5})
    assert error(exc)[0] == "InvalidParameterException"


def test_pool_name_pattern_is_checked(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName="bad/name")
    assert error(exc)[0] == "InvalidParameterException"


def test_describe_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool(UserPoolId="us-east-1_nonexist0")
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool us-east-1_nonexist0 does not exist.")


def test_estimated_number_of_users_counts_users(cognito, pool_id):
    assert cognito.describe_user_pool(
        UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == 0
    cognito.admin_create_user(UserPoolId=pool_id, Username="someone",
                              MessageAction="SUPPRESS")
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["EstimatedNumberOfUsers"] == 1


# --- update ---------------------------------------------------------------------------------

def test_update_resets_omitted_settings_and_keeps_immutable_ones(cognito, new_pool, clock):
    start = clock.pin()["now"]
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:trigger"
    pool = new_pool(
        UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        Schema=[{"Name": "tenant", "AttributeDataType": "String"}],
        MfaConfiguration="OPTIONAL", LambdaConfig={"PreSignUp": lambda_arn},
        Policies={"PasswordPolicy": {"MinimumLength": 10}},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True},
        EmailVerificationMessage="Code {####}", UserPoolTags={"a": "b"})
    clock.advance(60)
    cognito.update_user_pool(UserPoolId=pool["Id"], LambdaConfig={"PostConfirmation": lambda_arn})
    after = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    # given: replaced
    assert after["LambdaConfig"] == {"PostConfirmation": lambda_arn}
    # omitted: back to the defaults of a fresh pool
    assert after["MfaConfiguration"] == "OFF"
    assert after["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert after["Policies"]["PasswordPolicy"]["RequireSymbols"] is True
    assert "AutoVerifiedAttributes" not in after
    assert "DeviceConfiguration" not in after
    assert "EmailVerificationMessage" not in after
    assert after["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    # immutable: kept
    assert after["UsernameAttributes"] == ["email"]
    assert after["UsernameConfiguration"] == {"CaseSensitive": False}
    assert after["SchemaAttributes"] == pool["SchemaAttributes"]
    assert after["Name"] == pool["Name"]
    assert after["Id"] == pool["Id"] and after["Arn"] == pool["Arn"]
    assert after["UserPoolTags"] == {"a": "b"}
    # dates
    assert after["CreationDate"].timestamp() == pytest.approx(start)
    assert after["LastModifiedDate"].timestamp() == pytest.approx(start + 60)


def test_update_can_rename_and_retag(cognito, pool_id):
    cognito.update_user_pool(UserPoolId=pool_id, PoolName="renamed", UserPoolTags={"x": "1"})
    after = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert after["Name"] == "renamed"
    assert after["UserPoolTags"] == {"x": "1"}


def test_update_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool(UserPoolId="us-east-1_nonexist0", MfaConfiguration="OFF")
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool us-east-1_nonexist0 does not exist.")


def test_failed_update_changes_nothing(cognito, pool_id):
    cognito.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool(UserPoolId=pool_id, UserAttributeUpdateSettings={
            "AttributesRequireVerificationBeforeUpdate": ["phone_number"]})
    assert error(exc) == ("InvalidParameterException", "All attributes in "
                          "AttributesRequireVerificationBeforeUpdate must exist in "
                          "AutoVerifiedAttributes")
    assert cognito.describe_user_pool(
        UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"


# --- delete ---------------------------------------------------------------------------------

def test_delete_pool_removes_pool_clients_and_users(cognito):
    pool_id = cognito.create_user_pool(PoolName=name())["UserPool"]["Id"]
    cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")
    cognito.admin_create_user(UserPoolId=pool_id, Username="u1", MessageAction="SUPPRESS")
    cognito.delete_user_pool(UserPoolId=pool_id)
    for call in (lambda: cognito.describe_user_pool(UserPoolId=pool_id),
                 lambda: cognito.delete_user_pool(UserPoolId=pool_id),
                 lambda: cognito.list_user_pool_clients(UserPoolId=pool_id),
                 lambda: cognito.admin_get_user(UserPoolId=pool_id, Username="u1")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException",
                              f"User pool {pool_id} does not exist.")
    assert pool_id not in _all_pools(cognito)


def test_delete_pool_drops_its_clients_from_the_service_wide_index(cognito):
    pool_id = cognito.create_user_pool(PoolName=name())["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    # An unsigned call naming only the client id can't find the client any more.
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "u1", "PASSWORD": "Passw0rd!"})
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool client {client_id} does not exist.")


def test_deletion_protection_blocks_delete_until_deactivated(cognito):
    pool_id = cognito.create_user_pool(PoolName=name(),
                                       DeletionProtection="ACTIVE")["UserPool"]["Id"]
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error(exc) == ("InvalidParameterException",
                          "The user pool cannot be deleted because deletion protection is "
                          "activated. Deletion protection must be inactivated first.")
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool_id)


def test_update_without_deletion_protection_turns_it_off(cognito, new_pool):
    pool = new_pool(DeletionProtection="ACTIVE")
    cognito.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")
    assert cognito.describe_user_pool(
        UserPoolId=pool["Id"])["UserPool"]["DeletionProtection"] == "INACTIVE"


# --- list -----------------------------------------------------------------------------------

def test_list_pools_pages_through_a_region(endpoint):
    region = "ap-southeast-2"
    client = make_client(endpoint, region)
    made = [client.create_user_pool(PoolName=f"page-{i}")["UserPool"]["Id"] for i in range(5)]
    try:
        seen, token, pages = [], None, 0
        while True:
            kwargs = {"MaxResults": 2} | ({"NextToken": token} if token else {})
            page = client.list_user_pools(**kwargs)
            pages += 1
            assert len(page["UserPools"]) <= 2
            seen += [p["Id"] for p in page["UserPools"]]
            token = page.get("NextToken")
            if not token:
                break
        assert pages >= 3
        assert len(seen) == len(set(seen))
        assert set(made) <= set(seen)
        assert all(p.startswith(f"{region}_") for p in seen)
        entry = next(p for p in client.list_user_pools(MaxResults=60)["UserPools"]
                     if p["Id"] == made[0])
        assert set(entry) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}
        assert entry["Name"] == "page-0" and entry["LambdaConfig"] == {}
        # the paginator follows the same tokens
        ids = [p["Id"] for page in client.get_paginator("list_user_pools").paginate(
            PaginationConfig={"PageSize": 2}) for p in page["UserPools"]]
        assert ids == seen
    finally:
        for pool_id in made:
            client.delete_user_pool(UserPoolId=pool_id)


def test_list_pools_shows_only_the_callers_region(cognito, endpoint, pool_id):
    other = make_client(endpoint, "eu-west-3")
    theirs = other.create_user_pool(PoolName="elsewhere")["UserPool"]["Id"]
    try:
        assert theirs.startswith("eu-west-3_")
        assert other.describe_user_pool(UserPoolId=theirs)["UserPool"]["Arn"].startswith(
            "arn:aws:cognito-idp:eu-west-3:")
        ours = _all_pools(cognito)
        assert pool_id in ours and theirs not in ours
        assert pool_id not in _all_pools(other) and theirs in _all_pools(other)
    finally:
        other.delete_user_pool(UserPoolId=theirs)


def _all_pools(client) -> list[str]:
    return [p["Id"] for page in client.get_paginator("list_user_pools").paginate(
        PaginationConfig={"PageSize": 60}) for p in page["UserPools"]]


@pytest.mark.parametrize("max_results,limit", [(0, 1), (61, 60)])
def test_list_pools_max_results_range(unchecked, max_results, limit):
    with pytest.raises(ClientError) as exc:
        unchecked.list_user_pools(MaxResults=max_results)
    assert error(exc)[0] == "InvalidParameterException"
    side = "greater" if max_results < limit else "less"
    assert error(exc)[1] == (f"1 validation error detected: Value '{max_results}' at "
                             "'maxResults' failed to satisfy constraint: Member must have value "
                             f"{side} than or equal to {limit}")
    assert len(unchecked.list_user_pools(MaxResults=limit)["UserPools"]) <= limit


# --- custom attributes, CSV header ----------------------------------------------------------

def test_add_custom_attributes(cognito, pool_id, clock):
    clock.pin()
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "15"}},
        {"Name": "score", "AttributeDataType": "Number"}])
    clock.advance(5)
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}])
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    by_name = {a["Name"]: a for a in described["SchemaAttributes"]}
    assert by_name["custom:plan"]["StringAttributeConstraints"] == {"MinLength": "1",
                                                                    "MaxLength": "15"}
    assert by_name["custom:score"]["AttributeDataType"] == "Number"
    assert by_name["dev:custom:internal"]["DeveloperOnlyAttribute"] is True
    assert [a["Name"] for a in described["SchemaAttributes"]][-3:] == [
        "custom:plan", "custom:score", "dev:custom:internal"]
    assert described["LastModifiedDate"] > described["CreationDate"]


def test_add_existing_custom_attribute_is_refused(cognito, pool_id):
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "plan", "AttributeDataType": "String"}])
    with pytest.raises(ClientError) as exc:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": "other", "AttributeDataType": "String"},
            {"Name": "plan", "AttributeDataType": "String"}])
    assert error(exc) == ("InvalidParameterException",
                          "custom:plan: Existing attribute already has name custom:plan.")
    names = [a["Name"] for a in
             cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]]
    assert "custom:other" not in names  # nothing half-written


def test_add_required_custom_attribute_is_refused(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": "plan", "AttributeDataType": "String", "Required": True}])
    assert error(exc) == ("InvalidParameterException",
                          "Required custom attributes are not supported currently.")


def test_add_custom_attributes_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.add_custom_attributes(UserPoolId="us-east-1_nonexist0", CustomAttributes=[
            {"Name": "plan", "AttributeDataType": "String"}])
    assert error(exc)[0] == "ResourceNotFoundException"


def test_csv_header(cognito, new_pool):
    pool = new_pool(Schema=[{"Name": "tenant", "AttributeDataType": "String"}])
    header = cognito.get_csv_header(UserPoolId=pool["Id"])
    assert header["UserPoolId"] == pool["Id"]
    assert header["CSVHeader"] == [
        "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
        "profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
        "zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
        "cognito:mfa_enabled", "cognito:username", "custom:tenant"]


def test_csv_header_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.get_csv_header(UserPoolId="us-east-1_nonexist0")
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool us-east-1_nonexist0 does not exist.")
