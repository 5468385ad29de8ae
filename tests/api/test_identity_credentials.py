"""GetCredentialsForIdentity through boto3: the role each login gets (default roles, Token and
Rules role mappings with each MatchType and each AmbiguousRoleResolution, CustomRoleArn),
guests allowed and not, the credentials' format and what /_emulator/credentials records.
The rules are docs/IDENTITY_POOLS.md's "Credentials" (the developer guide's "Role-based
access control")."""
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.support.clients import requires
from tests.support.factories import (
    attribute_list,
    create_user,
    error,
    password_client,
    password_sign_in,
    unique_name,
)
from tests.support.server import RunningServer

ROLE = "arn:aws:iam::000000000000:role/{}"
AUTH, UNAUTH = ROLE.format("Cognito_Auth"), ROLE.format("Cognito_Unauth")
ADMIN, SALES, READER = ROLE.format("Admin"), ROLE.format("Sales"), ROLE.format("Reader")


class Rig:
    """A user pool with an app client, and an identity pool that trusts it."""

    def __init__(self, cognito, identity, http, user_pool_id: str, *, guests: bool = True):
        self.cognito, self.identity, self.http = cognito, identity, http
        self.user_pool_id = user_pool_id
        self.client_id = password_client(cognito, user_pool_id)["ClientId"]
        self.provider = f"cognito-idp.us-east-1.amazonaws.com/{user_pool_id}"
        self.mapping_key = f"{self.provider}:{self.client_id}"
        self.pool_id = identity.create_identity_pool(
            IdentityPoolName=unique_name("creds"), AllowUnauthenticatedIdentities=guests,
            CognitoIdentityProviders=[{"ProviderName": self.provider,
                                       "ClientId": self.client_id}])["IdentityPoolId"]

    def roles(self, roles=None, **mapping):
        """SetIdentityPoolRoles: both default roles unless told, one mapping for the client."""
        params = {"IdentityPoolId": self.pool_id,
                  "Roles": {"authenticated": AUTH, "unauthenticated": UNAUTH}
                  if roles is None else roles}
        if mapping:
            params["RoleMappings"] = {self.mapping_key: mapping}
        self.identity.set_identity_pool_roles(**params)

    def group(self, name: str, role: str, precedence: int) -> str:
        self.cognito.create_group(UserPoolId=self.user_pool_id, GroupName=name, RoleArn=role,
                                  Precedence=precedence)
        return name

    def user(self, *groups: str, **attributes) -> str:
        """A signed-in user in these groups -> the ID token."""
        name = create_user(self.cognito, self.user_pool_id, unique_name("u"),
                           attributes=attribute_list(**attributes) if attributes else None)
        for group in groups:
            self.cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id,
                                                 Username=name, GroupName=group)
        return password_sign_in(self.cognito, self.client_id, name)[
            "AuthenticationResult"]["IdToken"]

    def logins(self, id_token: str) -> dict:
        return {self.provider: id_token}

    def credentials(self, id_token: str | None = None, **params) -> dict:
        """GetId, then GetCredentialsForIdentity with the same logins (none: a guest)."""
        logins = self.logins(id_token) if id_token else {}
        identity_id = self.identity.get_id(IdentityPoolId=self.pool_id,
                                           Logins=logins)["IdentityId"]
        return self.identity.get_credentials_for_identity(IdentityId=identity_id,
                                                          Logins=logins, **params)

    def role_of(self, id_token: str | None = None, **params) -> str:
        """The role the call got, as /_emulator/credentials recorded it."""
        answer = self.credentials(id_token, **params)
        return self.recorded(answer["Credentials"]["AccessKeyId"])["RoleArn"]

    def recorded(self, access_key_id: str) -> dict:
        found = self.http.get("/_emulator/credentials",
                              params={"identityPoolId": self.pool_id}).json()["credentials"]
        [record] = [r for r in found if r["AccessKeyId"] == access_key_id]
        return record


@pytest.fixture
def rig(cognito, identity, http, make_pool):
    made = Rig(cognito, identity, http, make_pool(
        Schema=[{"Name": "dept", "AttributeDataType": "String", "Mutable": True}]))
    yield made
    identity.delete_identity_pool(IdentityPoolId=made.pool_id)


