"""User import jobs through boto3, the CSV uploaded with httpx as the DG's requests.put does."""
import subprocess
import sys
import time
from http.client import HTTPConnection
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import (
    PASSWORD,
    attrs_of,
    create_user,
    error,
    last_message,
    password_client,
)
from tests.support.factories import password_sign_in as sign_in
from tests.support.server import ROOT, RunningServer

ROLE = "arn:aws:iam::123456789012:role/CognitoImportRole"
SSE = {"x-amz-server-side-encryption": "aws:kms"}
NEW_PASSWORD = "N3w-Passw0rd!"


# --- helpers ----------------------------------------------------------------------------------

def csv_text(header: list[str], rows: list[dict]) -> str:
    """The header row, then one line per dict (missing columns empty). Commas in values are
    escaped with a backslash as the DG asks."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(str(row.get(name, "")).replace(",", "\\,") for name in header))
    return "\n".join(lines) + "\n"


def user_row(username, email=None, **extra) -> dict:
    row = {"cognito:username": username, "cognito:mfa_enabled": "FALSE"}
    if email:
        row.update(email=email, email_verified="TRUE")
    row.update(extra)
    return row


def header_of(cognito, pool_id) -> list[str]:
    return cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]


def new_job(cognito, pool_id, name="import-test") -> dict:
    return cognito.create_user_import_job(UserPoolId=pool_id, JobName=name,
                                          CloudWatchLogsRoleArn=ROLE)["UserImportJob"]


def upload(job, body, headers=SSE) -> httpx.Response:
    return httpx.put(job["PreSignedUrl"], content=body.encode() if isinstance(body, str)
                     else body, headers=headers, timeout=30)


def wait_done(cognito, pool_id, job_id, timeout=30) -> dict:
    deadline = time.time() + timeout
    while True:
        job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        if job["Status"] not in ("Pending", "InProgress"):
            return job
        assert time.time() < deadline, job
        time.sleep(0.05)


def run_import(cognito, pool_id, text) -> dict:
    job = new_job(cognito, pool_id)
    assert upload(job, text).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return wait_done(cognito, pool_id, job["JobId"])


def declare_only(url: str, length: int) -> tuple[int, str]:
    """PUT that declares a Content-Length but sends no body; the answer."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("PUT", f"{parts.path}?{parts.query}")
        conn.putheader("Content-Length", str(length))
        conn.putheader("x-amz-server-side-encryption", "aws:kms")
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


def results(http, job) -> list[str]:
    resp = http.get(f"/_emulator/user-import/{job['UserPoolId']}/{job['JobId']}/log")
    assert resp.status_code == 200
    return resp.text.splitlines()


@pytest.fixture
def pool_id(email_pool):
    return email_pool


# --- the happy path ---------------------------------------------------------------------------

