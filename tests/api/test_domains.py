"""User-pool domains (prefix and custom) through boto3 and the real server."""
import re
import uuid

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from emulator.domain import domains
from emulator.store.memory import MemoryStore
from tests.conftest import make_client
from tests.support.factories import error

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
MISSING_POOL = "us-east-1_nonexist0"
INVALID_PREFIX = ("The domain name contains an invalid character. Domain names can only contain "
                  "lower-case letters, numbers, and hyphens. Please enter a different name that "
                  "follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")


def fresh(stem: str = "login") -> str:
    """A domain prefix no other test uses (domains are unique across the server)."""
    return f"{stem}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def domain_of(cognito):
    """domain_of(pool_id, domain, **params) -> CreateUserPoolDomain answer; every domain made
    is deleted afterwards so that the pool fixtures can delete their pools."""
    made = []

    def create(pool_id, domain, **params):
        answer = cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain, **params)
        made.append((pool_id, domain))
        return answer
    yield create
    for pool_id, domain in made:
        try:
            cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
        except ClientError:
            pass  # the test deleted it already


def describe(cognito, domain):
    return cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"]


# --- prefix domains -------------------------------------------------------------------------

def test_prefix_domain_is_created_and_described(cognito, pool_id, domain_of):
    prefix = fresh()
    answer = domain_of(pool_id, prefix)
    assert answer["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in answer          # only custom domains get one
    description = describe(cognito, prefix)
    assert description["UserPoolId"] == pool_id
    assert description["Domain"] == prefix
    assert description["AWSAccountId"] == "000000000000"
    assert description["Status"] == "ACTIVE"
    assert description["ManagedLoginVersion"] == 1
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", description["CloudFrontDistribution"])
    assert description["S3Bucket"] == "aws-cognito-prod-iad-assets"
    assert re.fullmatch(r"\d{14}", description["Version"])
    assert "CustomDomainConfig" not in description
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == prefix
    assert "CustomDomain" not in pool


def test_unknown_domain_has_an_empty_description(cognito):
    assert describe(cognito, fresh("nobody")) == {}


@pytest.mark.parametrize("bad", ["Upper", "dots.in.prefix", "-leading", "trailing-", "a_b"])
def test_prefix_characters(cognito, pool_id, bad):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=bad)
    assert error(exc) == ("InvalidParameterException", INVALID_PREFIX)


@pytest.mark.parametrize("word", ["aws", "amazon", "cognito"])
def test_prefix_reserved_words(cognito, pool_id, word):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id,
                                        Domain=f"my{word}app-{uuid.uuid4().hex[:6]}")
    assert error(exc) == ("InvalidParameterException",
                          f"Domain cannot contain reserved word: {word}")


def test_domain_length_is_checked_by_the_model(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="a" * 64)
    code, message = error(exc)
    assert code == "InvalidParameterException"
    assert "Member must have length less than or equal to 63" in message


def test_prefix_taken_by_another_pool(cognito, pool_id, make_pool, domain_of):
    prefix = fresh()
    domain_of(pool_id, prefix)
    other = make_pool()
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=other, Domain=prefix)
    assert error(exc) == ("InvalidParameterException",
                          "Domain already associated with another user pool.")
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=other)["UserPool"]


def test_one_prefix_domain_per_pool(cognito, pool_id, domain_of):
    first = fresh()
    domain_of(pool_id, first)
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=fresh())
    assert error(exc) == ("InvalidParameterException", "User pool already has a domain configured.")
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == first


def test_create_in_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=MISSING_POOL, Domain=fresh())
    assert error(exc) == ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")


def test_prefix_domain_is_regional(endpoint, cognito, pool_id, domain_of):
    prefix = fresh()
    domain_of(pool_id, prefix)
    assert describe(cognito, prefix)["UserPoolId"] == pool_id  # found in its own region
    elsewhere = make_client(endpoint, region="eu-west-1")
    assert elsewhere.describe_user_pool_domain(Domain=prefix)["DomainDescription"] == {}


