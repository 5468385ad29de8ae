"""Everything written to a --data-dir survives a restart of the emulator."""
from tests.conftest import make_client
from tests.support.server import RunningServer


def attrs_of(user: dict) -> dict:
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_state_survives_restart(tmp_path):
    args = ["--data-dir", str(tmp_path / "data"), "--log-level", "warning"]
    with RunningServer(args) as first:
        c = make_client(first.url)
        pool = c.create_user_pool(PoolName="durable", AliasAttributes=["email"])["UserPool"]
        pool_id = pool["Id"]
        client = c.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]
        c.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                            UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                            {"Name": "email_verified", "Value": "true"}])
        c.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
        c.admin_set_user_password(UserPoolId=pool_id, Username="bob",
                                  Password="Passw0rd!Strong", Permanent=True)
        c.admin_disable_user(UserPoolId=pool_id, Username="bob")
        c.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
        c.create_group(UserPoolId=pool_id, GroupName="users")
        c.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
        before_alice = c.admin_get_user(UserPoolId=pool_id, Username="alice")
        before_groups = c.list_groups(UserPoolId=pool_id)["Groups"]

    with RunningServer(args) as second:
        c = make_client(second.url)
        described = c.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        assert described["Name"] == "durable" and described["AliasAttributes"] == ["email"]
        assert [p["Id"] for p in c.list_user_pools(MaxResults=60)["UserPools"]] == [pool_id]
        again = c.describe_user_pool_client(UserPoolId=pool_id,
                                            ClientId=client["ClientId"])["UserPoolClient"]
        assert again["ClientName"] == "app"

        alice = c.admin_get_user(UserPoolId=pool_id, Username="alice")
        assert attrs_of(alice) == attrs_of(before_alice)
        assert alice["UserCreateDate"] == before_alice["UserCreateDate"]
        # The alias index came back too.
        assert c.admin_get_user(UserPoolId=pool_id,
                                Username="alice@example.com")["Username"] == "alice"
        bob = c.admin_get_user(UserPoolId=pool_id, Username="bob")
        assert bob["UserStatus"] == "CONFIRMED" and bob["Enabled"] is False
        assert [u["Username"] for u in c.list_users(UserPoolId=pool_id)["Users"]] == \
            ["alice", "bob"]

        assert c.list_groups(UserPoolId=pool_id)["Groups"] == before_groups
        assert [g["GroupName"] for g in c.admin_list_groups_for_user(
            UserPoolId=pool_id, Username="alice")["Groups"]] == ["admins"]
        assert [u["Username"] for u in c.list_users_in_group(
            UserPoolId=pool_id, GroupName="admins")["Users"]] == ["alice"]
