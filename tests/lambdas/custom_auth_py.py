"""Custom-auth challenge handlers for the tests (Python runner): one `handler` for Define,
Create and Verify (and PreTokenGeneration, which adds a claim), dispatching on
triggerSource. Every event is appended, as received, as one JSON line to the file named
by env COGNITO_TEST_EVENTS_FILE.

The scenario is the userName's prefix (up to the first "-"):
    (default)    two CUSTOM_CHALLENGE rounds; a wrong answer fails the sign-in; a loop
                 started with SRP_A asks PASSWORD_VERIFIER first
    endless-     Define asks for another challenge for ever (round cap)
    failnow-     Define fails the sign-in at once
    tokensnow-   Define issues tokens at once
    garbage-     Define names a challenge that doesn't exist
    verifier-    Define asks PASSWORD_VERIFIER at once (even without SRP_A)
    verifythrows- Verify raises
    hang-        Create sleeps far past the 5 s limit
"""
import copy
import json
import os
import time


def _record(event):
    path = os.environ.get("COGNITO_TEST_EVENTS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


def _mode(event):
    name = event.get("userName") or ""
    return name.split("-", 1)[0] if "-" in name else ""


def _define(event, mode):
    session = event["request"]["session"]
    out = event["response"]
    out["issueTokens"] = False
    out["failAuthentication"] = False
    if mode == "failnow":
        out["failAuthentication"] = True
    elif mode == "tokensnow":
        out["issueTokens"] = True
    elif mode == "garbage":
        out["challengeName"] = "NOT_A_CHALLENGE"
    elif mode == "verifier" and not session:
        out["challengeName"] = "PASSWORD_VERIFIER"
    elif mode == "endless":
        out["challengeName"] = "CUSTOM_CHALLENGE"
    elif session and session[-1]["challengeName"] == "SRP_A":
        out["challengeName"] = "PASSWORD_VERIFIER"
    elif any(entry["challengeResult"] is False for entry in session):
        out["failAuthentication"] = True
    elif sum(1 for e in session if e["challengeName"] == "CUSTOM_CHALLENGE") >= 2:
        out["issueTokens"] = True
    else:
        out["challengeName"] = "CUSTOM_CHALLENGE"


def _create(event, mode):
    if mode == "hang":
        time.sleep(60)
    n = sum(1 for e in event["request"]["session"] if e["challengeName"] == "CUSTOM_CHALLENGE") + 1
    event["response"]["publicChallengeParameters"] = {"question": f"code for round {n}?",
                                                      "round": str(n)}
    event["response"]["privateChallengeParameters"] = {"answer": f"answer-{n}"}
    event["response"]["challengeMetadata"] = f"ROUND-{n}"


def _verify(event, mode):
    if mode == "verifythrows":
        raise ValueError("answer check exploded")
    expected = event["request"]["privateChallengeParameters"].get("answer")
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == expected


def handler(event, context):
    _record(copy.deepcopy(event))
    mode = _mode(event)
    source = event["triggerSource"]
    if source == "DefineAuthChallenge_Authentication":
        _define(event, mode)
    elif source == "CreateAuthChallenge_Authentication":
        _create(event, mode)
    elif source == "VerifyAuthChallengeResponse_Authentication":
        _verify(event, mode)
    elif source.startswith("TokenGeneration_"):
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"signed_in_by": "custom-auth-py"}}
    return event
