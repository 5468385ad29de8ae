"""cognito_snapshot: a fixture state built once (here a pool of 20 users), restored before
each test that asks for it, so every test starts from it whatever the others changed."""
import pytest


@pytest.fixture
def cognito_snapshot_setup(cognito_idp):
    pool_id = cognito_idp.create_user_pool(PoolName="snapshot-fixture")["UserPool"]["Id"]
    for i in range(20):
        cognito_idp.admin_create_user(UserPoolId=pool_id, Username=f"user{i:02d}",
                                      MessageAction="SUPPRESS")
    return {"pool_id": pool_id}


def _state(idp, pool_id):
    pools = [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    users = [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]
    return pools, users


@pytest.mark.parametrize("round", [1, 2, 3])
def test_each_test_starts_from_the_snapshot(cognito_snapshot, cognito_idp, round):
    pool_id = cognito_snapshot["pool_id"]
    assert _state(cognito_idp, pool_id) == (["snapshot-fixture"],
                                            [f"user{i:02d}" for i in range(20)])
    # Changes that the next test must not see.
    cognito_idp.admin_delete_user(UserPoolId=pool_id, Username="user00")
    cognito_idp.admin_create_user(UserPoolId=pool_id, Username=f"extra{round}",
                                  MessageAction="SUPPRESS")
    cognito_idp.create_user_pool(PoolName=f"later{round}")