def test_routing_only_for_custom_domains(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(
            UserPoolId=pool_id, Domain=fresh(),
            Routing={"Failover": {"SecondaryRegion": "us-west-2",
                                  "PrimaryRoute53HealthCheckId": "abc"}})
    assert error(exc)[0] == "InvalidParameterException"


# --- custom domains -------------------------------------------------------------------------

def test_custom_domain(cognito, pool_id, domain_of):
    name = f"auth.{uuid.uuid4().hex[:8]}.example.com"
    answer = domain_of(pool_id, name, CustomDomainConfig={"CertificateArn": CERT},
                       ManagedLoginVersion=2)
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", answer["CloudFrontDomain"])
    assert answer["ManagedLoginVersion"] == 2
    description = describe(cognito, name)
    assert description["Domain"] == name
    assert description["CustomDomainConfig"] == {"CertificateArn": CERT}
    assert description["CloudFrontDistribution"] == answer["CloudFrontDomain"]
    assert description["ManagedLoginVersion"] == 2
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["CustomDomain"] == name


def test_prefix_and_custom_domain_side_by_side(cognito, pool_id, domain_of):
    prefix, name = fresh(), f"login.{uuid.uuid4().hex[:8]}.example.org"
    domain_of(pool_id, prefix)
    domain_of(pool_id, name, CustomDomainConfig={"CertificateArn": CERT})
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (pool["Domain"], pool["CustomDomain"]) == (prefix, name)
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=f"x.{name}",
                                        CustomDomainConfig={"CertificateArn": CERT})
    assert error(exc) == ("InvalidParameterException", "User pool already has a domain configured.")


@pytest.mark.parametrize("arn", [
    "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d",   # not us-east-1
    "arn:aws:iam::123456789012:server-certificate/x",             # not ACM
])
def test_custom_domain_needs_an_acm_certificate_in_us_east_1(cognito, pool_id, arn):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="auth.example.net",
                                        CustomDomainConfig={"CertificateArn": arn})
    assert error(exc) == ("InvalidParameterException", "The specified SSL certificate doesn't "
                          "exist, isn't in us-east-1 region, isn't valid, or doesn't include a "
                          "valid certificate chain.")
    assert describe(cognito, "auth.example.net") == {}


def test_custom_domain_certificate_is_required_by_the_model(cognito, unchecked, pool_id):
    params = {"UserPoolId": pool_id, "Domain": "auth.example.net", "CustomDomainConfig": {}}
    with pytest.raises(ParamValidationError) as exc:  # botocore refuses it before sending it
        cognito.create_user_pool_domain(**params)
    assert 'Missing required parameter in CustomDomainConfig: "CertificateArn"' in str(exc.value)
    # sent anyway, the server refuses it too
    with pytest.raises(ClientError) as exc:
        unchecked.create_user_pool_domain(**params)
    assert error(exc) == ("InvalidParameterException",
                          "1 validation error detected: Value null at "
                          "'customDomainConfig.certificateArn' failed to satisfy constraint: "
                          "Member must not be null")
    assert describe(cognito, "auth.example.net") == {}


@pytest.mark.parametrize("bad", ["localhostonly", "under_score.example.com", "a..b.com"])
def test_custom_domain_must_be_a_fqdn(cognito, pool_id, bad):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=bad,
                                        CustomDomainConfig={"CertificateArn": CERT})
    assert error(exc)[0] == "InvalidParameterException"


# --- managed login version ------------------------------------------------------------------

def test_managed_login_version_values(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=fresh(), ManagedLoginVersion=3)
    assert error(exc)[0] == "InvalidParameterException"


def test_lite_pools_have_no_managed_login(cognito, make_pool, domain_of):
    lite = make_pool(UserPoolTier="LITE")
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_domain(UserPoolId=lite, Domain=fresh(), ManagedLoginVersion=2)
    assert error(exc)[0] == "FeatureUnavailableInTierException"
    assert domain_of(lite, fresh())["ManagedLoginVersion"] == 1   # classic is fine


# --- update ---------------------------------------------------------------------------------

