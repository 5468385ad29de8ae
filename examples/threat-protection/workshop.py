"""Threat protection workshop: a sign-in story against the Cognito emulator.

    python examples/threat-protection/workshop.py --endpoint http://127.0.0.1:9229

Uses boto3 for the Cognito API, exactly as against AWS, plus two emulator-only endpoints
through urllib: GET /_emulator/health (is it the emulator?) and POST /_emulator/clock
(move time forward instead of waiting an hour). README.md tells the story.

Steps (each printed as "Step N" with its outcome and the recorded event):
  1-2. audit-only: Alice signs in at home (London, her laptop), and again the next day
                                                                   -> signed in, no risk
  3. an hour later a new phone in the US signs in as Alice        -> signed in, HIGH risk
  4. Alice says it wasn't her: the admin marks that event Invalid
  5. the admin switches the pool to full-function (High -> BLOCK)
  6. ten minutes later the same phone tries again                 -> BLOCKED
  7. Alice at home again                                          -> signed in
  8. two days later, travelling, she signs in on a new tablet in Sweden -> BLOCKED (high)
  9. the helpdesk checks with her and marks that event Valid
 10. she tries again from the same tablet                         -> signed in, no risk
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Addresses of the emulator's built-in workshop geo table (emulator/domain/risk_config.py,
# WORKSHOP_GEO): CIDR -> city, country and coordinates, offline.
HOME = {"ip": "81.2.69.142", "place": "London, GB"}
ABROAD = {"ip": "216.160.83.56", "place": "Milton, US"}
TRIP = {"ip": "89.160.20.112", "place": "Linköping, SE"}

# EncodedData is the device fingerprint; the emulator treats it as an opaque device id, so
# the same string is the same device (a browser would send what the Amplify / amazon-cognito-
# advanced-security-data collector produces).
LAPTOP = {"data": "workshop-device:alice-laptop", "agent": "Firefox 128, Linux"}
PHONE = {"data": "workshop-device:unknown-phone", "agent": "Chrome 125, Android 14"}
TABLET = {"data": "workshop-device:alice-tablet", "agent": "Safari 17, iPadOS 17"}

PASSWORD = "Workshop-Passw0rd!"
ACTIONS = {"LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
           "MediumAction": {"Notify": False, "EventAction": "MFA_IF_CONFIGURED"},
           "HighAction": {"Notify": False, "EventAction": "BLOCK"}}


class Emulator:
    """The emulator-only endpoints the workshop uses."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")

    def _call(self, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data,
                                         headers={"Content-Type": "application/json"},
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def check(self) -> None:
        try:
            self._call("/_emulator/health")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            sys.exit(f"No Cognito emulator at {self.endpoint} ({exc}).\n"
                     f"Start one with: scripts/serve --in-memory")

    def now(self) -> float:
        return self._call("/_emulator/clock")["now"]

    def advance(self, seconds: float) -> None:
        self._call("/_emulator/clock", {"advance": seconds})


def span(seconds: float) -> str:
    """3 d 1 h 25 min"""
    minutes = round(seconds / 60)
    parts = [(minutes // 1440, "d"), (minutes // 60 % 24, "h"), (minutes % 60, "min")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 min"


def utc(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))


class Workshop:
    def __init__(self, endpoint: str, region: str):
        self.emu = Emulator(endpoint)
        self.emu.check()
        self.idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region,
                                aws_access_key_id="workshop", aws_secret_access_key="workshop",
                                config=Config(retries={"max_attempts": 1}))
        self.step = 0
        self.moved = 0.0

    # --- setup ------------------------------------------------------------------------------

    def setup(self) -> None:
        # Threat protection needs the Plus feature plan; it starts in audit-only mode.
        self.pool_id = self.idp.create_user_pool(
            PoolName=f"threat-protection-workshop-{uuid.uuid4().hex[:6]}",
            UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
        )["UserPool"]["Id"]
        # A back-end app: AdminInitiateAuth passes the visitor's IP, headers and device
        # fingerprint in ContextData.
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="shop-backend",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        # What full-function will do per risk level (audit-only records it, does nothing).
        self.idp.set_risk_configuration(UserPoolId=self.pool_id,
                                        AccountTakeoverRiskConfiguration={"Actions": ACTIONS})
        self.username = "alice"
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=self.username,
                                   MessageAction="SUPPRESS",
                                   UserAttributes=[{"Name": "email",
                                                    "Value": "alice@example.com"},
                                                   {"Name": "email_verified", "Value": "true"}])
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=self.username,
                                         Password=PASSWORD, Permanent=True)
        print(f"Pool {self.pool_id} (threat protection AUDIT, plan PLUS), "
              f"client {self.client_id}, user {self.username}")
        print("Risk configuration: Low -> NO_ACTION, Medium -> MFA_IF_CONFIGURED, High -> BLOCK")

    # --- helpers ----------------------------------------------------------------------------

    def later(self, seconds: float, words: str) -> None:
        self.emu.advance(seconds)
        self.moved += seconds
        print(f"\n... {words} (emulator clock +{span(seconds)})")

    def header(self, text: str) -> None:
        self.step += 1
        print(f"\nStep {self.step} [{utc(self.emu.now())}] {text}")

    def sign_in(self, text: str, place: dict, device: dict) -> str:
        self.header(f"{text}: {place['place']} ({place['ip']}), {device['agent']}")
        try:
            out = self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id, ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": self.username, "PASSWORD": PASSWORD},
                ContextData={"IpAddress": place["ip"], "ServerName": "shop.example.com",
                             "ServerPath": "/login",
                             "HttpHeaders": [{"headerName": "User-Agent",
                                              "headerValue": device["agent"]}],
                             "EncodedData": device["data"]})
        except ClientError as exc:
            err = exc.response["Error"]
            outcome = "BLOCKED"
            print(f"  outcome: BLOCKED ({err['Code']}: {err['Message']})")
        else:
            if "AuthenticationResult" in out:
                outcome = "SIGNED IN"
                print("  outcome: SIGNED IN (tokens issued)")
            else:
                outcome = f"CHALLENGE {out.get('ChallengeName')}"
                print(f"  outcome: {outcome}")
        self.print_event(self.latest())
        return outcome

    def events(self) -> list[dict]:
        return self.idp.admin_list_user_auth_events(UserPoolId=self.pool_id,
                                                    Username=self.username)["AuthEvents"]

    def latest(self) -> dict:
        return self.events()[0]

    @staticmethod
    def describe(event: dict) -> str:
        risk = event.get("EventRisk") or {}
        where = event.get("EventContextData") or {}
        place = ", ".join(p for p in (where.get("City"), where.get("Country")) if p)
        feedback = (event.get("EventFeedback") or {}).get("FeedbackValue")
        return (f"{event['EventType']} {event['EventResponse']}, "
                f"risk {risk.get('RiskLevel') or 'none'} ({risk.get('RiskDecision')}), "
                f"{where.get('IpAddress')} {place}"
                + (f", feedback {feedback}" if feedback else ""))

    def print_event(self, event: dict) -> None:
        print(f"  event:   {self.describe(event)}")

    def feedback(self, event: dict, value: str, why: str) -> None:
        self.header(f"{why}: the admin marks event {event['EventId']} {value}")
        self.idp.admin_update_auth_event_feedback(UserPoolId=self.pool_id,
                                                  Username=self.username,
                                                  EventId=event["EventId"], FeedbackValue=value)
        print(f"  feedback: {value}")

    def enforce(self) -> None:
        self.header("the admin switches threat protection to full-function (ENFORCED)")
        # UpdateUserPool replaces the pool's settings: keep the Plus plan in the call.
        self.idp.update_user_pool(UserPoolId=self.pool_id, UserPoolTier="PLUS",
                                  UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
        mode = self.idp.describe_user_pool(UserPoolId=self.pool_id)["UserPool"][
            "UserPoolAddOns"]["AdvancedSecurityMode"]
        print(f"  mode: {mode}")

    # --- the story ----------------------------------------------------------------------------

    def run(self) -> None:
        self.setup()
        self.sign_in("Alice signs in at home on her laptop", HOME, LAPTOP)
        self.later(86400, "the next day")
        self.sign_in("Alice signs in at home on her laptop, a known device", HOME, LAPTOP)
        self.later(3600, "an hour later")
        self.sign_in("someone signs in as Alice from a new phone in another country",
                     ABROAD, PHONE)
        print("  (audit-only: the high risk is recorded, the sign-in is let through)")
        suspicious = self.latest()
        self.feedback(suspicious, "Invalid", "Alice says it wasn't her")
        print("  (her laptop at home stays trusted; that phone and address now count against)")
        self.enforce()
        self.later(600, "ten minutes later")
        self.sign_in("the same phone tries again", ABROAD, PHONE)
        self.later(600, "ten minutes later")
        self.sign_in("Alice at home again", HOME, LAPTOP)
        self.later(2 * 86400, "two days later, Alice is travelling")
        self.sign_in("Alice signs in on her new tablet in Sweden", TRIP, TABLET)
        blocked = self.latest()
        self.feedback(blocked, "Valid", "the helpdesk confirms it was Alice")
        print("  (the tablet, the address and Sweden become known places for Alice)")
        self.later(300, "five minutes later")
        self.sign_in("Alice tries again from the same tablet", TRIP, TABLET)

        print("\nAlice's event history (AdminListUserAuthEvents, newest first):")
        for event in self.events():
            print(f"  {utc(event['CreationDate'].timestamp())}  {self.describe(event)}")
        console = (f"{self.emu.endpoint}/_emulator/events?pool={self.pool_id}"
                   f"&user={self.username}")
        print(f"\nThe same history with the signals that fired: {console}")
        print(f"The emulator clock is now {span(self.moved)} ahead; "
              f"POST /_emulator/clock {{\"reset\": true}} puts it back.")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:9229",
                        help="the emulator's URL (default http://127.0.0.1:9229)")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    Workshop(args.endpoint, args.region).run()


if __name__ == "__main__":
    main()
