"""Define auth challenge: one passkey challenge, then tokens or failure.

Cognito calls this at the start of the sign-in and after every answer, with the history so far
in request.session ([{challengeName, challengeResult, challengeMetadata}, ...]).
"""


def handler(event, context):
    session = event["request"]["session"]
    response = event["response"]
    response["issueTokens"] = False
    response["failAuthentication"] = False

    if any(entry["challengeName"] != "CUSTOM_CHALLENGE" for entry in session):
        # Someone started the sign-in with SRP_A (a password step): not this flow.
        response["failAuthentication"] = True
    elif not session:
        response["challengeName"] = "CUSTOM_CHALLENGE"    # first call: ask for the passkey
    elif session[-1]["challengeResult"]:
        response["issueTokens"] = True                     # the assertion checked out
    else:
        # A failed assertion is not a typo: no second try in the same sign-in.
        response["failAuthentication"] = True
    return event
