"""Point-in-time recovery through boto3: history made under the emulator's moved clock, the
preview, the restore, cancel and expiry, the write pause, and each refusal the model's
documentation describes."""
import time
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import (
    PASSWORD,
    attribute_list,
    attrs_of,
    create_user,
    delete_pool,
    error,
    password_client,
    unique_name,
)
from tests.support.factories import password_sign_in as sign_in

NEW_PASSWORD = "N3w-Passw0rd!"
RESTORE_ID = "00000000-0000-4000-8000-000000000000"
MINUTE, HOUR, DAY = 60, 3600, 86400


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def wait_while(cognito, pool_id, restore_id, status, timeout=30) -> dict:
    """Describe until the recovery leaves `status`; the Restoration."""
    deadline = time.time() + timeout
    while True:
        restoration = cognito.describe_point_in_time_recovery(
            UserPoolId=pool_id, RestoreId=restore_id)["Restoration"]
        if restoration["RestoreStatus"] != status:
            return restoration
        assert time.time() < deadline, restoration
        time.sleep(0.05)


def initiate(cognito, pool_id, when: float) -> dict:
    return cognito.initiate_point_in_time_recovery(UserPoolId=pool_id,
                                                   RestoreTimestamp=at(when))["Restoration"]


def previewed(cognito, pool_id, when: float) -> dict:
    restoration = initiate(cognito, pool_id, when)
    return wait_while(cognito, pool_id, restoration["RestoreId"], "PREVIEW_GENERATING")


def new_pool(cognito, **params) -> str:
    return cognito.create_user_pool(PoolName=unique_name("pitr"), **params)["UserPool"]["Id"]


@pytest.fixture
def pinned(clock):
    """The emulator clock, pinned to the current whole second (boto3 sends timestamps in
    whole seconds); the pinned epoch."""
    return clock.pin(float(int(time.time())))["now"]


@pytest.fixture
def made_pools(cognito):
    made = []
    yield made
    for pool_id in made:
        delete_pool(cognito, pool_id)


def member_names(cognito, pool_id, group) -> set[str]:
    return {u["Username"] for u in
            cognito.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]}


def group_names(cognito, pool_id) -> set[str]:
    return {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}


def preview_of(restoration) -> dict:
    return {p["Entity"]: (p["CreateCount"], p["UpdateCount"], p["DeleteCount"])
            for p in restoration["RestorePreview"]}


# --- the whole recovery ---------------------------------------------------------------------