def test_import_then_reset_password_and_sign_in(cognito, pool_id, http, outbox, endpoint):
    job = new_job(cognito, pool_id, "Customer import")
    assert job["JobId"].startswith("import-") and job["UserPoolId"] == pool_id
    assert job["JobName"] == "Customer import" and job["CloudWatchLogsRoleArn"] == ROLE
    assert job["Status"] == "Created"
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert "StartDate" not in job and "CompletionDate" not in job
    url = job["PreSignedUrl"]
    assert url.startswith(f"{endpoint}/_emulator/user-import/{pool_id}/{job['JobId']}?")
    assert "X-Amz-Expires=900" in url and "X-Amz-Signature=" in url

    header = header_of(cognito, pool_id)
    text = csv_text(header, [
        user_row("john", "johndoe@example.com", given_name="John", family_name="Doe",
                 birthdate="02/01/1985", phone_number="+12345550100",
                 phone_number_verified="TRUE", address="123 Any Street, Springfield"),
        user_row("jane", "janeroe@example.com", given_name="  Jane  "),
    ])
    resp = upload(job, text)
    assert resp.status_code == 200 and resp.headers["ETag"].startswith('"')

    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] == "Pending" and started["StartDate"]
    done = wait_done(cognito, pool_id, job["JobId"])
    assert done["Status"] == "Succeeded", done
    assert done["CompletionMessage"] == "Import Job Completed Successfully."
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 0, 0)
    assert done["CompletionDate"] >= done["StartDate"] >= done["CreationDate"]

    john = cognito.admin_get_user(UserPoolId=pool_id, Username="john")
    assert john["UserStatus"] == "RESET_REQUIRED" and john["Enabled"] is True
    attrs = attrs_of(john)
    assert attrs["email"] == "johndoe@example.com" and attrs["email_verified"] == "true"
    assert attrs["given_name"] == "John" and attrs["family_name"] == "Doe"
    assert attrs["birthdate"] == "1985-02-01"
    assert attrs["address"] == "123 Any Street, Springfield"
    assert attrs["phone_number_verified"] == "true" and attrs["sub"]
    assert "name" not in attrs  # empty columns set nothing
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="jane"))[
        "given_name"] == "Jane"  # trimmed

    app = password_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app, "jane", "whatever-Passw0rd")
    assert error(e) == ("PasswordResetRequiredException", "Password reset required for the user")
    cognito.forgot_password(ClientId=app, Username="jane")
    code = last_message(outbox, pool_id, "jane", "FORGOT_PASSWORD")["code"]
    cognito.confirm_forgot_password(ClientId=app, Username="jane", Password=NEW_PASSWORD,
                                    ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="jane")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in sign_in(cognito, app, "jane", NEW_PASSWORD)
    assert results(http, done) == []  # nothing failed or skipped


def test_pool_with_email_as_username(cognito, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    header = header_of(cognito, pool_id)
    done = run_import(cognito, pool_id, csv_text(header, [
        user_row("ann@example.com", email_verified="TRUE"),           # email filled from it
        user_row("bob@example.com", "bob@example.com"),
        user_row("carl", "carl@example.com"),                         # not an email
        user_row("dan@example.com", "other@example.com"),             # doesn't match
    ]))
    assert (done["Status"], done["ImportedUsers"], done["FailedUsers"]) == ("Succeeded", 2, 2)
    ann = cognito.admin_get_user(UserPoolId=pool_id, Username="ann@example.com")
    assert ann["UserStatus"] == "RESET_REQUIRED"
    assert ann["Username"] == attrs_of(ann)["sub"]  # the username is a UUID there
    assert attrs_of(ann)["email"] == "ann@example.com"
    app = password_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_in(cognito, app, "bob@example.com", PASSWORD)
    assert error(e)[0] == "PasswordResetRequiredException"


# --- rows that don't go in --------------------------------------------------------------------

def test_bad_rows_are_counted_and_reported(cognito, pool_id, http):
    create_user(cognito, pool_id, "existing")
    header = header_of(cognito, pool_id)
    done = run_import(cognito, pool_id, csv_text(header, [
        user_row("ok1", "ok1@example.com"),
        user_row("unverified", "u@example.com", email_verified="FALSE"),   # line 3
        user_row("", "nobody@example.com"),                               # line 4
        user_row("has space", "s@example.com"),                           # line 5
        user_row("badmail", "not-an-email"),                              # line 6
        user_row("nomfa", "n@example.com", **{"cognito:mfa_enabled": ""}),  # line 7
        user_row("existing", "e@example.com"),                            # line 8: skipped
        user_row("ok2", "ok2@example.com"),
        user_row("ok2", "ok2b@example.com"),                              # line 10: skipped
        user_row("bday", "b@example.com", birthdate="1985-02-01"),        # line 11
    ]) + "too,few,values\n")                                              # line 12
    assert done["Status"] == "Succeeded"
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 2, 7)
    lines = results(http, done)
    assert lines[0] == ("[FAILED] Line Number 3 - The User Record does not set any of the auto "
                        "verified attributes to true. (Example: email_verified to true).")
    assert lines[1].startswith("[FAILED] Line Number 4 - ")
    assert lines[3] == "[FAILED] Line Number 6 - Invalid email address format."
    assert "[SKIPPED] Line Number 8 - The user already exists." in lines
    assert "[SKIPPED] Line Number 10 - The user already exists." in lines
    assert lines[-1].startswith("[FAILED] Line Number 12 - ")
    # The existing user is untouched; nothing half-written for failed rows.
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="existing")["UserStatus"] == \
        "CONFIRMED"
    names = {u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]}
    assert names == {"existing", "ok1", "ok2"}
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="ok2"))["email"] == \
        "ok2@example.com"


