"""Federated users (SAML): the profile a first sign-in creates, later sign-ins, attribute
mapping, AdminLinkProviderForUser / AdminDisableProviderForUser, and how federated users show
up in the admin API.

Every sign-in goes through the emulator's HTTP endpoints (tests/support/saml_rig.py): the IdP's
signed response is POSTed to /saml2/idpresponse, SP-initiated (after /oauth2/authorize) unless
the provider has IDPInit; the app's callback gets a code (redeemed at /oauth2/token to see who
signed in) or error=invalid_request with the reason in error_description. Everything else is
checked through boto3.
"""
import json

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import error as err
from tests.support.saml_rig import rigs

ISSUER = "https://idp.example.test/saml"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
MAPPING = {"email": EMAIL_CLAIM, "given_name": GIVEN_CLAIM}
ADMIN_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def attrs(user: dict) -> dict:
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def federate(cognito, endpoint):
    """federate(**SamlRig options) -> a pool federated with a SAML IdP (issuer ISSUER,
    mapping MAPPING unless given); deleted afterwards."""
    with rigs(cognito, endpoint, entity_id=ISSUER, mapping=MAPPING) as make:
        yield make


@pytest.fixture
def rig(federate):
    """A pool, a SAML provider "Corp" mapping email and given_name, an app client that may
    also sign in with a password (ADMIN_USER_PASSWORD_AUTH)."""
    return federate(client={"ExplicitAuthFlows": ADMIN_FLOWS})


@pytest.fixture
def cog(cognito):
    return cognito


def claims_of(email="ada@example.com", given="Ada", **extra) -> dict:
    out = {EMAIL_CLAIM: [email], GIVEN_CLAIM: [given]}
    out.update(extra)
    return out


# --- first sign-in ----------------------------------------------------------------------------

def test_first_sign_in_creates_external_provider_user(rig, cog):
    pool_id = rig.pool_id
    before = rig.now()
    assert rig.signed_in_as("Ada.Lovelace", claims_of()) == "Corp_Ada.Lovelace"   # case kept

    got = cog.admin_get_user(UserPoolId=pool_id, Username="Corp_Ada.Lovelace")
    assert got["Username"] == "Corp_Ada.Lovelace"
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
    assert got["Enabled"] is True
    a = attrs(got)
    assert a["email"] == "ada@example.com"
    assert a["given_name"] == "Ada"
    assert "email_verified" not in a            # only when mapped
    assert len(a["sub"]) == 36
    ids = json.loads(a["identities"])
    assert len(ids) == 1
    entry = ids[0]
    assert list(entry) == ["userId", "providerName", "providerType", "issuer", "primary",
                           "dateCreated"]
    assert entry["userId"] == "Ada.Lovelace"
    assert entry["providerName"] == "Corp"
    assert entry["providerType"] == "SAML"
    assert entry["issuer"] == ISSUER
    assert entry["primary"] is True
    assert isinstance(entry["dateCreated"], int)
    assert entry["dateCreated"] >= int(before * 1000)
    # compact JSON, as real pools store it
    assert a["identities"].startswith('[{"userId":"Ada.Lovelace","providerName":"Corp"')


def test_email_verified_only_when_mapped_and_multi_values(federate, cog):
    okta = federate(pool={"Schema": [{"Name": "groups", "AttributeDataType": "String",
                                      "Mutable": True}]},
                    provider_name="Okta", details={"IDPInit": "true"},   # IdP-initiated
                    mapping={"email": "mail", "email_verified": "mailVerified",
                             "custom:groups": "groups"})
    assert okta.signed_in_as("u1", {"mail": ["u1@example.com"], "mailVerified": ["True"],
                                    "groups": ["admins", "staff"],
                                    "unmapped": ["ignored"]}) == "Okta_u1"
    a = attrs(cog.admin_get_user(UserPoolId=okta.pool_id, Username="Okta_u1"))
    assert a["email"] == "u1@example.com"
    assert a["email_verified"] == "true"
    assert a["custom:groups"] == "[admins, staff]"
    assert "unmapped" not in a


def test_later_sign_in_refreshes_mapped_attributes(rig, cog):
    pool_id = rig.pool_id
    rig.signed_in_as("grace", claims_of("g@example.com", "Grace"))
    first = cog.admin_get_user(UserPoolId=pool_id, Username="Corp_grace")
    # the IdP now calls itself differently (new metadata): the identity records the issuer
    rig.change_entity_id("https://idp2.example.test")
    assert rig.signed_in_as("grace", claims_of("grace@new.example.com", "Grace H.")) == \
        "Corp_grace"
    second = cog.admin_get_user(UserPoolId=pool_id, Username="Corp_grace")
    a1, a2 = attrs(first), attrs(second)
    assert a2["email"] == "grace@new.example.com"
    assert a2["given_name"] == "Grace H."
    assert a2["sub"] == a1["sub"]
    assert second["UserCreateDate"] == first["UserCreateDate"]
    ids = json.loads(a2["identities"])
    assert len(ids) == 1 and ids[0]["issuer"] == "https://idp2.example.test"
    users = cog.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in users] == ["Corp_grace"]


