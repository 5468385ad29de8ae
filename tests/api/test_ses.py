"""SES v2 SendEmail lands in the outbox (Lambda handlers mail through it)."""
import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import unique_name


def _ses(endpoint):
    return boto3.client("sesv2", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")


def test_send_email_lands_in_the_outbox(endpoint, outbox):
    # The outbox lasts the whole session: addresses of this run's own, so a second run (or
    # another test mailing through SES) can't add to what this one reads back.
    to = f"{unique_name('sam')}@example.com"
    bcc = f"{unique_name('audit')}@example.com"
    out = _ses(endpoint).send_email(
        FromEmailAddress="no-reply@example.com",
        Destination={"ToAddresses": [to], "BccAddresses": [bcc]},
        Content={"Simple": {"Subject": {"Data": "Your code"},
                            "Body": {"Text": {"Data": "Your code is 123456"}}}})
    assert out["MessageId"]
    for address in (to, bcc):
        mail = outbox(destination=address, purpose="SES")
        assert [(m["subject"], m["message"], m["medium"]) for m in mail] == \
            [("Your code", "Your code is 123456", "EMAIL")]


def test_unsupported_content_is_a_clear_error(endpoint):
    with pytest.raises(ClientError) as e:
        _ses(endpoint).send_email(FromEmailAddress="a@example.com",
                                  Destination={"ToAddresses": ["b@example.com"]},
                                  Content={"Raw": {"Data": b"raw mime"}})
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    assert "Content.Simple" in e.value.response["Error"]["Message"]