def test_mfa_and_required_attributes(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"], MfaConfiguration="OFF",
                        Schema=[{"Name": "name", "AttributeDataType": "String",
                                 "Required": True, "Mutable": True}])
    header = header_of(cognito, pool_id)
    done = run_import(cognito, pool_id, csv_text(header, [
        user_row("a", "a@example.com", name="A"),
        user_row("b", "b@example.com"),                                      # name required
        user_row("c", "c@example.com", name="C", **{"cognito:mfa_enabled": "TRUE"}),  # MFA off
    ]))
    assert (done["ImportedUsers"], done["FailedUsers"]) == (1, 2)


def test_nothing_imported_fails_the_job(cognito, pool_id):
    header = header_of(cognito, pool_id)
    done = run_import(cognito, pool_id, csv_text(header, [
        user_row("x", "x@example.com", email_verified="FALSE")]))
    assert done["Status"] == "Failed"
    assert done["CompletionMessage"] == \
        "Too many users have failed or been skipped during the import."
    assert done["FailedUsers"] == 1


def test_custom_attributes_and_quoting(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"],
                        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}])
    header = header_of(cognito, pool_id)
    assert "custom:tier" in header
    text = csv_text(header, [user_row("q", "q@example.com", **{"custom:tier": "gold"})])
    done = run_import(cognito, pool_id, "\ufeff" + text)  # a BOM is tolerated
    assert done["ImportedUsers"] == 1
    assert attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="q"))["custom:tier"] == \
        "gold"


# --- the whole job fails ------------------------------------------------------------------------

@pytest.mark.parametrize("change", ["missing", "unknown", "duplicate"])
def test_header_mismatch_fails_the_job(cognito, pool_id, change):
    header = header_of(cognito, pool_id)
    if change == "missing":
        header = [h for h in header if h != "nickname"]
    elif change == "unknown":
        header = header + ["favourite_colour"]
    else:
        header = header + ["nickname"]
    done = run_import(cognito, pool_id, csv_text(header, [user_row("h", "h@example.com")]))
    assert done["Status"] == "Failed"
    assert done["CompletionMessage"].startswith("The CSV header does not match the user pool's")
    assert len(done["CompletionMessage"]) <= 128
    assert (done["ImportedUsers"], done["FailedUsers"]) == (0, 0)
    with pytest.raises(ClientError) as e:
        cognito.admin_get_user(UserPoolId=pool_id, Username="h")
    assert error(e)[0] == "UserNotFoundException"


def test_reordered_header_is_fine(cognito, pool_id):
    header = list(reversed(header_of(cognito, pool_id)))
    done = run_import(cognito, pool_id, csv_text(header, [user_row("r", "r@example.com")]))
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1)


def test_unparseable_file_fails_the_job(cognito, pool_id):
    job = new_job(cognito, pool_id)
    assert upload(job, b"cognito:username\n\xff\xfe\n").status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_done(cognito, pool_id, job["JobId"])
    assert done["Status"] == "Failed"
    assert done["CompletionMessage"].startswith("Unable to parse the CSV file")


# --- the upload URL -----------------------------------------------------------------------------

def test_upload_refusals(cognito, pool_id, clock):
    job = new_job(cognito, pool_id)
    url = job["PreSignedUrl"]
    forged = url.rsplit("X-Amz-Signature=", 1)[0] + "X-Amz-Signature=" + "0" * 64
    resp = httpx.put(forged, content=b"x", headers=SSE)
    assert resp.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in resp.text
    # The URL signs the encryption header: S3 refuses a PUT without it.
    assert upload(job, "x", headers={}).status_code == 403
    # Another job's signature doesn't fit this job.
    other = new_job(cognito, pool_id)
    swapped = other["PreSignedUrl"].replace(other["JobId"], job["JobId"])
    assert httpx.put(swapped, content=b"x", headers=SSE).status_code == 403
    # Declared too large: refused before any of the body is read.
    status, body = declare_only(url, 100 * 2**20 + 1)
    assert status == 400 and "<Code>EntityTooLarge</Code>" in body
    # Start without a file.
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e) == ("PreconditionNotMetException",
                        f"No csv file was uploaded for {job['JobId']}")
    # 15 minutes later the URL has expired.
    clock.pin()
    clock.advance(901)
    resp = upload(job, "x")
    assert resp.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in resp.text