def test_missing_mapped_attribute_keeps_the_old_value(rig, cog):
    rig.signed_in_as("kept", claims_of())
    rig.signed_in_as("kept", {GIVEN_CLAIM: ["Only"]})
    a = attrs(cog.admin_get_user(UserPoolId=rig.pool_id, Username="Corp_kept"))
    assert a["email"] == "ada@example.com" and a["given_name"] == "Only"


def test_required_attribute_must_be_mapped_and_present(federate, cog):
    fed = federate(pool={"Schema": [{"Name": "family_name", "AttributeDataType": "String",
                                     "Required": True, "Mutable": True}]})
    pool_id = fed.pool_id          # the provider maps email and given_name only
    assert fed.refused("nofamily", claims_of()) == (
        "Attributes did not conform to the schema: family_name: "
        "The attribute family_name is required")
    assert cog.list_users(UserPoolId=pool_id)["Users"] == []

    # mapped, but the assertion lacks it: same answer
    cog.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp",
                                 AttributeMapping={**MAPPING, "family_name": "sn"})
    assert "family_name: The attribute family_name is required" in \
        fed.refused("nofamily", claims_of())
    assert cog.list_users(UserPoolId=pool_id)["Users"] == []
    assert fed.signed_in_as("nofamily", claims_of(sn=["Byron"])) == "Corp_nofamily"
    a = attrs(cog.admin_get_user(UserPoolId=pool_id, Username="Corp_nofamily"))
    assert a["family_name"] == "Byron"


def test_client_must_be_allowed_to_write_every_mapped_attribute(rig, cog):
    narrow = rig.add_client(ClientName="narrow", WriteAttributes=["email"])
    assert rig.refused("writer", claims_of(), client_id=narrow) == \
        "A client attempted to write unauthorized attribute"
    assert cog.list_users(UserPoolId=rig.pool_id)["Users"] == []
    wide = rig.add_client(ClientName="wide", WriteAttributes=["email", "given_name"])
    assert rig.signed_in_as("writer", claims_of(), client_id=wide) == "Corp_writer"


def test_immutable_attribute_cannot_change_on_later_sign_in(federate, cog):
    fed = federate(pool={"Schema": [{"Name": "employee", "AttributeDataType": "String",
                                     "Mutable": False}]},
                   mapping={"custom:employee": "emp"})
    fed.signed_in_as("imm", {"emp": ["E1"]})
    fed.signed_in_as("imm", {"emp": ["E1"]})   # same value: fine
    assert fed.refused("imm", {"emp": ["E2"]}) == \
        "user.custom:employee: Attribute cannot be updated.\n"
    a = attrs(cog.admin_get_user(UserPoolId=fed.pool_id, Username="Corp_imm"))
    assert a["custom:employee"] == "E1"


def test_disabled_federated_user_cannot_sign_in(rig, cog):
    pool_id = rig.pool_id
    rig.signed_in_as("dis", claims_of())
    cog.admin_disable_user(UserPoolId=pool_id, Username="Corp_dis")
    assert rig.refused("dis", claims_of("changed@example.com")) == "User is disabled."
    assert attrs(cog.admin_get_user(UserPoolId=pool_id, Username="Corp_dis"))["email"] == \
        "ada@example.com"
    cog.admin_enable_user(UserPoolId=pool_id, Username="Corp_dis")
    assert rig.signed_in_as("dis", claims_of()) == "Corp_dis"


# --- federated users in the admin API -----------------------------------------------------------

def test_list_users_filters_on_external_provider_status(rig, cog):
    pool_id = rig.pool_id
    cog.admin_create_user(UserPoolId=pool_id, Username="native", MessageAction="SUPPRESS")
    rig.signed_in_as("fed1", claims_of("f1@example.com"))
    rig.signed_in_as("fed2", claims_of("f2@example.com"))
    cog.admin_disable_user(UserPoolId=pool_id, Username="Corp_fed2")
    found = cog.list_users(UserPoolId=pool_id,
                           Filter='cognito:user_status = "EXTERNAL_PROVIDER"')["Users"]
    assert sorted(u["Username"] for u in found) == ["Corp_fed1", "Corp_fed2"]
    assert {u["UserStatus"] for u in found} == {"EXTERNAL_PROVIDER"}
    enabled = cog.list_users(UserPoolId=pool_id, Filter='status = "Enabled"')["Users"]
    assert sorted(u["Username"] for u in enabled) == ["Corp_fed1", "native"]
    prefix = cog.list_users(UserPoolId=pool_id, Filter='username ^= "Corp_"')["Users"]
    assert len(prefix) == 2


