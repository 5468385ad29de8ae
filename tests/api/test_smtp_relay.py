"""--smtp-url: every email the outbox records also goes out as real mail (docs/MAIL.md).

The peer is aiosmtpd, a real SMTP server started by each test module's fixtures (plain,
STARTTLS with AUTH, implicit TLS), with a throwaway CA from trustme that the emulator trusts
through --smtp-ca-file. Mail is read as it arrived (the standard library's email parser),
and what it carries is used against the API: the code confirms the user, the temporary
password signs in. Nothing here waits on a clock: the relay mails in submission order, so
"nothing arrived for X" is read after a later letter has arrived.
"""
import email
import email.policy
import json
import re
import socket
import ssl
import subprocess
import sys
import textwrap
import time

import boto3
import httpx
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import PASSWORD, unique_name
from tests.support.server import ROOT, RunningServer

USER, SECRET = "relay@example.com", "s3cret:pass/word"
SECRET_IN_URL = "s3cret%3Apass%2Fword"       # the same password, percent-encoded
MIGRATE = "arn:aws:lambda:us-east-1:000000000000:function:migrate"
MIGRATION_HANDLER = """
def handler(event, context):
    name = event["userName"]
    event["response"].update({
        "userAttributes": {"email": name + "@legacy.example", "email_verified": "true"},
        "finalUserStatus": "CONFIRMED", "messageAction": "RESEND",
        "desiredDeliveryMediums": ["EMAIL"]})
    return event
"""


class Sink:
    """An aiosmtpd handler keeping every mail it accepts."""

    def __init__(self):
        self.mails: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 15) -> email.message.EmailMessage:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for _, rcpts, msg in self.mails:
                if to in rcpts:
                    return msg
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} arrived; got {[m[1] for m in self.mails]}")

    def to(self, address: str) -> list:
        return [msg for _, rcpts, msg in self.mails if address in rcpts]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == SECRET.encode()
    return AuthResult(success=ok, handled=False)   # not handled: aiosmtpd answers 535


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(ca) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def plain_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def starttls_sink(ca):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port(),
                            tls_context=_server_context(ca), require_starttls=True,
                            auth_required=True, authenticator=_authenticator)
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def relayed(plain_sink, tmp_path_factory):
    """An emulator relaying to the plain sink, with a UserMigration function `migrate`. Its
    store is SQLite (the other emulators here keep theirs in memory)."""
    sink, port = plain_sink
    handler = tmp_path_factory.mktemp("fn") / "migrate.py"
    handler.write_text(textwrap.dedent(MIGRATION_HANDLER))
    env = {"COGNITO_EMULATOR_FUNCTIONS": json.dumps({"migrate": f"{handler}:handler"})}
    with RunningServer(["--data-dir", str(tmp_path_factory.mktemp("data")),
                        "--smtp-url", f"smtp://127.0.0.1:{port}"], env=env) as srv:
        yield srv, sink


def _pool(c, **params) -> tuple[str, str]:
    params.setdefault("AutoVerifiedAttributes", ["email"])
    pool_id = c.create_user_pool(PoolName=unique_name("relay"), **params)["UserPool"]["Id"]
    client_id = c.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def _outbox(url: str, **filters) -> list[dict]:
    return httpx.get(url + "/_emulator/messages", params=filters).json()["messages"]


def _settled(url: str, **filters) -> dict:
    """The one outbox entry the filters name, once the relay has settled it."""
    deadline = time.time() + 15
    while time.time() < deadline:
        found = _outbox(url, **filters)
        if len(found) == 1 and found[0]["delivery"]["state"] != "pending":
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"not settled: {_outbox(url, **filters)}")


def _text(msg, subtype: str = "plain") -> str:
    """A body part as sent (SMTP carries CRLF line ends)."""
    return msg.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


# --- what arrives ---------------------------------------------------------------------------

def test_the_sign_up_code_arrives_by_mail_and_confirms_the_user(relayed):
    srv, sink = relayed
    c = make_client(srv.url)
    pool_id, client_id = _pool(c)
    address = f"{unique_name('pat')}@example.com"
    c.sign_up(ClientId=client_id, Username="pat", Password=PASSWORD,
              UserAttributes=[{"Name": "email", "Value": address}])

    msg = sink.wait_for(address)
    assert msg["From"] == "no-reply@verificationemail.com"   # Cognito's default sender
    assert msg["To"] == address
    assert msg["Subject"] == "Your verification code"
    assert msg.get_content_type() == "text/plain"
    code = re.fullmatch(r"Your verification code is (\d{6})\. \n", _text(msg)).group(1)
    c.confirm_sign_up(ClientId=client_id, Username="pat", ConfirmationCode=code)
    assert c.admin_get_user(UserPoolId=pool_id, Username="pat")["UserStatus"] == "CONFIRMED"

    entry = _settled(srv.url, destination=address)
    assert entry["code"] == code
    assert entry["delivery"]["state"] == "sent" and entry["delivery"]["attempts"] == 1
    assert entry["delivery"]["from"] == "no-reply@verificationemail.com"
    assert msg["X-Cognito-Emulator-Message"] == entry["id"]


