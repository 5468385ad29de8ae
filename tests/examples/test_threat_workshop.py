"""examples/threat-protection/workshop.py end to end: the script runs as a workshop attendee
would run it, against a fresh emulator (its own process, so moving the clock three days
ahead disturbs nobody), and the test checks what it printed and, through boto3, the events
it left behind; the console page (GET /_emulator/events) shows the signals the README
explains."""
import re
import subprocess
import sys

import httpx
import pytest

from tests.conftest import make_client
from tests.support.server import ROOT, RunningServer

SCRIPT = ROOT / "examples" / "threat-protection" / "workshop.py"
BLOCKED = "BLOCKED (NotAuthorizedException: Unable to login because of security reasons.)"
STEP = re.compile(r"^Step (\d+) \[[^\]]+\] (.*)$")


@pytest.fixture(scope="module")
def emulator():
    with RunningServer(["--in-memory", "--log-level", "warning"]) as running:
        yield running


@pytest.fixture(scope="module")
def run(emulator):
    done = subprocess.run([sys.executable, str(SCRIPT), "--endpoint", emulator.url],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def steps(output: str) -> dict[int, list[str]]:
    """Step number -> [its title, then the indented lines printed under it]."""
    found, current = {}, None
    for line in output.splitlines():
        m = STEP.match(line)
        if m:
            current = int(m.group(1))
            found[current] = [m.group(2)]
        elif current is not None and line.startswith("  "):
            found[current].append(line.strip())
        else:
            current = None
    return found


def outcome(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("outcome: "))[len("outcome: "):]


def event(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("event:"))[len("event:"):].strip()


def pool_id(output: str) -> str:
    return re.search(r"^Pool (\S+) \(threat protection AUDIT, plan PLUS\)", output, re.M).group(1)


def test_the_printed_story(run):
    found = steps(run)
    assert sorted(found) == list(range(1, 11))
    # audit-only: home is no risk; the phone abroad is High and let through
    for n in (1, 2):
        assert outcome(found[n]) == "SIGNED IN (tokens issued)"
        assert event(found[n]) == "SignIn Pass, risk none (NoRisk), 81.2.69.142 London, GB"
    assert "new phone in another country: Milton, US" in found[3][0]
    assert outcome(found[3]) == "SIGNED IN (tokens issued)"
    assert event(found[3]) == \
        "SignIn Pass, risk High (AccountTakeover), 216.160.83.56 Milton, US"
    assert "(audit-only: the high risk is recorded, the sign-in is let through)" in found[3]
    # feedback Invalid, then full-function blocks the phone and lets Alice in at home
    assert found[4][0].endswith(" Invalid") and "feedback: Invalid" in found[4]
    assert "mode: ENFORCED" in found[5]
    assert outcome(found[6]) == BLOCKED
    assert event(found[6]) == "SignIn Fail, risk High (AccountTakeover), 216.160.83.56 Milton, US"
    assert outcome(found[7]) == "SIGNED IN (tokens issued)"
    # a real trip: blocked, marked Valid, then let through with no risk
    assert outcome(found[8]) == BLOCKED
    assert event(found[8]) == \
        "SignIn Fail, risk High (AccountTakeover), 89.160.20.112 Linköping, SE"
    assert found[9][0].endswith(" Valid") and "feedback: Valid" in found[9]
    assert outcome(found[10]) == "SIGNED IN (tokens issued)"
    assert event(found[10]) == "SignIn Pass, risk none (NoRisk), 89.160.20.112 Linköping, SE"
    # the clock moved as the story says, between the steps
    assert "... an hour later (emulator clock +1 h)" in run
    assert "... two days later, Alice is travelling (emulator clock +2 d)" in run
    assert "The emulator clock is now 3 d 1 h 25 min ahead" in run
    history = [line.strip() for line in run.split("newest first):")[1].splitlines()
               if line.startswith("  20")]
    assert len(history) == 7


def test_the_events_it_left(run, emulator):
    idp = make_client(emulator.url)
    pool = pool_id(run)
    described = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert described["UserPoolTier"] == "PLUS"
    actions = idp.describe_risk_configuration(UserPoolId=pool)["RiskConfiguration"][
        "AccountTakeoverRiskConfiguration"]["Actions"]
    assert actions["HighAction"] == {"Notify": False, "EventAction": "BLOCK"}

    found = idp.admin_list_user_auth_events(UserPoolId=pool, Username="alice")["AuthEvents"]
    oldest_first = list(reversed(found))
    assert [e["EventType"] for e in oldest_first] == ["SignIn"] * 7
    assert [e["EventResponse"] for e in oldest_first] == \
        ["Pass", "Pass", "Pass", "Fail", "Pass", "Fail", "Pass"]
    assert [e["EventRisk"].get("RiskLevel") for e in oldest_first] == \
        [None, None, "High", "High", None, "High", None]
    assert [e["EventContextData"].get("City") for e in oldest_first] == \
        ["London", "London", "Milton", "Milton", "London", "Linköping", "Linköping"]
    assert [(e.get("EventFeedback") or {}).get("FeedbackValue") for e in oldest_first] == \
        [None, None, "Invalid", None, None, "Valid", None]
    assert all(e["EventFeedback"]["Provider"] == "Admin"
               for e in oldest_first if "EventFeedback" in e)
    assert oldest_first[2]["EventContextData"]["DeviceName"] == "Chrome 125, Android 14"
    gaps = [round((b["CreationDate"] - a["CreationDate"]).total_seconds())
            for a, b in zip(oldest_first, oldest_first[1:], strict=False)]
    assert gaps == [86400, 3600, 600, 600, 2 * 86400, 300]
    # The printed ids are the API's.
    assert f"marks event {oldest_first[2]['EventId']} Invalid" in run
    assert f"marks event {oldest_first[5]['EventId']} Valid" in run


def test_the_console_shows_why(run, emulator):
    """The signals behind the README's explanation of each level."""
    page = httpx.get(emulator.url + "/_emulator/events",
                     params={"pool": pool_id(run), "user": "alice"}).text
    rows = page.split('<tr class="event"')[1:]
    assert len(rows) == 7
    signals = [re.findall(r'data-signal="(\w+)"', row) for row in rows]   # newest first
    assert signals[4] == ["NEW_DEVICE", "NEW_IP", "NEW_COUNTRY", "IMPOSSIBLE_TRAVEL"]
    assert "MATCHES_INVALID_FEEDBACK" in signals[3] and "IMPOSSIBLE_TRAVEL" in signals[3]
    assert "RECENT_INVALID_FEEDBACK" in signals[1] and "IMPOSSIBLE_TRAVEL" not in signals[1]
    assert "NEW_DEVICE" not in signals[0] and "NEW_COUNTRY" not in signals[0]
    assert "audit only; would have been blocked" in rows[4]


def test_without_an_emulator_it_says_how_to_start_one():
    done = subprocess.run([sys.executable, str(SCRIPT), "--endpoint", "http://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1
    assert "No Cognito emulator at http://127.0.0.1:9" in done.stderr
    assert "scripts/serve" in done.stderr
    helped = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert "--endpoint" in helped.stdout