def test_admin_set_user_password_confirms_a_federated_user(rig, cog):
    pool_id, client_id = rig.pool_id, rig.client_id
    rig.signed_in_as("pw", claims_of())
    cog.admin_set_user_password(UserPoolId=pool_id, Username="Corp_pw", Password="Passw0rd!x",
                                Permanent=True)
    got = cog.admin_get_user(UserPoolId=pool_id, Username="Corp_pw")
    assert got["UserStatus"] == "CONFIRMED"
    result = cog.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "Corp_pw",
                                                     "PASSWORD": "Passw0rd!x"})
    assert "IdToken" in result["AuthenticationResult"]
    # the identity still signs in to the same profile; its status stays CONFIRMED
    assert rig.signed_in_as("pw", claims_of()) == "Corp_pw"
    assert cog.admin_get_user(UserPoolId=pool_id, Username="Corp_pw")["UserStatus"] == \
        "CONFIRMED"


# --- AdminLinkProviderForUser -----------------------------------------------------------------

def link(cog, pool_id, username, value, attribute="Cognito_Subject", provider="Corp"):
    return cog.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": username},
        SourceUser={"ProviderName": provider, "ProviderAttributeName": attribute,
                    "ProviderAttributeValue": value})


def native(cog, pool_id, username="alice", **attributes):
    cog.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
    cog.admin_set_user_password(UserPoolId=pool_id, Username=username, Password="Passw0rd!x",
                                Permanent=True)


def test_linked_subject_signs_in_as_the_existing_user(rig, cog):
    pool_id, client_id = rig.pool_id, rig.client_id
    native(cog, pool_id, "alice", email="alice@old.example.com")
    link(cog, pool_id, "alice", "alice-nameid")
    linked = attrs(cog.admin_get_user(UserPoolId=pool_id, Username="alice"))
    ids = json.loads(linked["identities"])
    assert ids[0]["userId"] == "alice-nameid" and ids[0]["providerName"] == "Corp"
    assert ids[0]["primary"] is False and ids[0]["issuer"] is None

    assert rig.signed_in_as("alice-nameid", claims_of("alice@corp.example.com", "Alice")) == \
        "alice"
    got = cog.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert got["UserStatus"] == "CONFIRMED"       # the destination keeps its status
    a = attrs(got)
    assert a["email"] == "alice@corp.example.com" and a["given_name"] == "Alice"
    assert a["sub"] == linked["sub"]
    ids = json.loads(a["identities"])
    assert len(ids) == 1 and ids[0]["issuer"] == ISSUER and ids[0]["userId"] == "alice-nameid"
    assert [u["Username"] for u in cog.list_users(UserPoolId=pool_id)["Users"]] == ["alice"]
    # and again: same user, no new profile
    assert rig.signed_in_as("alice-nameid", claims_of()) == "alice"
    assert len(cog.list_users(UserPoolId=pool_id)["Users"]) == 1
    # the password still works
    cog.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!x"})


def test_link_by_mapped_attribute_then_disable_by_subject(rig, cog):
    pool_id = rig.pool_id
    native(cog, pool_id, "bob")
    link(cog, pool_id, "bob", "bob@corp.example.com", attribute="email")
    assert rig.signed_in_as("bob-id", claims_of("bob@corp.example.com")) == "bob"
    ids = json.loads(attrs(cog.admin_get_user(UserPoolId=pool_id, Username="bob"))["identities"])
    assert [(i["userId"], i["issuer"]) for i in ids] == [("bob-id", ISSUER)]
    # After the first sign-in the link is named by Cognito_Subject + NameID (API reference).
    with pytest.raises(ClientError) as info:
        cog.admin_disable_provider_for_user(
            UserPoolId=pool_id, User={"ProviderName": "Corp", "ProviderAttributeName": "email",
                                      "ProviderAttributeValue": "bob@corp.example.com"})
    assert err(info)[0] == "InvalidParameterException"
    cog.admin_disable_provider_for_user(
        UserPoolId=pool_id, User={"ProviderName": "Corp", "ProviderAttributeName":
                                  "Cognito_Subject", "ProviderAttributeValue": "bob-id"})
    assert "identities" not in attrs(cog.admin_get_user(UserPoolId=pool_id, Username="bob"))
    # next sign-in: a profile of its own
    assert rig.signed_in_as("bob-id", claims_of("bob@corp.example.com")) == "Corp_bob-id"