def test_created_job_expires_after_a_day(cognito, pool_id, clock):
    job = new_job(cognito, pool_id)
    clock.pin()
    clock.advance(24 * 3600 + 1)
    assert cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
        "UserImportJob"]["Status"] == "Expired"
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e)[0] == "InvalidParameterException"


# --- start, stop, describe, list ----------------------------------------------------------------

def test_start_twice_and_stop_a_finished_job(cognito, pool_id):
    header = header_of(cognito, pool_id)
    job = new_job(cognito, pool_id)
    upload(job, csv_text(header, [user_row("t", "t@example.com")]))
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    code, message = error(e)
    assert code == "InvalidParameterException" and job["JobId"] in message
    wait_done(cognito, pool_id, job["JobId"])
    with pytest.raises(ClientError) as e:
        cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e) == ("InvalidParameterException",
                        f"Import job {job['JobId']} cannot be stopped: its status is Succeeded.")
    # Nor can a job that never started be stopped; upload after start is refused.
    fresh = new_job(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.stop_user_import_job(UserPoolId=pool_id, JobId=fresh["JobId"])
    assert error(e)[0] == "InvalidParameterException"
    assert upload(job, "x").status_code == 403


def user_count(cognito, pool_id) -> int:
    return cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"]


def test_stop_a_running_import(cognito, pool_id):
    header = header_of(cognito, pool_id)
    total = 50_000
    rows = [user_row(f"user{i}", f"user{i}@example.com") for i in range(total)]
    job = new_job(cognito, pool_id)
    assert upload(job, csv_text(header, rows)).status_code == 200
    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert started["UserImportJob"]["Status"] == "Pending"
    # Stop straight away. How far the import got by then is the machine's business: not
    # begun, some chunks in, every row in but not yet marked done - or, had this process
    # stalled for the whole import, finished (Stop is then refused). Each outcome is checked
    # for what must hold in it; none depends on timing.
    try:
        stopped = cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
            "UserImportJob"]
    except ClientError as refused:
        assert refused.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": f"Import job {job['JobId']} cannot be stopped: its status is Succeeded."}
        done = wait_done(cognito, pool_id, job["JobId"], timeout=120)  # a guard, not a bound
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", total)
        assert user_count(cognito, pool_id) == total
        return
    assert stopped["Status"] == "Stopped"
    assert stopped["CompletionMessage"] == "The Import Job was stopped by the developer."
    assert stopped["CompletionDate"] >= stopped["StartDate"]
    # Stop read the count in the same transaction that stopped the job, and the import
    # writes each chunk (its users and the count) in one transaction that first checks the
    # status: so this is the final count, and exactly the first `count` rows are users.
    count = stopped["ImportedUsers"]
    assert 0 <= count <= total
    # A later point, reached without a clock: a second import into the same pool runs to
    # its end; the stopped job's count, and the pool's users, are still what Stop said.
    second = run_import(cognito, pool_id, csv_text(header, [user_row("late", "l@example.com")]))
    assert (second["Status"], second["ImportedUsers"]) == ("Succeeded", 1)
    final = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
        "UserImportJob"]
    assert (final["Status"], final["ImportedUsers"]) == ("Stopped", count)
    assert final["CompletionDate"] == stopped["CompletionDate"]
    assert user_count(cognito, pool_id) == count + 1
    if count:
        cognito.admin_get_user(UserPoolId=pool_id, Username=f"user{count - 1}")
    if count < total:
        with pytest.raises(cognito.exceptions.UserNotFoundException):
            cognito.admin_get_user(UserPoolId=pool_id, Username=f"user{count}")
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e)[0] == "InvalidParameterException"