def test_recovery_restores_users_groups_and_memberships(cognito, clock, pinned, made_pools):
    pool_id = new_pool(cognito, AliasAttributes=["email"])
    made_pools.append(pool_id)
    client_id = password_client(cognito, pool_id)["ClientId"]
    create_user(cognito, pool_id, "alice",
                attributes=attribute_list(email="alice@example.com", email_verified=True,
                                          given_name="Alice"))
    create_user(cognito, pool_id, "bob",
                attributes=attribute_list(email="bob@example.com", email_verified=True))
    create_user(cognito, pool_id, "carol")
    create_user(cognito, pool_id, "erin", permanent=False, temporary_password="Temp-Passw0rd!")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", Description="then")
    cognito.create_group(UserPoolId=pool_id, GroupName="staff", Description="the staff",
                         Precedence=3)
    for user, group in (("alice", "admins"), ("bob", "admins"), ("carol", "staff")):
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName=group)

    clock.advance(HOUR)
    point = pinned + 30 * MINUTE  # the recovery point: everything above, nothing below
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=attribute_list(given_name="Mallory"))
    cognito.admin_disable_user(UserPoolId=pool_id, Username="bob")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="bob")
    # bob's email now belongs to dave, who did not exist then.
    create_user(cognito, pool_id, "dave",
                attributes=attribute_list(email="bob@example.com", email_verified=True))
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="carol",
                                    Password=NEW_PASSWORD, Permanent=True)
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice",
                                         GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="dave", GroupName="admins")
    cognito.update_group(UserPoolId=pool_id, GroupName="admins", Description="now")
    cognito.delete_group(UserPoolId=pool_id, GroupName="staff")
    cognito.create_group(UserPoolId=pool_id, GroupName="newcomers")
    clock.advance(30 * MINUTE)
    now = clock.now()

    started = initiate(cognito, pool_id, point)
    assert started["RestoreStatus"] == "PREVIEW_GENERATING"
    assert started["RestoreTimestamp"] == at(point)
    assert started["TriggerTimestamp"] == at(now)
    assert "RestorePreview" not in started
    restore_id = started["RestoreId"]

    ready = wait_while(cognito, pool_id, restore_id, "PREVIEW_GENERATING")
    assert ready["RestoreStatus"] == "PREVIEW_GENERATED"
    # Users: bob back, alice reverted (carol changed only her password: kept), dave gone.
    # Groups: staff back, admins reverted (description, members), newcomers gone.
    assert preview_of(ready) == {"Users": (1, 1, 1), "Groups": (1, 1, 1),
                                 "User MFAs": (0, 0, 0)}

    # Writes pause; reads and sign-in go on.
    with pytest.raises(ClientError) as caught:
        create_user(cognito, pool_id, "frank")
    assert error(caught)[0] == "OperationNotEnabledException"
    with pytest.raises(ClientError) as caught:
        cognito.create_group(UserPoolId=pool_id, GroupName="blocked")
    assert error(caught)[0] == "OperationNotEnabledException"
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="alice"))[
        "given_name"] == "Mallory"
    assert "AuthenticationResult" in sign_in(cognito, client_id, "carol", NEW_PASSWORD)

    listed = cognito.list_point_in_time_recoveries(UserPoolId=pool_id)["Restorations"]
    assert listed == [{"RestoreId": restore_id, "RestoreStatus": "PREVIEW_GENERATED",
                       "RestoreTimestamp": at(point)}]

    running = cognito.start_point_in_time_recovery(UserPoolId=pool_id,
                                                   RestoreId=restore_id)["Restoration"]
    assert running["RestoreStatus"] in ("RESTORING", "RESTORE_COMPLETED")
    done = wait_while(cognito, pool_id, restore_id, "RESTORING")
    assert done["RestoreStatus"] == "RESTORE_COMPLETED"
    assert preview_of(done) == preview_of(ready)

    alice = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert attrs_of(alice)["given_name"] == "Alice"
    bob = cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    assert (bob["Enabled"], bob["UserStatus"]) == (True, "CONFIRMED")
    assert attrs_of(bob)["email"] == "bob@example.com"
    with pytest.raises(ClientError) as caught:
        cognito.admin_get_user(UserPoolId=pool_id, Username="dave")
    assert error(caught)[0] == "UserNotFoundException"
    # bob signs in with the password he had then, by his email alias too (the alias is his
    # again); carol keeps the password she set after the recovery point (model).
    assert "AuthenticationResult" in sign_in(cognito, client_id, "bob", PASSWORD)
    assert "AuthenticationResult" in sign_in(cognito, client_id, "bob@example.com", PASSWORD)
    assert "AuthenticationResult" in sign_in(cognito, client_id, "carol", NEW_PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id,
                                  Username="erin")["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    assert group_names(cognito, pool_id) == {"admins", "staff"}
    admins = cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]
    assert admins["Description"] == "then"
    staff = cognito.get_group(UserPoolId=pool_id, GroupName="staff")["Group"]
    assert (staff["Description"], staff["Precedence"]) == ("the staff", 3)
    assert member_names(cognito, pool_id, "admins") == {"alice", "bob"}
    assert member_names(cognito, pool_id, "staff") == {"carol"}
    assert [g["GroupName"] for g in cognito.admin_list_groups_for_user(
        UserPoolId=pool_id, Username="bob")["Groups"]] == ["admins"]

    # Writes resume; one recovery of a pool completes in 24 hours.
    create_user(cognito, pool_id, "frank")
    clock.advance(20 * MINUTE)
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, point)
    assert error(caught)[0] == "LimitExceededException"


