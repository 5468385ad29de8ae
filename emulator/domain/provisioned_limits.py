"""Provisioned API rate limits (GetProvisionedLimit, UpdateProvisionedLimit).

The model knows one limit class, API_CATEGORY, whose Attributes name the category
({"Category": "UserAuthentication"}). Limits belong to the account in one Region (the quotas
page: a category's rate is shared by all user pools of the account in the Region), so the
operations take no UserPoolId. The default (free) rates are those of the quotas page
("Amazon Cognito user pools API operation categories and request rate quotas", as Service
Quotas lists them); the adjustable categories are the ones Service Quotas marks adjustable.

The emulator records the limit and does not throttle: answering TooManyRequestsException
would need every operation mapped to its category and a clock-driven rate count per account,
and would make test suites flaky for no gain. (Not cheap to honour, so not honoured.)

Record: kind "provisioned_limit", scope = account id, key "<region>/<category>",
{"value": <provisioned RPS>}; no record = the default.

Choices the documentation leaves open, UNCONFIRMED:
- The account-level maximum (Service Quotas) is taken as ten times the default rate;
  above it is ServiceQuotaExceededException, below the default InvalidParameterException.
- An unknown category, a missing Category or any other attribute is InvalidParameterException,
  as is an update of a category that isn't adjustable (Get reads every category).
- Setting the default again removes the provision.
- "Managed login user pools don't support adjustments to the UserAuthentication or
  UserFederation categories" is not enforced (which pools count is not said).
"""
from ..errors import CognitoError, invalid

KIND = "provisioned_limit"
LIMIT_CLASS = "API_CATEGORY"
CATEGORY = "Category"
MAXIMUM_FACTOR = 10  # the account-level maximum, as a multiple of the default (UNCONFIRMED)
# category -> (default requests per second, adjustable)
CATEGORIES: dict[str, tuple[int, bool]] = {
    "UserAuthentication": (120, True),
    "UserCreation": (50, True),
    "UserFederation": (25, True),
    "UserAccountRecovery": (30, False),
    "UserRead": (120, True),
    "UserUpdate": (25, False),
    "UserToken": (120, True),
    "UserResourceRead": (50, True),
    "UserResourceUpdate": (25, False),
    "UserList": (30, False),
    "UserPoolRead": (15, False),
    "UserPoolUpdate": (15, False),
    "UserPoolResourceRead": (20, False),
    "UserPoolResourceUpdate": (15, False),
    "UserPoolClientRead": (15, False),
    "UserPoolClientUpdate": (15, False),
    "ClientAuthentication": (150, False),
}


def _category(definition: dict) -> str:
    attributes = definition["Attributes"]
    if set(attributes) != {CATEGORY}:
        raise invalid(f"LimitDefinition Attributes for {LIMIT_CLASS} take exactly one key, "
                      f"{CATEGORY}.")
    category = attributes[CATEGORY]
    if category not in CATEGORIES:
        raise invalid(f"Unknown API category {category}. Valid categories: "
                      f"{', '.join(CATEGORIES)}.")
    return category


def _limit(category: str, value: int) -> dict:
    return {"LimitDefinition": {"LimitClass": LIMIT_CLASS, "Attributes": {CATEGORY: category}},
            "ProvisionedLimitValue": value, "FreeLimitValue": CATEGORIES[category][0]}


def get(store, account: str, region: str, definition: dict) -> dict:
    """LimitType of the category the definition names."""
    category = _category(definition)
    record = store.get(KIND, account, f"{region}/{category}")
    return _limit(category, record["value"] if record else CATEGORIES[category][0])


def update(store, account: str, region: str, definition: dict, value: int) -> dict:
    """Provision `value` RPS for the category: between its default and the account maximum."""
    category = _category(definition)
    default, adjustable = CATEGORIES[category]
    if not adjustable:
        raise invalid(f"The {category} category is not adjustable.")
    if value < default:
        raise invalid(f"RequestedLimitValue {value} is below the default limit {default} of "
                      f"{category}.")
    maximum = default * MAXIMUM_FACTOR
    if value > maximum:
        raise CognitoError("ServiceQuotaExceededException",
                           f"RequestedLimitValue {value} is above the account-level maximum "
                           f"{maximum} of {category}.")
    key = f"{region}/{category}"
    if value == default:
        store.delete(KIND, account, key)
    else:
        store.put(KIND, account, key, {"value": value})
    return _limit(category, value)