def test_list_newest_first_with_pagination(cognito, pool_id, clock):
    clock.pin()
    made = []
    for i in range(5):
        made.append(new_job(cognito, pool_id, f"job-{i}")["JobId"])
        clock.advance(1)
    seen, token = [], None
    while True:
        params = {"PaginationToken": token} if token else {}
        page = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, **params)
        assert len(page["UserImportJobs"]) <= 2
        seen += [j["JobId"] for j in page["UserImportJobs"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert seen == list(reversed(made))
    with pytest.raises(ClientError) as e:
        cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2,
                                      PaginationToken="not-a-token")
    assert error(e)[0] == "InvalidParameterException"


def test_unknown_ids(cognito, pool_id, make_pool):
    with pytest.raises(ClientError) as e:
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId="import-nope")
    assert error(e) == ("ResourceNotFoundException", "Import job import-nope does not exist.")
    for call in (cognito.start_user_import_job, cognito.stop_user_import_job):
        with pytest.raises(ClientError) as e:
            call(UserPoolId=pool_id, JobId="import-nope")
        assert error(e)[0] == "ResourceNotFoundException"
    missing = "us-east-1_NoSuchPool"
    with pytest.raises(ClientError) as e:
        cognito.create_user_import_job(UserPoolId=missing, JobName="j", CloudWatchLogsRoleArn=ROLE)
    assert error(e) == ("ResourceNotFoundException", f"User pool {missing} does not exist.")
    with pytest.raises(ClientError) as e:
        cognito.list_user_import_jobs(UserPoolId=missing, MaxResults=10)
    assert error(e)[0] == "ResourceNotFoundException"
    # A job belongs to its pool.
    job = new_job(cognito, pool_id)
    other = make_pool(AutoVerifiedAttributes=["email"])
    with pytest.raises(ClientError) as e:
        cognito.describe_user_import_job(UserPoolId=other, JobId=job["JobId"])
    assert error(e)[0] == "ResourceNotFoundException"


def test_pool_without_auto_verified_attributes(cognito, make_pool):
    pool_id = make_pool()
    job = new_job(cognito, pool_id)
    assert upload(job, csv_text(header_of(cognito, pool_id), [])).status_code == 200
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e)[0] == "PreconditionNotMetException"


def test_delete_pool_removes_jobs(cognito, make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"])
    job = new_job(cognito, pool_id)
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as e:
        cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error(e)[0] == "ResourceNotFoundException"
    assert upload(job, "x").status_code == 403


# --- the same users as AdminCreateUser, counters while running, the seed file ------------------

def test_an_imported_user_reads_back_as_an_admin_created_one(cognito, make_pool):
    """Import and AdminCreateUser end in the same users.create: record, aliases, filter
    index entries. Apart from ids, dates and the status (RESET_REQUIRED is what an import
    gives), the two read back the same, and every index finds the imported one."""
    pool_id = make_pool(AutoVerifiedAttributes=["email"],
                        AliasAttributes=["email", "preferred_username"])
    same = {"given_name": "Grace", "family_name": "Hopper", "name": "Grace B. Hopper",
            "phone_number": "+12065550100", "locale": "en-US"}
    done = run_import(cognito, pool_id, csv_text(header_of(cognito, pool_id), [
        user_row("imported", "imported@example.com", preferred_username="imp",
                 birthdate="12/09/1906", **same)]))
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1), done
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="created", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in {
            **same, "email": "created@example.com", "email_verified": "true",
            "preferred_username": "cre", "birthdate": "1906-12-09"}.items()])

    def shape(name, email, preferred):
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=name)
        attrs = attrs_of(user)
        sub = attrs.pop("sub")
        assert attrs.pop("email") == email and attrs.pop("preferred_username") == preferred
        for key in ("ResponseMetadata", "UserCreateDate", "UserLastModifiedDate", "UserStatus",
                    "UserAttributes"):
            user.pop(key)
        return sub, attrs, user

    sub, imported_attrs, imported = shape("imported", "imported@example.com", "imp")
    _, created_attrs, created = shape("created", "created@example.com", "cre")
    assert imported_attrs == created_attrs
    assert {**imported, "Username": "x"} == {**created, "Username": "x"}
    # The aliases: the verified email and preferred_username name the imported user.
    for alias in ("imported@example.com", "imp"):
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=alias)["Username"] == \
            "imported"
    # The filter indexes, each with = and ^=.
    for flt in ('email = "imported@example.com"', 'preferred_username = "imp"',
                f'sub = "{sub}"', 'username ^= "imp"', 'email ^= "imported@"',
                'cognito:user_status = "RESET_REQUIRED"'):
        found = cognito.list_users(UserPoolId=pool_id, Filter=flt)["Users"]
        assert [u["Username"] for u in found] == ["imported"], flt
    for flt in ('given_name = "Grace"', 'family_name ^= "Hop"', 'name = "Grace B. Hopper"',
                'phone_number = "+12065550100"', 'status = "Enabled"'):
        found = cognito.list_users(UserPoolId=pool_id, Filter=flt)["Users"]
        assert sorted(u["Username"] for u in found) == ["created", "imported"], flt