def test_a_recovery_reverts_the_restore_point_history_too(cognito, clock, pinned, made_pools):
    """The restore's own writes are history: a user deleted and brought back by a recovery
    reads as it was, and the attributes of the restored user come from the recovery point."""
    pool_id = new_pool(cognito, UserPoolTier="PLUS")
    made_pools.append(pool_id)
    create_user(cognito, pool_id, "gina", attributes=attribute_list(given_name="One"))
    clock.advance(HOUR)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="gina",
                                         UserAttributes=attribute_list(given_name="Two"))
    clock.advance(HOUR)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="gina",
                                         UserAttributes=attribute_list(given_name="Three"))
    clock.advance(HOUR)
    ready = previewed(cognito, pool_id, pinned + 90 * MINUTE)
    assert preview_of(ready)["Users"] == (0, 1, 0)
    cognito.start_point_in_time_recovery(UserPoolId=pool_id, RestoreId=ready["RestoreId"])
    done = wait_while(cognito, pool_id, ready["RestoreId"], "RESTORING")
    assert done["RestoreStatus"] == "RESTORE_COMPLETED"
    gina = cognito.admin_get_user(UserPoolId=pool_id, Username="gina")
    assert attrs_of(gina)["given_name"] == "Two"


# --- cancel and expiry ------------------------------------------------------------------------

def test_cancel_discards_the_preview_and_resumes_writes(cognito, clock, pinned, made_pools):
    pool_id = new_pool(cognito)
    made_pools.append(pool_id)
    create_user(cognito, pool_id, "henry")
    clock.advance(HOUR)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="henry")
    ready = previewed(cognito, pool_id, pinned + MINUTE)
    assert preview_of(ready)["Users"] == (1, 0, 0)
    restore_id = ready["RestoreId"]

    cancelled = cognito.cancel_point_in_time_recovery(UserPoolId=pool_id,
                                                      RestoreId=restore_id)["Restoration"]
    assert cancelled["RestoreStatus"] == "PREVIEW_CANCELLED"
    assert "RestorePreview" not in cancelled
    described = cognito.describe_point_in_time_recovery(UserPoolId=pool_id,
                                                        RestoreId=restore_id)["Restoration"]
    assert described["RestoreStatus"] == "PREVIEW_CANCELLED"
    # Nothing changed, and writes go on.
    with pytest.raises(ClientError) as caught:
        cognito.admin_get_user(UserPoolId=pool_id, Username="henry")
    assert error(caught)[0] == "UserNotFoundException"
    create_user(cognito, pool_id, "ivy")

    for call in (cognito.start_point_in_time_recovery, cognito.cancel_point_in_time_recovery):
        with pytest.raises(ClientError) as caught:
            call(UserPoolId=pool_id, RestoreId=restore_id)
        assert error(caught)[0] == "ConcurrentModificationException"


def test_a_preview_expires_after_24_hours(cognito, clock, pinned, made_pools):
    pool_id = new_pool(cognito)
    made_pools.append(pool_id)
    create_user(cognito, pool_id, "jack")
    clock.advance(HOUR)
    ready = previewed(cognito, pool_id, pinned + MINUTE)
    clock.advance(DAY - 1)
    assert wait_while(cognito, pool_id, ready["RestoreId"],
                      "PREVIEW_GENERATING")["RestoreStatus"] == "PREVIEW_GENERATED"
    with pytest.raises(ClientError) as caught:
        create_user(cognito, pool_id, "kate")
    assert error(caught)[0] == "OperationNotEnabledException"
    clock.advance(1)
    expired = cognito.describe_point_in_time_recovery(
        UserPoolId=pool_id, RestoreId=ready["RestoreId"])["Restoration"]
    assert expired["RestoreStatus"] == "PREVIEW_EXPIRED"
    create_user(cognito, pool_id, "kate")
    with pytest.raises(ClientError) as caught:
        cognito.start_point_in_time_recovery(UserPoolId=pool_id, RestoreId=ready["RestoreId"])
    assert error(caught)[0] == "ConcurrentModificationException"


