"""User-pool trigger handlers for tests/api/test_triggers.py (Python runner and the Invoke
API runner). Written as a developer would deploy them; each also appends the event it
received, as one JSON line, to the file named by COGNITO_TEST_EVENTS_FILE so the tests can
assert the event shapes. tests/lambdas/triggers_node.mjs behaves the same.

What they answer is steered by the request (validationData / clientMetadata / attributes),
so one function serves every test.
"""
import json
import os
import time


def _record(event):
    path = os.environ.get("COGNITO_TEST_EVENTS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


def pre_sign_up(event, context):
    _record(event)
    request = event["request"]
    email = request["userAttributes"].get("email", "")
    if email.endswith("@blocked.example"):
        raise Exception("Registration from this domain is not allowed.")
    asked = request.get("validationData") or {}
    event["response"]["autoConfirmUser"] = asked.get("autoConfirm") == "yes"
    event["response"]["autoVerifyEmail"] = asked.get("autoVerifyEmail") == "yes"
    event["response"]["autoVerifyPhone"] = asked.get("autoVerifyPhone") == "yes"
    return event


def post_confirmation(event, context):
    _record(event)
    if (event["request"].get("clientMetadata") or {}).get("fail") == "yes":
        raise Exception("Could not create the profile")
    return event


def pre_authentication(event, context):
    _record(event)
    if (event["request"].get("validationData") or {}).get("deny") == "yes":
        raise Exception("Sign-in denied by policy")
    return event


def post_authentication(event, context):
    _record(event)
    if event["request"]["userAttributes"].get("nickname") == "post-auth-fail":
        raise Exception("Audit log unavailable")
    return event


def custom_message(event, context):
    _record(event)
    request, source = event["request"], event["triggerSource"]
    metadata = request.get("clientMetadata") or {}
    if metadata.get("plain") == "yes":
        return event
    code = request["codeParameter"]
    if source == "CustomMessage_AdminCreateUser":
        text = f"Welcome {request['usernameParameter']}, your password is {code}"
        event["response"].update(emailMessage=text, smsMessage=text, emailSubject="Welcome aboard")
    else:
        event["response"].update(emailMessage=f"[{source}] code {code}",
                                 smsMessage=f"[{source}] sms {code}",
                                 emailSubject=f"Subject {source}")
    if metadata.get("noCode") == "yes":
        event["response"]["emailMessage"] = "A message without the code"
    return event


_VIP = {"groupsToOverride": ["vip"], "iamRolesToOverride": ["arn:aws:iam::000000000000:role/vip"],
        "preferredRole": "arn:aws:iam::000000000000:role/vip"}


def _groups(event, details):
    nickname = event["request"]["userAttributes"].get("nickname")
    if nickname == "override-groups":
        details["groupOverrideDetails"] = _VIP
    elif nickname == "suppress-groups":
        details["groupOverrideDetails"] = None


def pre_token(event, context):
    _record(event)
    nickname = event["request"]["userAttributes"].get("nickname")
    if nickname == "token-fail":
        raise Exception("Token service down")
    if event["version"] == "1":
        details = {
            "claimsToAddOrOverride": {"tier": "gold", "email": "override@example.com",
                                      "sub": "evil", "cognito:username": "evil",
                                      "family_name": "both"},
            "claimsToSuppress": ["given_name", "family_name", "token_use"],
        }
        _groups(event, details)
        event["response"]["claimsOverrideDetails"] = details
        return event
    details = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"tier": "gold", "plan": {"name": "pro", "seats": 3},
                                      "email_verified": {"not": "allowed"}, "dev:x": "no"},
            "claimsToSuppress": ["given_name"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": "t-1", "roles": ["reader", "writer"],
                                      "client_id": "evil",
                                      "aud": event["callerContext"]["clientId"]},
            "claimsToSuppress": ["username"],
            "scopesToAdd": ["custom/read"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin"]
            if nickname == "no-admin-scope" else [],
        },
    }
    _groups(event, details)
    event["response"]["claimsAndScopeOverrideDetails"] = details
    return event


def migrate_user(event, context):
    _record(event)
    name, request = event["userName"], event["request"]
    asked = request.get("validationData") or request.get("clientMetadata") or {}
    if name.startswith("ghost"):
        return event                       # nobody by that name: no userAttributes
    if event["triggerSource"] == "UserMigration_Authentication" and request["password"] != "weak":
        raise Exception("Bad password")
    event["response"]["userAttributes"] = {"email": f"{name}@legacy.example",
                                           "email_verified": "true", "nickname": "migrated"}
    event["response"]["finalUserStatus"] = asked.get("status", "CONFIRMED")
    event["response"]["messageAction"] = asked.get("message", "SUPPRESS")
    if asked.get("mediums"):
        event["response"]["desiredDeliveryMediums"] = asked["mediums"].split(",")
    return event


# --- failures (tests/api/test_trigger_errors.py) ---------------------------------------------

def throws(event, context):
    _record(event)
    raise ValueError("Nope, not today.")


def hangs(event, context):
    _record(event)
    time.sleep(30)
    return event


def returns_text(event, context):
    return "just a string"


def response_not_object(event, context):
    event["response"] = ["not", "an", "object"]
    return event


def bad_claims(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToSuppress": "email"}
    return event


def passes(event, context):
    _record(event)
    return event