def test_update_version_and_certificate(cognito, pool_id, domain_of):
    prefix = fresh()
    domain_of(pool_id, prefix)
    answer = cognito.update_user_pool_domain(UserPoolId=pool_id, Domain=prefix,
                                             ManagedLoginVersion=2)
    assert answer["ManagedLoginVersion"] == 2
    assert describe(cognito, prefix)["ManagedLoginVersion"] == 2
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_domain(UserPoolId=pool_id, Domain=prefix,
                                        CustomDomainConfig={"CertificateArn": CERT})
    assert error(exc) == ("InvalidParameterException", "User pool should have a custom domain "
                          "associated, failed to update the certificate.")

    name = f"id.{uuid.uuid4().hex[:8]}.example.com"
    domain_of(pool_id, name, CustomDomainConfig={"CertificateArn": CERT})
    renewed = CERT.replace("0a1b2c3d", "99999999")
    answer = cognito.update_user_pool_domain(UserPoolId=pool_id, Domain=name,
                                             CustomDomainConfig={"CertificateArn": renewed})
    assert answer["CloudFrontDomain"] == describe(cognito, name)["CloudFrontDistribution"]
    assert describe(cognito, name)["CustomDomainConfig"]["CertificateArn"] == renewed
    assert describe(cognito, name)["ManagedLoginVersion"] == 1     # kept


def test_update_or_delete_someone_elses_domain(cognito, pool_id, make_pool, domain_of):
    prefix = fresh()
    domain_of(pool_id, prefix)
    other = make_pool()
    for call in (lambda: cognito.update_user_pool_domain(UserPoolId=other, Domain=prefix,
                                                         ManagedLoginVersion=2),
                 lambda: cognito.delete_user_pool_domain(UserPoolId=other, Domain=prefix),
                 lambda: cognito.delete_user_pool_domain(UserPoolId=other, Domain=fresh())):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("InvalidParameterException", "No such domain or user pool exists.")
    assert describe(cognito, prefix)["UserPoolId"] == pool_id


# --- delete ---------------------------------------------------------------------------------

def test_delete_frees_the_domain(cognito, pool_id, make_pool, domain_of):
    prefix = fresh()
    domain_of(pool_id, prefix)
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    assert describe(cognito, prefix) == {}
    assert "Domain" not in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    other = make_pool()
    domain_of(other, prefix)                       # free for anyone now
    assert describe(cognito, prefix)["UserPoolId"] == other


def test_pool_with_a_domain_cannot_be_deleted(cognito, new_pool):
    pool_id = new_pool()["Id"]
    prefix = fresh()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool(UserPoolId=pool_id)
    assert error(exc) == ("InvalidParameterException",
                          "User pool cannot be deleted. It has a domain configured that should "
                          "be deleted first.")
    assert describe(cognito, prefix)["UserPoolId"] == pool_id
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert describe(cognito, prefix) == {}


# --- look-ups the hosted pages use (domain layer, no server) --------------------------------

def test_lookup_by_domain_and_host():
    store = MemoryStore()
    store.put("pool", "", "us-east-1_abc", {"Id": "us-east-1_abc", "Domain": "shop",
                                            "CustomDomain": "login.shop.example"})
    prefix = {"poolId": "us-east-1_abc", "domain": "shop", "custom": False,
              "managedLoginVersion": 1}
    custom = {"poolId": "us-east-1_abc", "domain": "login.shop.example", "custom": True,
              "managedLoginVersion": 2, "cloudFrontDomain": "dabcdefghijklm.cloudfront.net"}
    store.put(domains.KIND, "", "shop", prefix)
    store.put(domains.KIND, "", "login.shop.example", custom)
    assert domains.by_domain(store, "shop") == prefix
    assert domains.by_domain(store, "nope") is None
    pool = store.get("pool", "", "us-east-1_abc")
    assert domains.for_pool(store, pool) == [prefix, custom]
    assert domains.by_host(store, "shop.auth.localhost:9229") == prefix
    assert domains.by_host(store, "SHOP.auth.localhost") == prefix
    assert domains.by_host(store, "shop.auth.us-east-1.amazoncognito.com") == prefix
    assert domains.by_host(store, "login.shop.example") == custom
    assert domains.by_host(store, "shop") is None                 # a bare prefix is no host
    assert domains.by_host(store, "127.0.0.1:9229") is None
    assert domains.by_host(store, "[::1]:9229") is None
    assert domains.hosted_ui_url(prefix, "us-east-1") == \
        "https://shop.auth.us-east-1.amazoncognito.com"
    assert domains.hosted_ui_url(custom, "us-east-1") == "https://login.shop.example"