# --- refusals ---------------------------------------------------------------------------------

def test_the_recovery_point_must_be_15_minutes_old_and_not_before_the_pool(cognito, clock,
                                                                         pinned, made_pools):
    pool_id = new_pool(cognito)
    made_pools.append(pool_id)
    created = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["CreationDate"]
    clock.advance(HOUR)
    now = clock.now()
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, now - 15 * MINUTE + 1)
    assert error(caught) == ("InvalidParameterException",
                             "RestoreTimestamp must be at least 15 minutes in the past.")
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, created.timestamp() - 1)
    assert error(caught)[0] == "InvalidParameterException"
    ready = previewed(cognito, pool_id, now - 15 * MINUTE)
    assert ready["RestoreStatus"] == "PREVIEW_GENERATED"
    assert preview_of(ready) == {"Users": (0, 0, 0), "Groups": (0, 0, 0),
                                 "User MFAs": (0, 0, 0)}


@pytest.mark.parametrize(("tier", "days"), [("ESSENTIALS", 1), ("PLUS", 14)])
def test_the_recovery_period_follows_the_feature_plan(cognito, clock, pinned, made_pools,
                                                      tier, days):
    pool_id = new_pool(cognito, UserPoolTier=tier)
    made_pools.append(pool_id)
    clock.advance(20 * DAY)
    now = clock.now()
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, now - days * DAY - 1)
    assert error(caught)[0] == "InvalidParameterException"
    assert previewed(cognito, pool_id, now - days * DAY)["RestoreStatus"] == "PREVIEW_GENERATED"


def test_the_lite_plan_has_no_recovery(cognito, clock, pinned, made_pools):
    pool_id = new_pool(cognito, UserPoolTier="LITE")
    made_pools.append(pool_id)
    clock.advance(HOUR)
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, pinned + MINUTE)
    assert error(caught)[0] == "FeatureUnavailableInTierException"


def test_one_active_recovery_and_three_previews_a_day(cognito, clock, pinned, made_pools):
    pool_id = new_pool(cognito)
    made_pools.append(pool_id)
    clock.advance(HOUR)
    first = previewed(cognito, pool_id, pinned + MINUTE)
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, pinned + MINUTE)
    assert error(caught)[0] == "ConcurrentModificationException"
    ids = [first["RestoreId"]]
    cognito.cancel_point_in_time_recovery(UserPoolId=pool_id, RestoreId=first["RestoreId"])
    for _ in range(2):  # the second and third preview of the day
        clock.advance(1)
        restoration = initiate(cognito, pool_id, pinned + MINUTE)
        ids.append(restoration["RestoreId"])
        cognito.cancel_point_in_time_recovery(UserPoolId=pool_id,
                                              RestoreId=restoration["RestoreId"])
    with pytest.raises(ClientError) as caught:
        initiate(cognito, pool_id, pinned + MINUTE)
    assert error(caught)[0] == "LimitExceededException"

    # Most recent first, paginated.
    page = cognito.list_point_in_time_recoveries(UserPoolId=pool_id, MaxResults=2)
    assert [r["RestoreId"] for r in page["Restorations"]] == ids[::-1][:2]
    rest = cognito.list_point_in_time_recoveries(UserPoolId=pool_id,
                                                 NextToken=page["NextToken"])
    assert [r["RestoreId"] for r in rest["Restorations"]] == ids[:1]
    assert "NextToken" not in rest


def test_unknown_recoveries_and_pools(cognito, made_pools):
    pool_id = new_pool(cognito)
    made_pools.append(pool_id)
    for call in (cognito.describe_point_in_time_recovery, cognito.start_point_in_time_recovery,
                 cognito.cancel_point_in_time_recovery):
        with pytest.raises(ClientError) as caught:
            call(UserPoolId=pool_id, RestoreId=RESTORE_ID)
        assert error(caught)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        cognito.list_point_in_time_recoveries(UserPoolId="us-east-1_nopool")
    assert error(caught)[0] == "ResourceNotFoundException"