def test_counters_move_while_a_job_runs(cognito, endpoint, pool_id):
    """Each chunk of rows commits its users and the job's counters together, so another
    connection sees ImportedUsers climb while the job is InProgress (a chunk holds at most
    MAX_CHUNK_ROWS = 2,000 rows, so a 6,000-row job has at least three)."""
    other = make_client(endpoint)  # its own connections
    total = 6000
    rows = [user_row(f"mover{i}", f"mover{i}@example.com") for i in range(total)]
    job = new_job(cognito, pool_id)
    assert upload(job, csv_text(header_of(cognito, pool_id), rows)).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    seen = []
    deadline = time.time() + 120  # a guard, not a bound
    while not seen or seen[-1][0] in ("Pending", "InProgress"):
        assert time.time() < deadline, seen[-5:]
        now = other.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
            "UserImportJob"]
        seen.append((now["Status"], now["ImportedUsers"]))
        time.sleep(0.005)
    assert seen[-1] == ("Succeeded", total)
    counts = [n for _, n in seen]
    assert counts == sorted(counts)  # never back
    assert any(status == "InProgress" and 0 < n < total for status, n in seen), seen
    assert user_count(cognito, pool_id) == total


SEED_CSV = """\
pools:
  - Id: us-east-1_SeedCsv01
    PoolName: seeded-from-csv
    AutoVerifiedAttributes: [email]
    users_csv: data/users.csv
"""


def test_seed_file_loads_a_csv_of_users(tmp_path, cognito, email_pool):
    """A pool's `users_csv` (relative to the seed file) goes through the import code: the
    same users as an import job makes; a restart on the data directory skips those that exist."""
    header = header_of(cognito, email_pool)  # the default schema's columns, as GetCSVHeader
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "users.csv").write_text(csv_text(header, [
        user_row(f"seeded{i}", f"seeded{i}@example.com", given_name="Seeded")
        for i in range(300)]))
    (tmp_path / "seed.yaml").write_text(SEED_CSV)
    args = ["--data-dir", str(tmp_path / "store"), "--config", str(tmp_path / "seed.yaml")]
    for _ in range(2):  # the second start finds them all and skips them
        with RunningServer(args) as srv:
            client = make_client(srv.url)
            pool_id = "us-east-1_SeedCsv01"
            described = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
            assert described["EstimatedNumberOfUsers"] == 300
            user = client.admin_get_user(UserPoolId=pool_id, Username="seeded7")
            assert user["UserStatus"] == "RESET_REQUIRED"
            assert attrs_of(user)["email"] == "seeded7@example.com"
            found = client.list_users(UserPoolId=pool_id,
                                      Filter='email = "seeded299@example.com"')["Users"]
            assert [u["Username"] for u in found] == ["seeded299"]


def test_a_failed_row_in_the_seed_csv_stops_the_start(tmp_path, cognito, email_pool):
    header = header_of(cognito, email_pool)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "users.csv").write_text(csv_text(header, [
        user_row("fine", "fine@example.com"), user_row("bad", "not-an-email")]))
    (tmp_path / "seed.yaml").write_text(SEED_CSV)
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0",
                          "--in-memory", "--config", str(tmp_path / "seed.yaml")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode != 0
    assert "users_csv" in out.stderr and \
        "[FAILED] Line Number 3 - Invalid email address format." in out.stderr, out.stderr
