"""Define auth challenge: ask for the emailed code, allow up to three tries, then decide.

Cognito calls this at the start of the sign-in and after every answer, with the history so far
in request.session ([{challengeName, challengeResult, challengeMetadata}, ...]).
"""
MAX_ATTEMPTS = 3   # a mistyped code gets another chance; the third wrong code ends the sign-in


def handler(event, context):
    session = event["request"]["session"]
    response = event["response"]
    response["issueTokens"] = False
    response["failAuthentication"] = False

    attempts = [entry for entry in session if entry["challengeName"] == "CUSTOM_CHALLENGE"]
    if len(attempts) != len(session):
        # Someone started the sign-in with SRP_A (a password step): not this flow.
        response["failAuthentication"] = True
    elif attempts and attempts[-1]["challengeResult"]:
        response["issueTokens"] = True                 # the last code was right
    elif len(attempts) >= MAX_ATTEMPTS:
        response["failAuthentication"] = True          # out of tries
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"  # first try, or another one
    return event