# --- the credentials ---------------------------------------------------------------------------

def test_guest_credentials_have_the_real_format_and_last_an_hour(rig, clock):
    rig.roles()
    now = clock.now()
    answer = rig.credentials()
    creds = answer["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["AccessKeyId"])
    assert len(creds["SecretKey"]) == 40
    assert len(creds["SessionToken"]) > 100
    assert isinstance(creds["Expiration"], datetime)
    assert now + 3600 - 5 <= creds["Expiration"].timestamp() <= now + 3600 + 5
    assert answer["IdentityId"].startswith("us-east-1:")


def test_each_call_gets_new_credentials_recorded_with_role_identity_and_provider(rig):
    rig.roles()
    token = rig.user()
    first, second = rig.credentials(token), rig.credentials(token)
    assert first["IdentityId"] == second["IdentityId"]
    assert first["Credentials"]["AccessKeyId"] != second["Credentials"]["AccessKeyId"]
    record = rig.recorded(first["Credentials"]["AccessKeyId"])
    assert record["IdentityPoolId"] == rig.pool_id
    assert record["IdentityId"] == first["IdentityId"]
    assert record["RoleArn"] == AUTH
    assert record["Providers"] == [rig.provider]
    assert record["Source"] == "local"
    assert record["Expiration"] - record["IssuedAt"] == pytest.approx(3600, abs=1)
    assert "SecretKey" not in record and "SessionToken" not in record
    by_identity = rig.http.get("/_emulator/credentials",
                               params={"identityId": first["IdentityId"]}).json()
    assert [r["AccessKeyId"] for r in by_identity["credentials"]] == [
        first["Credentials"]["AccessKeyId"], second["Credentials"]["AccessKeyId"]]


def test_a_guest_who_signs_in_keeps_the_identity_id(rig):
    rig.roles()
    guest = rig.credentials()
    signed_in = rig.identity.get_credentials_for_identity(
        IdentityId=guest["IdentityId"], Logins=rig.logins(rig.user()))
    assert signed_in["IdentityId"] == guest["IdentityId"]
    assert rig.recorded(guest["Credentials"]["AccessKeyId"])["RoleArn"] == UNAUTH
    assert rig.recorded(signed_in["Credentials"]["AccessKeyId"])["RoleArn"] == AUTH


def test_an_unknown_identity_id_is_not_found(identity):
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.get_credentials_for_identity(
            IdentityId="us-east-1:00000000-0000-4000-8000-000000000000")


# --- default roles, guests -----------------------------------------------------------------------

def test_without_a_mapping_guests_and_users_get_the_default_roles(rig):
    rig.roles()
    assert rig.role_of() == UNAUTH
    assert rig.role_of(rig.user(rig.group("admins", ADMIN, 1))) == AUTH


def test_guests_are_refused_once_the_pool_stops_allowing_them(rig):
    rig.roles()
    guest_id = rig.credentials()["IdentityId"]
    pool = rig.identity.describe_identity_pool(IdentityPoolId=rig.pool_id)
    del pool["ResponseMetadata"]
    rig.identity.update_identity_pool(**{**pool, "AllowUnauthenticatedIdentities": False})
    with pytest.raises(rig.identity.exceptions.NotAuthorizedException) as caught:
        rig.identity.get_credentials_for_identity(IdentityId=guest_id)
    assert error(caught)[1] == "Unauthenticated access is not supported for this identity pool."
    signed_in = rig.identity.get_credentials_for_identity(IdentityId=guest_id,
                                                          Logins=rig.logins(rig.user()))
    assert signed_in["Credentials"]["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize("which", ["unauthenticated", "authenticated"])
def test_a_missing_default_role_is_an_invalid_pool_configuration(rig, which):
    kept = {"authenticated": AUTH, "unauthenticated": UNAUTH}
    del kept[which]
    rig.roles(kept)
    token = rig.user() if which == "authenticated" else None
    with pytest.raises(rig.identity.exceptions.InvalidIdentityPoolConfigurationException) as caught:
        rig.credentials(token)
    assert error(caught)[1] == ("Invalid identity pool configuration. Check assigned IAM roles "
                                "for this pool.")
    other = "unauthenticated" if which == "authenticated" else "authenticated"
    assert rig.role_of(rig.user() if other == "authenticated" else None) == kept[other]


# --- Token mappings ------------------------------------------------------------------------------

def test_token_mapping_uses_the_preferred_role(rig):
    rig.roles(Type="Token", AmbiguousRoleResolution="Deny")
    token = rig.user(rig.group("admins", ADMIN, 1), rig.group("sales", SALES, 2))
    assert rig.role_of(token) == ADMIN


def test_token_mapping_custom_role_arn_picks_one_of_the_tokens_roles(rig):
    rig.roles(Type="Token", AmbiguousRoleResolution="Deny")
    token = rig.user(rig.group("admins", ADMIN, 1), rig.group("sales", SALES, 2))
    assert rig.role_of(token, CustomRoleArn=SALES) == SALES


def test_token_mapping_refuses_a_custom_role_arn_the_token_does_not_list(rig):
    rig.roles(Type="Token", AmbiguousRoleResolution="AuthenticatedRole")
    token = rig.user(rig.group("admins", ADMIN, 1))
    with pytest.raises(rig.identity.exceptions.NotAuthorizedException):
        rig.credentials(token, CustomRoleArn=READER)


def test_token_mapping_without_a_preferred_role_authenticated_role_resolution(rig):
    rig.roles(Type="Token", AmbiguousRoleResolution="AuthenticatedRole")
    tied = rig.user(rig.group("admins", ADMIN, 1), rig.group("sales", SALES, 1))
    assert rig.role_of(tied) == AUTH
    assert rig.role_of(rig.user()) == AUTH   # no roles at all


def test_token_mapping_without_a_preferred_role_deny_resolution(rig):
    rig.roles(Type="Token", AmbiguousRoleResolution="Deny")
    tied = rig.user(rig.group("admins", ADMIN, 1), rig.group("sales", SALES, 1))
    for token in (tied, rig.user()):
        with pytest.raises(rig.identity.exceptions.NotAuthorizedException) as caught:
            rig.credentials(token)
        assert error(caught)[1] == (f"The ambiguous role mapping rules for: {rig.mapping_key} "
                                    "denied this request.")
    assert rig.role_of(tied, CustomRoleArn=SALES) == SALES


# --- Rules mappings ------------------------------------------------------------------------------

def rules(*rules_, resolution="Deny") -> dict:
    return {"Type": "Rules", "AmbiguousRoleResolution": resolution,
            "RulesConfiguration": {"Rules": [
                {"Claim": claim, "MatchType": match, "Value": value, "RoleARN": role}
                for claim, match, value, role in rules_]}}


@pytest.mark.parametrize("match, value, hit, miss", [
    ("Equals", "Sales", "Sales", "Sales-EU"),
    ("Contains", "ale", "Sales", "Marketing"),
    ("StartsWith", "Sa", "Sales", "Resale"),
    ("NotEqual", "Sales", "Marketing", "Sales"),
])
def test_rules_each_match_type(rig, match, value, hit, miss):
    rig.roles(**rules(("custom:dept", match, value, SALES)))
    assert rig.role_of(rig.user(**{"custom:dept": hit})) == SALES
    with pytest.raises(rig.identity.exceptions.NotAuthorizedException):
        rig.credentials(rig.user(**{"custom:dept": miss}))


def test_rules_not_equal_is_not_evaluated_on_a_missing_claim(rig):
    rig.roles(**rules(("custom:dept", "NotEqual", "Sales", READER),
                      resolution="AuthenticatedRole"))
    assert rig.role_of(rig.user()) == AUTH
    assert rig.role_of(rig.user(**{"custom:dept": "Ops"})) == READER


def test_rules_match_a_member_of_a_list_claim(rig):
    rig.roles(**rules(("cognito:groups", "Contains", "admins", ADMIN),
                      ("cognito:groups", "Equals", "sales", SALES)))
    rig.group("admins", ADMIN, 1)
    rig.group("sales", SALES, 2)
    assert rig.role_of(rig.user("sales", "admins")) == ADMIN
    assert rig.role_of(rig.user("sales")) == SALES


def test_rules_first_matching_rule_wins_and_custom_role_arn_picks_another(rig):
    rig.roles(**rules(("email", "Contains", "@example.com", READER),
                      ("email", "StartsWith", "boss", ADMIN),
                      ("email", "Equals", "nobody@example.org", SALES)))
    token = rig.user(email="boss@example.com")
    assert rig.role_of(token) == READER
    assert rig.role_of(token, CustomRoleArn=ADMIN) == ADMIN
    with pytest.raises(rig.identity.exceptions.NotAuthorizedException):
        rig.credentials(token, CustomRoleArn=SALES)   # that rule doesn't match


def test_rules_no_match_authenticated_role_resolution(rig):
    rig.roles(**rules(("email", "Equals", "someone@example.com", ADMIN),
                      resolution="AuthenticatedRole"))
    assert rig.role_of(rig.user(email="other@example.com")) == AUTH
    assert rig.role_of(rig.user(email="someone@example.com")) == ADMIN


def test_rules_no_match_deny_resolution(rig):
    rig.roles(**rules(("email", "Equals", "someone@example.com", ADMIN)))
    with pytest.raises(rig.identity.exceptions.NotAuthorizedException) as caught:
        rig.credentials(rig.user(email="other@example.com"))
    assert error(caught)[1] == (f"The ambiguous role mapping rules for: {rig.mapping_key} "
                                "denied this request.")


def test_a_mapping_applies_to_logins_only_not_to_guests(rig):
    rig.roles(**rules(("email", "Equals", "someone@example.com", ADMIN)))
    assert rig.role_of() == UNAUTH


# --- an STS: moto_server -------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url():
    """moto_server on a free port (its STS and S3), stopped after the module."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H",
                             "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("moto_server did not start:\n" + log.read().decode()) from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


def _emulator(*args: str):
    """An emulator of its own (flags of this test), with boto3 and httpx pointed at it."""
    server = RunningServer(["--in-memory", "--log-level", "warning", *args])
    clients = [boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 1}))
               for service in ("cognito-idp", "cognito-identity")]
    return server, clients, httpx.Client(base_url=server.url, timeout=30)


def _as(creds: dict, service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretKey"],
                        aws_session_token=creds["SessionToken"])


@requires("moto_server")
def test_with_moto_as_the_sts_the_credentials_list_a_bucket_in_moto(moto_url):
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    bucket = unique_name("photos")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="cat.jpg", Body=b"meow")
    server, (cognito, identity), http = _emulator("--sts-endpoint", moto_url)
    with server, http:
        rig = Rig(cognito, identity, http,
                  cognito.create_user_pool(PoolName=unique_name("sts"))["UserPool"]["Id"])
        rig.roles()
        for token, role in ((rig.user(), "Cognito_Auth"), (None, "Cognito_Unauth")):
            creds = rig.credentials(token)["Credentials"]
            listed = _as(creds, "s3", moto_url).list_objects_v2(Bucket=bucket)
            assert [o["Key"] for o in listed["Contents"]] == ["cat.jpg"]
            who = _as(creds, "sts", moto_url).get_caller_identity()
            assert who["Arn"].endswith(f":assumed-role/{role}/CognitoIdentityCredentials")
            record = rig.recorded(creds["AccessKeyId"])
            assert record["Source"] == moto_url
            assert record["RoleArn"] == ROLE.format(role)


@requires("moto_server")
def test_an_sts_out_of_reach_is_an_external_service_error_naming_it():
    nowhere = f"http://127.0.0.1:{_free_port()}"
    server, (cognito, identity), http = _emulator("--sts-endpoint", nowhere)
    with server, http:
        rig = Rig(cognito, identity, http,
                  cognito.create_user_pool(PoolName=unique_name("sts"))["UserPool"]["Id"])
        rig.roles()
        with pytest.raises(identity.exceptions.ExternalServiceException) as caught:
            rig.credentials()
        assert error(caught)[1].startswith(f"The STS at {nowhere} could not be reached")
        assert http.get("/_emulator/credentials").json() == {"credentials": []}
