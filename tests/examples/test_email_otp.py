"""examples/email-otp end to end, with the Python handlers (config.yaml) and the Node.js ones
(config.node.yaml): the emulator runs the example's config, boto3 signs in through
CUSTOM_AUTH and the test reads the code from the mail the Create handler sent through SES v2,
which the emulator delivers into its outbox (GET /_emulator/messages).
"""
import re
import uuid

import httpx
import pytest

from tests.conftest import make_client
from tests.support.clients import requires
from tests.support.factories import claims, error
from tests.support.server import ROOT, RunningServer

EXAMPLE = ROOT / "examples" / "email-otp"
POOL_ID = "us-east-1_EmailOtp01"
CLIENT_ID = "emailotp0example0client001"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
CONFIGS = {"py": "config.yaml", "node": "config.node.yaml"}


@pytest.fixture(scope="module", params=[
    "py", pytest.param("node", marks=requires("node"))])
def example(request, tmp_path_factory):
    """(boto3 client, Mailbox) for an emulator running one of the example's configs."""
    with RunningServer(["--in-memory", "--log-level", "warning",
                        "--config", str(EXAMPLE / CONFIGS[request.param])]) as running:
        yield make_client(running.url), Mailbox(running.url)


class Mailbox:
    """The emulator's outbox, as the example's readers would look at it."""

    def __init__(self, url):
        self.url = url

    def to(self, address: str) -> list[dict]:
        return httpx.get(self.url + "/_emulator/messages",
                         params={"destination": address, "purpose": "SES"}).json()["messages"]

    def code_for(self, address: str) -> str:
        """The code in the newest mail to this address, read as a person would."""
        mails = self.to(address)
        assert mails, f"no mail to {address}"
        return re.search(r"\b(\d{6})\b", mails[-1]["message"]).group(1)


@pytest.fixture
def idp(example):
    return example[0]


@pytest.fixture
def mailbox(example):
    return example[1]


def new_user(idp) -> str:
    email = f"user-{uuid.uuid4().hex[:8]}@example.com"
    idp.admin_create_user(UserPoolId=POOL_ID, Username=email, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=POOL_ID, Username=email,
                                Password="Unused-Passw0rd-1234!", Permanent=True)
    return email


def start(idp, email):
    started = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": email})
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    return started


def answer(idp, challenge, code):
    return idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID, ChallengeName="CUSTOM_CHALLENGE", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                            "ANSWER": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"




def test_right_code_issues_tokens(idp, mailbox):
    # The user seeded by config.yaml.
    started = start(idp, "alice@example.com")
    assert started["ChallengeParameters"]["email"] == "a***@example.com"
    # USERNAME is the pool's own user name (the email is an alias with UsernameAttributes).
    user = idp.admin_get_user(UserPoolId=POOL_ID, Username="alice@example.com")
    assert started["ChallengeParameters"]["USERNAME"] == user["Username"]

    mail = mailbox.to("alice@example.com")[-1]
    assert mail["subject"] == "Your sign-in code"
    done = answer(idp, started, mailbox.code_for("alice@example.com"))
    tokens = done["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == "alice@example.com"

    refreshed = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert claims(refreshed["AuthenticationResult"]["AccessToken"])["sub"] == \
        claims(tokens["AccessToken"])["sub"]


def test_wrong_code_then_right_code(idp, mailbox):
    email = new_user(idp)
    started = start(idp, email)
    code = mailbox.code_for(email)
    retry = answer(idp, started, wrong(code))
    # Another try: a new session, the same masked address, and no second mail.
    assert retry["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert retry["Session"] != started["Session"]
    assert retry["ChallengeParameters"]["email"] == started["ChallengeParameters"]["email"]
    assert len(mailbox.to(email)) == 1
    assert "AuthenticationResult" in answer(idp, retry, code)


def test_two_wrong_codes_still_leave_a_third_try(idp, mailbox):
    email = new_user(idp)
    challenge = start(idp, email)
    code = mailbox.code_for(email)
    for _ in range(2):
        challenge = answer(idp, challenge, wrong(code))
        assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert "AuthenticationResult" in answer(idp, challenge, f" {code} ")  # spaces are forgiven


def test_three_wrong_codes_fail_the_sign_in(idp, mailbox):
    email = new_user(idp)
    challenge = start(idp, email)
    code = mailbox.code_for(email)
    challenge = answer(idp, challenge, wrong(code))
    challenge = answer(idp, challenge, "abcdef")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, challenge, "not a code")
    assert error(caught) == INCORRECT
    # That sign-in is over: its last session can't be answered again, even rightly.
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        answer(idp, challenge, code)
    # A new sign-in sends a new code, which works.
    again = start(idp, email)
    assert len(mailbox.to(email)) == 2
    assert "AuthenticationResult" in answer(idp, again, mailbox.code_for(email))


def test_each_sign_in_gets_its_own_code(idp, mailbox):
    email = new_user(idp)
    first = start(idp, email)
    first_code = mailbox.code_for(email)
    second = start(idp, email)
    second_code = mailbox.code_for(email)
    assert len(mailbox.to(email)) == 2
    if first_code != second_code:        # one chance in a million that they match
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            for _ in range(3):           # the old code never fits the new sign-in
                second = answer(idp, second, first_code)
    assert "AuthenticationResult" in answer(idp, first, first_code)


def test_unknown_address_gets_a_challenge_but_no_mail(idp, mailbox):
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    started = start(idp, email)
    assert started["ChallengeParameters"]["email"] == "n***@example.com"
    assert mailbox.to(email) == []
    challenge = started
    for _ in range(2):
        challenge = answer(idp, challenge, "123456")
        assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as caught:
        answer(idp, challenge, "123456")
    assert error(caught) == INCORRECT


def test_password_flows_are_not_allowed(idp):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice@example.com",
                                          "PASSWORD": "Unused-Passw0rd-1234!"})
