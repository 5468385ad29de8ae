"""Verify auth challenge response: is the answer the code Create made?"""
import hmac


def handler(event, context):
    request = event["request"]
    expected = request["privateChallengeParameters"].get("code", "")
    answer = (request["challengeAnswer"] or "").strip()
    # compare_digest takes as long for a near miss as for a far one: no timing hints.
    event["response"]["answerCorrect"] = (
        not request.get("userNotFound")
        and bool(expected)
        and hmac.compare_digest(answer.encode(), expected.encode()))
    return event