def test_the_invitation_carries_username_and_temporary_password_and_signs_in(relayed):
    srv, sink = relayed
    c = make_client(srv.url)
    pool_id, client_id = _pool(c, AdminCreateUserConfig={"InviteMessageTemplate": {
        "EmailSubject": "Welcome aboard",
        "EmailMessage": "Hello {username}, your temporary password is {####} - change it."}})
    address = f"{unique_name('ivy')}@example.com"
    c.admin_create_user(UserPoolId=pool_id, Username="ivy", DesiredDeliveryMediums=["EMAIL"],
                        UserAttributes=[{"Name": "email", "Value": address},
                                        {"Name": "email_verified", "Value": "true"}])

    msg = sink.wait_for(address)
    assert msg["Subject"] == "Welcome aboard"
    found = re.fullmatch(r"Hello (\S+), your temporary password is (\S+) - change it\.\n",
                         _text(msg))
    assert found and found.group(1) == "ivy"
    out = c.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "ivy", "PASSWORD": found.group(2)})
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_the_pools_template_and_sender_are_what_arrives(relayed):
    srv, sink = relayed
    c = make_client(srv.url)
    source = "arn:aws:ses:us-east-1:000000000000:identity/auth@example.com"
    _, client_id = _pool(
        c, EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "SourceArn": source,
                               "From": "Example App <auth@example.com>",
                               "ReplyToEmailAddress": "help@example.com"},
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Confirm your account",
            "EmailMessage": "<p>Welcome!</p><p>Your code: <b>{####}</b></p>"})
    address = f"{unique_name('tim')}@example.com"
    c.sign_up(ClientId=client_id, Username="tim", Password=PASSWORD,
              UserAttributes=[{"Name": "email", "Value": address}])

    msg = sink.wait_for(address)
    entry = _outbox(srv.url, destination=address)[0]
    assert msg["From"] == "Example App <auth@example.com>"
    assert msg["Reply-To"] == "help@example.com"
    assert msg["Subject"] == "Confirm your account"
    assert msg.get_content_type() == "multipart/alternative"
    html = _text(msg, "html")
    assert html.rstrip("\n") == entry["message"] == \
        f"<p>Welcome!</p><p>Your code: <b>{entry['code']}</b></p>"
    assert _text(msg) == f"Welcome!\nYour code: {entry['code']}\n"


def test_a_rolled_back_call_sends_nothing(relayed):
    """ForgotPassword migrates the user (UserMigration, welcome mail written) and then fails:
    the pool lets only administrators reset passwords. Everything rolls back, the mail too."""
    srv, sink = relayed
    c = make_client(srv.url)
    pool_id, client_id = _pool(
        c, LambdaConfig={"UserMigration": MIGRATE},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})
    name = unique_name("gone")
    with pytest.raises(ClientError) as err:
        c.forgot_password(ClientId=client_id, Username=name)
    assert err.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert _outbox(srv.url, poolId=pool_id) == []

    later = f"{unique_name('later')}@example.com"   # mailed after: the relay keeps order
    c.sign_up(ClientId=client_id, Username="later", Password=PASSWORD,
              UserAttributes=[{"Name": "email", "Value": later}])
    sink.wait_for(later)
    assert sink.to(f"{name}@legacy.example") == []


def test_sms_stays_in_the_outbox(relayed):
    srv, sink = relayed
    c = make_client(srv.url)
    _, client_id = _pool(c, AutoVerifiedAttributes=["phone_number"])
    address = f"{unique_name('sam')}@example.com"    # has an email, but the code goes by SMS
    c.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD,
              UserAttributes=[{"Name": "phone_number", "Value": "+15550100123"},
                              {"Name": "email", "Value": address}])
    sms = _outbox(srv.url, destination="+15550100123", username="sam")
    assert sms[-1]["medium"] == "SMS" and "delivery" not in sms[-1]

    later = f"{unique_name('after-sms')}@example.com"
    _, other = _pool(c)
    c.sign_up(ClientId=other, Username="later", Password=PASSWORD,
              UserAttributes=[{"Name": "email", "Value": later}])
    sink.wait_for(later)
    assert sink.to(address) == [] and all("+15550100123" not in r for _, r, _ in sink.mails)


