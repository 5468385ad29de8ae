"""The outbox: what the pool would send, readable over HTTP and in the log (passwords excepted)."""
import time

import httpx

from tests.conftest import make_client
from tests.support.server import RunningServer


def test_messages_are_logged_and_filterable():
    with RunningServer(["--in-memory", "--log-level", "info"]) as srv:
        c = make_client(srv.url)
        pool_id = c.create_user_pool(PoolName="outbox",
                                     AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = c.create_user_pool_client(UserPoolId=pool_id,
                                              ClientName="app")["UserPoolClient"]["ClientId"]
        c.admin_create_user(UserPoolId=pool_id, Username="olga", TemporaryPassword="Temp-Passw0rd!",
                            DesiredDeliveryMediums=["EMAIL"],
                            UserAttributes=[{"Name": "email", "Value": "olga@example.com"}])
        c.sign_up(ClientId=client_id, Username="pete", Password="Passw0rd!",
                  UserAttributes=[{"Name": "email", "Value": "pete@example.com"}])

        msgs = httpx.get(srv.url + "/_emulator/messages",
                         params={"poolId": pool_id}).json()["messages"]
        assert {m["purpose"] for m in msgs} == {"TEMPORARY_PASSWORD", "SIGN_UP"}
        invite = httpx.get(srv.url + "/_emulator/messages",
                           params={"username": "olga",
                                   "purpose": "TEMPORARY_PASSWORD"}).json()["messages"]
        assert len(invite) == 1 and "Temp-Passw0rd!" in invite[0]["message"]
        assert invite[0]["destination"] == "olga@example.com" and invite[0]["medium"] == "EMAIL"
        signup = httpx.get(srv.url + "/_emulator/messages",
                           params={"username": "pete", "medium": "EMAIL"}).json()["messages"]
        assert len(signup) == 1 and signup[0]["code"].isdigit()
        assert httpx.get(srv.url + "/_emulator/messages",
                         params={"poolId": "us-east-1_nothere1"}).json()["messages"] == []

        deadline = time.time() + 5
        while "pete" not in srv.output() and time.time() < deadline:
            time.sleep(0.05)
        log = srv.output()
    assert "outbox SIGN_UP EMAIL to pete@example.com" in log and signup[0]["code"] in log
    assert "outbox TEMPORARY_PASSWORD EMAIL to olga@example.com" in log
    assert "Temp-Passw0rd!" not in log and "Passw0rd!" not in log
