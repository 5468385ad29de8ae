"""Get/UpdateProvisionedLimit through boto3: the API categories of the quotas page with their
default rates, updates kept per account and Region and read back, and every refusal (below
the default, above the account maximum, a category that isn't adjustable, unknown names).
The emulator records limits; it doesn't throttle."""
import uuid

import boto3
import pytest
from botocore.config import Config

from tests.conftest import REGION, make_client
from tests.support.factories import error

# The default (free) rates of the quotas page, as Service Quotas lists them.
DEFAULTS = {"UserAuthentication": 120, "UserCreation": 50, "UserFederation": 25,
            "UserAccountRecovery": 30, "UserRead": 120, "UserUpdate": 25, "UserToken": 120,
            "UserResourceRead": 50, "UserResourceUpdate": 25, "UserList": 30,
            "UserPoolRead": 15, "UserPoolUpdate": 15, "UserPoolResourceRead": 20,
            "UserPoolResourceUpdate": 15, "UserPoolClientRead": 15, "UserPoolClientUpdate": 15,
            "ClientAuthentication": 150}
# Each test provisions in an account of its own, so the suite's order doesn't matter.


def definition(category: str) -> dict:
    return {"LimitClass": "API_CATEGORY", "Attributes": {"Category": category}}


def client_for(endpoint: str, key: str, region: str = REGION):
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def key() -> str:
    """A 12-digit access key id: it names an account no other test uses (sigv4.account_for)."""
    return str(uuid.uuid4().int)[:12]


@pytest.fixture
def account(endpoint, key):
    return client_for(endpoint, key)


def test_every_category_starts_at_its_default(account):
    for category, rate in DEFAULTS.items():
        limit = account.get_provisioned_limit(LimitDefinition=definition(category))["Limit"]
        assert limit == {"LimitDefinition": definition(category),
                         "ProvisionedLimitValue": rate, "FreeLimitValue": rate}, category


def test_update_is_read_back_per_account_and_region(account, endpoint, key):
    updated = account.update_provisioned_limit(LimitDefinition=definition("UserCreation"),
                                               RequestedLimitValue=80)["Limit"]
    assert (updated["ProvisionedLimitValue"], updated["FreeLimitValue"]) == (80, 50)
    read = account.get_provisioned_limit(LimitDefinition=definition("UserCreation"))["Limit"]
    assert read == updated
    # Another Region of the same account, and another account, keep the default.
    west = client_for(endpoint, key, "eu-west-1")
    other = make_client(endpoint)
    for client in (west, other):
        limit = client.get_provisioned_limit(LimitDefinition=definition("UserCreation"))
        assert limit["Limit"]["ProvisionedLimitValue"] == 50
    # Back to the default: the provision is gone.
    account.update_provisioned_limit(LimitDefinition=definition("UserCreation"),
                                     RequestedLimitValue=50)
    read = account.get_provisioned_limit(LimitDefinition=definition("UserCreation"))["Limit"]
    assert read["ProvisionedLimitValue"] == 50


def test_update_stays_between_the_default_and_the_account_maximum(account):
    update = account.update_provisioned_limit
    # UserToken: default 120, maximum 1200 (ten times the default, UNCONFIRMED).
    assert update(LimitDefinition=definition("UserToken"),
                  RequestedLimitValue=1200)["Limit"]["ProvisionedLimitValue"] == 1200
    assert update(LimitDefinition=definition("UserToken"),
                  RequestedLimitValue=120)["Limit"]["ProvisionedLimitValue"] == 120
    for value, code in ((1201, "ServiceQuotaExceededException"),
                        (119, "InvalidParameterException"),
                        (-1, "InvalidParameterException")):
        with pytest.raises(account.exceptions.ClientError) as refused:
            update(LimitDefinition=definition("UserToken"), RequestedLimitValue=value)
        assert error(refused)[0] == code, value
    read = account.get_provisioned_limit(LimitDefinition=definition("UserToken"))["Limit"]
    assert read["ProvisionedLimitValue"] == 120


def test_only_adjustable_categories_take_a_provision(account):
    with pytest.raises(account.exceptions.ClientError) as refused:
        account.update_provisioned_limit(LimitDefinition=definition("UserList"),
                                         RequestedLimitValue=40)
    assert error(refused) == ("InvalidParameterException",
                              "The UserList category is not adjustable.")
    for category in ("UserAuthentication", "UserFederation", "UserRead", "UserResourceRead"):
        rate = DEFAULTS[category] + 1
        limit = account.update_provisioned_limit(LimitDefinition=definition(category),
                                                 RequestedLimitValue=rate)["Limit"]
        assert limit["ProvisionedLimitValue"] == rate, category


def test_unknown_limit_definitions_are_refused(account):
    bad = [{"LimitClass": "API_CATEGORY", "Attributes": {"Category": "UserTeleport"}},
           {"LimitClass": "API_CATEGORY", "Attributes": {}},
           {"LimitClass": "API_CATEGORY", "Attributes": {"Category": "UserRead", "Pool": "x"}},
           {"LimitClass": "API_CATEGORY", "Attributes": {"category": "UserRead"}}]
    for limit_definition in bad:
        for call in (lambda d: account.get_provisioned_limit(LimitDefinition=d),
                     lambda d: account.update_provisioned_limit(LimitDefinition=d,
                                                                RequestedLimitValue=200)):
            with pytest.raises(account.exceptions.ClientError) as refused:
                call(limit_definition)
            assert error(refused)[0] == "InvalidParameterException", limit_definition