def test_disable_before_first_sign_in_uses_the_linked_values(rig, cog):
    pool_id = rig.pool_id
    native(cog, pool_id, "carol")
    link(cog, pool_id, "carol", "carol-id")
    cog.admin_disable_provider_for_user(
        UserPoolId=pool_id, User={"ProviderName": "Corp", "ProviderAttributeName":
                                  "Cognito_Subject", "ProviderAttributeValue": "carol-id"})
    assert "identities" not in attrs(cog.admin_get_user(UserPoolId=pool_id, Username="carol"))
    assert rig.signed_in_as("carol-id", claims_of()) == \
        "Corp_carol-id"


def test_link_errors(rig, cog):
    pool_id = rig.pool_id
    native(cog, pool_id, "dave")
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "nobody", "x")
    assert err(info) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "dave", "x", provider="NoSuchIdP")
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "dave", "x", provider="Cognito")
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        cog.admin_link_provider_for_user(
            UserPoolId=pool_id,
            DestinationUser={"ProviderName": "Corp", "ProviderAttributeValue": "dave"},
            SourceUser={"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": "x"})
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        link(cog, "us-east-1_nopenope1", "dave", "x")
    assert err(info)[0] == "ResourceNotFoundException"

    link(cog, pool_id, "dave", "dave-id")
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "dave", "dave-id")
    assert err(info) == ("InvalidParameterException",
                         "SourceUser is already linked to DestinationUser")

    # an identity that has signed in already has a profile: no merging
    rig.signed_in_as("early", claims_of())
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "dave", "early")
    assert err(info) == ("InvalidParameterException",
                         "Merging is not currently supported, provide a SourceUser that has "
                         "not been signed up in order to link")
    # nothing half-written by the failures
    ids = json.loads(attrs(cog.admin_get_user(UserPoolId=pool_id, Username="dave"))["identities"])
    assert [i["userId"] for i in ids] == ["dave-id"]


def test_at_most_five_links_per_user(rig, cog):
    pool_id = rig.pool_id
    native(cog, pool_id, "erin")
    for n in range(5):
        link(cog, pool_id, "erin", f"erin-{n}")
    with pytest.raises(ClientError) as info:
        link(cog, pool_id, "erin", "erin-5")
    assert err(info)[0] == "LimitExceededException"
    ids = json.loads(attrs(cog.admin_get_user(UserPoolId=pool_id, Username="erin"))["identities"])
    assert len(ids) == 5
    # one link removed makes room again
    cog.admin_disable_provider_for_user(
        UserPoolId=pool_id, User={"ProviderName": "Corp", "ProviderAttributeName":
                                  "Cognito_Subject", "ProviderAttributeValue": "erin-0"})
    link(cog, pool_id, "erin", "erin-5")


def test_deleted_destination_drops_its_links(rig, cog):
    pool_id = rig.pool_id
    native(cog, pool_id, "frank")
    link(cog, pool_id, "frank", "frank-id")
    cog.admin_delete_user(UserPoolId=pool_id, Username="frank")
    # the link doesn't carry over to a new user of the same name either
    native(cog, pool_id, "frank")
    assert rig.signed_in_as("frank-id", claims_of()) == \
        "Corp_frank-id"
    # and a new link to the new user is allowed... for an identity without a profile
    link(cog, pool_id, "frank", "frank-other")
    assert rig.signed_in_as("frank-other", claims_of()) == \
        "frank"


def test_disable_provider_errors_and_cognito_users(rig, cog):
    pool_id, client_id = rig.pool_id, rig.client_id
    rig.signed_in_as("solo", claims_of())
    # an auto-created profile isn't linked to anyone
    with pytest.raises(ClientError) as info:
        cog.admin_disable_provider_for_user(
            UserPoolId=pool_id, User={"ProviderName": "Corp", "ProviderAttributeName":
                                      "Cognito_Subject", "ProviderAttributeValue": "solo"})
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        cog.admin_disable_provider_for_user(
            UserPoolId=pool_id, User={"ProviderName": "Missing", "ProviderAttributeName":
                                      "Cognito_Subject", "ProviderAttributeValue": "solo"})
    assert err(info)[0] == "InvalidParameterException"
    # a Cognito user: its password stops working
    native(cog, pool_id, "gina")
    cog.admin_disable_provider_for_user(
        UserPoolId=pool_id, User={"ProviderName": "Cognito", "ProviderAttributeName":
                                  "Cognito_Subject", "ProviderAttributeValue": "gina"})
    with pytest.raises(ClientError) as info:
        cog.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "gina", "PASSWORD": "Passw0rd!x"})
    assert err(info)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as info:
        cog.admin_disable_provider_for_user(
            UserPoolId=pool_id, User={"ProviderName": "Cognito", "ProviderAttributeName":
                                      "Cognito_Subject", "ProviderAttributeValue": "nobody"})
    assert err(info)[0] == "UserNotFoundException"