def test_mail_a_lambda_sends_through_ses_is_relayed(relayed):
    srv, sink = relayed
    ses = boto3.client("sesv2", endpoint_url=srv.url, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    address = f"{unique_name('otp')}@example.com"
    ses.send_email(FromEmailAddress="Login <login@example.com>",
                   Destination={"ToAddresses": [address]},
                   Content={"Simple": {"Subject": {"Data": "Sign-in code"},
                                       "Body": {"Text": {"Data": "Your code is 424242"},
                                                "Html": {"Data": "<b>424242</b>"}}}})
    msg = sink.wait_for(address)
    assert msg["From"] == "Login <login@example.com>" and msg["Subject"] == "Sign-in code"
    assert _text(msg) == "Your code is 424242\n"
    assert _text(msg, "html") == "<b>424242</b>\n"
    assert _settled(srv.url, destination=address)["delivery"]["state"] == "sent"


# --- TLS and credentials --------------------------------------------------------------------

def test_starttls_with_credentials_and_a_trusted_ca(starttls_sink, ca_file):
    sink, port = starttls_sink
    url = f"smtp+starttls://{USER.replace('@', '%40')}:{SECRET_IN_URL}@localhost:{port}"
    with RunningServer(["--in-memory", "--smtp-url", url, "--smtp-ca-file", ca_file]) as srv:
        c = make_client(srv.url)
        pool_id, client_id = _pool(c)
        address = f"{unique_name('tls')}@example.com"
        c.sign_up(ClientId=client_id, Username="tls", Password=PASSWORD,
                  UserAttributes=[{"Name": "email", "Value": address}])
        msg = sink.wait_for(address)
        code = re.search(r"\d{6}", _text(msg)).group(0)
        c.confirm_sign_up(ClientId=client_id, Username="tls", ConfirmationCode=code)
        assert c.admin_get_user(UserPoolId=pool_id, Username="tls")["UserStatus"] == "CONFIRMED"
        assert _settled(srv.url, destination=address)["delivery"]["relay"] == \
            f"smtp+starttls://relay%40example.com@localhost:{port}"   # no password
        log = srv.output()
    assert SECRET not in log and SECRET_IN_URL not in log


def test_implicit_tls(ca, ca_file):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port(),
                            ssl_context=_server_context(ca))
    controller.start()
    try:
        with RunningServer(["--in-memory", "--smtp-url", f"smtps://127.0.0.1:{controller.port}",
                            "--smtp-ca-file", ca_file]) as srv:
            c = make_client(srv.url)
            _, client_id = _pool(c)
            address = f"{unique_name('ssl')}@example.com"
            c.sign_up(ClientId=client_id, Username="ssl", Password=PASSWORD,
                      UserAttributes=[{"Name": "email", "Value": address}])
            assert sink.wait_for(address)["Subject"] == "Your verification code"
    finally:
        controller.stop()


def test_a_refused_login_fails_the_mail_not_the_call(starttls_sink, ca_file):
    sink, port = starttls_sink
    url = f"smtp+starttls://{USER.replace('@', '%40')}:wrong@localhost:{port}"
    with RunningServer(["--in-memory", "--log-level", "info", "--smtp-url", url,
                        "--smtp-ca-file", ca_file]) as srv:
        c = make_client(srv.url)
        _, client_id = _pool(c)
        addresses = [f"{unique_name('nope')}@example.com" for _ in range(2)]
        for n, address in enumerate(addresses):
            out = c.sign_up(ClientId=client_id, Username=f"nope{n}", Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": address}])
            assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
        entries = [_settled(srv.url, destination=a) for a in addresses]
        log = srv.output()
    for entry in entries:
        assert entry["delivery"]["state"] == "failed"
        assert entry["delivery"]["attempts"] == 1          # a refused login is not retried
        assert entry["delivery"]["reason"].startswith("SMTPAuthenticationError: 535")
    assert log.count("mail relay: cannot send mail") == 1    # logged once
    assert all(sink.to(a) == [] for a in addresses)


def test_an_untrusted_certificate_is_refused(starttls_sink):
    sink, port = starttls_sink
    url = f"smtp+starttls://{USER.replace('@', '%40')}:{SECRET_IN_URL}@localhost:{port}"
    with RunningServer(["--in-memory", "--smtp-url", url]) as srv:   # the system's CAs only
        c = make_client(srv.url)
        _, client_id = _pool(c)
        address = f"{unique_name('mitm')}@example.com"
        c.sign_up(ClientId=client_id, Username="mitm", Password=PASSWORD,
                  UserAttributes=[{"Name": "email", "Value": address}])
        entry = _settled(srv.url, destination=address)
    assert entry["delivery"]["state"] == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in entry["delivery"]["reason"]


# --- settings -------------------------------------------------------------------------------

@pytest.mark.parametrize("args,complaint", [
    (["--smtp-url", "smtp+ssl://mail:25"], "unknown scheme 'smtp+ssl'"),
    (["--smtp-url", "smtp://mail:25?starttls=true"], "no path or query"),
    (["--smtp-url", "smtp://mail:notaport"], "Port could not be cast"),
    (["--smtp-url", "smtp://mail", "--smtp-insecure"], "apply to smtps:// and smtp+starttls://"),
    (["--smtp-url", "smtps://mail", "--smtp-ca-file", "/nowhere/ca.pem"], "no such file"),
    (["--smtp-insecure"], "need --smtp-url"),
])
def test_an_unusable_smtp_setting_stops_the_start(args, complaint):
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port",
                          "0", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.startswith("cognito-emulator: ") and complaint in out.stderr
