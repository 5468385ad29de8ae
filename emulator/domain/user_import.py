"""User import jobs: a CSV of users, uploaded to a pre-signed URL, imported into a pool.

Record (kind "user_import_job", scope = pool id, key = job id) is the UserImportJobType
that DescribeUserImportJob shows, plus private '_' fields:
    _signature   the unguessable X-Amz-Signature of the upload URL (checked on PUT)
    _upload      {"size", "md5", "at"} once a file was uploaded
    _log         the first lines of the per-row results, as CloudWatch would show them
                 ("[FAILED] Line Number 3 - ..."); served at GET .../log (emulator-only)

The upload URL points at this emulator (emulator/web/user_import.py stands in for S3). The
file is streamed to <data dir>/user-import/<pool>/<job>.csv (a temporary directory when in
memory) rather than kept in the store: it may be 100 MB, and the store holds small JSON
records. It is deleted once the job ends, as AWS deletes the job's data.

Lifecycle (DG "Creating and running the user pool import job"): Created -> (Start) Pending
-> InProgress -> Succeeded | Failed; Stop turns Pending/InProgress into Stopped; a Created
job not started within 24 hours reads as Expired. StartUserImportJob answers Pending and the
import runs in a background thread: rows go in chunks, each chunk one store transaction (so
API calls interleave with a long import), each user through users.create (atomic: a bad row
never leaves a half-written user). Stop is seen by the thread at its next chunk. A chunk is
sized to hold the store about CHUNK_SECONDS (50 to 2,000 rows): with 50 rows a commit, the
commits were a third of a 100,000-row import's time (docs/BENCHMARKS.md, "Scale").
"""
from __future__ import annotations

import csv
import hashlib
import logging
import os
import re
import secrets
import shutil
import string
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from ..errors import CognitoError, invalid, not_found
from . import attributes, ids, leases, paging, pool_config, pools, users

log = logging.getLogger("emulator.user_import")

KIND = "user_import_job"
URL_VALIDITY_SECONDS = 900          # DG: "valid for 15 minutes" (the CLI example shows 899)
EXPIRES_AFTER_SECONDS = 24 * 3600   # DG: Expired when not started "within 24-48 hours"
MAX_FILE_BYTES = 100 * 1024 * 1024  # DG: "The maximum .csv file size is 100 MB"
MAX_ROW_CHARS = 16000               # DG: "The maximum row length is 16,000 characters"
MAX_ROWS = 500_000                  # DG: header row not counted
CHUNK_SECONDS = 0.2    # a chunk of rows holds the store about this long (one transaction)
FIRST_CHUNK_ROWS = 50  # the first chunk's size, and the least; later ones are sized by time
MAX_CHUNK_ROWS = 2000  # and the most
MAX_LOG_LINES = 1000

ACTIVE = ("Pending", "InProgress")
SUCCEEDED_MESSAGE = "Import Job Completed Successfully."        # seen from the real service
STOPPED_MESSAGE = "The Import Job was stopped by the developer."  # DG / CLI examples
TOO_MANY_MESSAGE = "Too many users have failed or been skipped during the import."  # DG

_ALNUM = string.ascii_letters + string.digits
_POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
_JOB_ID = re.compile(r"^import-[0-9a-zA-Z-]+$")

# Jobs whose import thread runs in this process: a Pending/InProgress job that is not here
# was cut off (the emulator stopped mid-import) and reads as Failed, unless another process
# on the store runs it (leases.py: the lease is renewed with every chunk).
_RUNNING: set[tuple[str, str]] = set()
_RUNNING_LOCK = threading.Lock()
LEASE_SECONDS = 30.0


# --- the job record --------------------------------------------------------------------------

def _job_not_found(job_id: str) -> CognitoError:
    return not_found(f"Import job {job_id} does not exist.")  # wording UNCONFIRMED


def create(ctx, pool: dict, params: dict) -> dict:
    if params.get("PasswordHashingAlgorithm"):
        # Importing password hashes (the password_hash column) is not emulated.
        raise CognitoError("NotImplementedException",
                           "PasswordHashingAlgorithm (importing password hashes) is not "
                           "implemented by this Cognito emulator.")
    now = ctx.now()
    for _ in range(10):
        job_id = "import-" + "".join(secrets.choice(_ALNUM) for _ in range(10))
        if ctx.store.get(KIND, pool["Id"], job_id) is None:
            break
    signature = secrets.token_hex(32)
    job = {"JobName": params["JobName"], "JobId": job_id, "UserPoolId": pool["Id"],
           "PreSignedUrl": _presigned_url(ctx.settings, ctx.region, pool["Id"], job_id,
                                          signature, now),
           "CreationDate": now, "Status": "Created",
           "CloudWatchLogsRoleArn": params["CloudWatchLogsRoleArn"],
           "ImportedUsers": 0, "SkippedUsers": 0, "FailedUsers": 0,
           "_signature": signature}
    ctx.store.insert(KIND, pool["Id"], job_id, job)
    return job


def _presigned_url(settings, region: str, pool_id: str, job_id: str, signature: str,
                   now: float) -> str:
    """Shaped like the real S3 URL (query parameters of a SigV4 pre-signed PUT); only
    X-Amz-Signature is checked. The path names the pool too, as AWS's object key does."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    credential = quote(f"EMULATOR/{stamp[:8]}/{region}/s3/aws4_request", safe="")
    return (f"{settings.base_url}/_emulator/user-import/{pool_id}/{job_id}"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}"
            f"&X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption"
            f"&X-Amz-Expires={URL_VALIDITY_SECONDS}&X-Amz-Credential={credential}"
            f"&X-Amz-Signature={signature}")


def _settle(job: dict, now: float) -> dict:
    """The job as it reads now: a Created job older than a day has Expired; a running job
    whose thread is gone (the emulator stopped mid-import) has Failed (message UNCONFIRMED)."""
    status = job["Status"]
    if status == "Created" and now - job["CreationDate"] >= EXPIRES_AFTER_SECONDS:
        return {**job, "Status": "Expired"}
    if status in ACTIVE and not _alive(job):
        return {**job, "Status": "Failed", "CompletionDate": job.get("CompletionDate", now),
                "CompletionMessage": "The import job terminated before completion."}
    return job


def public(job: dict) -> dict:
    """UserImportJobType: the job without its private fields (the output's member order
    comes from the model: api/serialize.py)."""
    return {k: v for k, v in job.items() if not k.startswith("_")}


def require(ctx, pool: dict, job_id: str) -> dict:
    job = ctx.store.get(KIND, pool["Id"], job_id)
    if job is None:
        raise _job_not_found(job_id)
    return _settle(job, ctx.now())


def list_jobs(ctx, pool: dict, *, token: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Newest first (DG: "from last created to first created"); the token names the last
    job of the previous page."""
    now = ctx.now()
    jobs = [_settle(job, now) for _, job in ctx.store.list(KIND, pool["Id"])]
    jobs.sort(key=lambda j: (j["CreationDate"], j["JobId"]), reverse=True)
    return paging.page_of(jobs, "JobId", token, limit)


def start(ctx, pool: dict, job: dict) -> dict:
    """Created -> Pending; the caller then launches the import (launch())."""
    if job["Status"] != "Created":
        # Wording UNCONFIRMED.
        raise invalid(f"Import job {job['JobId']} cannot be started: its status is "
                      f"{job['Status']}.")
    if not pool.get("AutoVerifiedAttributes"):
        # DG: "If the user pool has no auto-verified attributes, the import job will not
        # start." (error and wording UNCONFIRMED)
        raise CognitoError("PreconditionNotMetException",
                           "The user pool has no auto-verified attributes (email or "
                           "phone_number); users can't be imported into it.")
    if not job.get("_upload") or not upload_path(ctx.settings, pool["Id"], job["JobId"]).exists():
        # Code and wording from https://github.com/aws-amplify/amplify-js/issues/6416 (a
        # console import: "No csv file was uploaded for import-9sHxosU7BP ... Error Code:
        # PreconditionNotMetException").
        raise CognitoError("PreconditionNotMetException",
                           f"No csv file was uploaded for {job['JobId']}")
    job = {**job, "Status": "Pending", "StartDate": ctx.now(), **leases.lease()}
    ctx.store.put(KIND, pool["Id"], job["JobId"], job)
    with _RUNNING_LOCK:
        _RUNNING.add((pool["Id"], job["JobId"]))
    return job


def stop(ctx, pool: dict, job: dict) -> dict:
    """Pending/InProgress -> Stopped at once (as the DG's example answers); the import
    thread notices at its next chunk. Rows imported so far stay."""
    if job["Status"] not in ACTIVE:
        # Wording UNCONFIRMED.
        raise invalid(f"Import job {job['JobId']} cannot be stopped: its status is "
                      f"{job['Status']}.")
    job = {**job, "Status": "Stopped", "CompletionDate": ctx.now(),
           "CompletionMessage": STOPPED_MESSAGE}
    ctx.store.put(KIND, pool["Id"], job["JobId"], job)
    return job


def log_lines(store, pool_id: str, job_id: str) -> list[str] | None:
    job = store.get(KIND, pool_id, job_id) if _valid_ids(pool_id, job_id) else None
    return None if job is None else list(job.get("_log") or [])


# --- the uploaded file -----------------------------------------------------------------------

def _valid_ids(pool_id: str, job_id: str) -> bool:
    return bool(_POOL_ID.match(pool_id) and _JOB_ID.match(job_id)) and len(job_id) <= 55


def _base_dir(settings) -> Path:
    return settings.files_dir("user-import")


def upload_path(settings, pool_id: str, job_id: str) -> Path:
    if not _valid_ids(pool_id, job_id):  # they become file names
        raise invalid("Invalid user pool or job id.")
    return _base_dir(settings) / pool_id / f"{job_id}.csv"


def forget_pool(settings, pool_id: str) -> None:
    """Remove a deleted pool's uploaded files (DeleteUserPool should call this)."""
    if _POOL_ID.match(pool_id):
        shutil.rmtree(_base_dir(settings) / pool_id, ignore_errors=True)


def _discard(settings, pool_id: str, job_id: str) -> None:
    try:
        upload_path(settings, pool_id, job_id).unlink(missing_ok=True)
    except (OSError, CognitoError):
        pass


class UploadRefused(Exception):
    """An S3-style refusal of a PUT to the pre-signed URL: (status, code, message)."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


_BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                  "provided. Check your key and signing method.")


def check_upload(store, now: float, pool_id: str, job_id: str, signature: str | None,
                 encryption: str | None) -> dict:
    """The job a PUT may upload to, or UploadRefused as S3 would answer. An unknown job or a
    wrong signature look alike (S3 can't tell them apart either). The URL signs the
    x-amz-server-side-encryption header, so S3 refuses a PUT without it (as the DG's curl
    and requests examples send it)."""
    job = store.get(KIND, pool_id, job_id) if _valid_ids(pool_id, job_id) else None
    if job is None or not signature or \
            not secrets.compare_digest(signature.encode(), job["_signature"].encode()) or \
            encryption != "aws:kms":
        raise UploadRefused(403, "SignatureDoesNotMatch", _BAD_SIGNATURE)
    if now > job["CreationDate"] + URL_VALIDITY_SECONDS:
        raise UploadRefused(403, "AccessDenied", "Request has expired",
                            **{"X-Amz-Expires": str(URL_VALIDITY_SECONDS)})
    if job["Status"] != "Created":
        # S3 itself would take the file; the job would never read it (UNCONFIRMED).
        raise UploadRefused(403, "AccessDenied", "Access Denied")
    return job


def too_large() -> UploadRefused:
    return UploadRefused(400, "EntityTooLarge",
                         "Your proposed upload exceeds the maximum allowed size",
                         MaxSizeAllowed=str(MAX_FILE_BYTES))


def receive(settings, pool_id: str, job_id: str):
    """A writer for the upload: feed chunks with write(), then commit() (atomic replace;
    returns size and md5) or abort()."""
    return _Receiver(upload_path(settings, pool_id, job_id))


class _Receiver:
    def __init__(self, final: Path):
        final.parent.mkdir(parents=True, exist_ok=True)
        self.final = final
        fd, self.temp = tempfile.mkstemp(prefix=final.stem + ".", suffix=".part",
                                         dir=final.parent)
        self.file = os.fdopen(fd, "wb")
        self.size = 0
        self.md5 = hashlib.md5()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_FILE_BYTES:
            raise too_large()
        self.md5.update(chunk)
        self.file.write(chunk)

    def commit(self) -> tuple[int, str]:
        self.file.close()
        os.replace(self.temp, self.final)
        return self.size, self.md5.hexdigest()

    def abort(self) -> None:
        self.file.close()
        try:
            os.unlink(self.temp)
        except OSError:
            pass


def record_upload(store, now: float, pool_id: str, job_id: str, receiver) -> str | None:
    """Put the received file in place and note it on the job (inside a transaction, so it
    can't race StartUserImportJob); its md5, or None (file dropped) when the job was started
    or deleted while the file came in - it would never be read."""
    job = store.get(KIND, pool_id, job_id)
    if job is None or job["Status"] != "Created":
        receiver.abort()
        return None
    size, md5 = receiver.commit()
    store.put(KIND, pool_id, job_id, {**job, "_upload": {"size": size, "md5": md5, "at": now}})
    return md5


# --- running an import -----------------------------------------------------------------------

def _alive(job: dict) -> bool:
    """Its import thread runs: here, or in another process whose lease is fresh."""
    elsewhere = leases.alive_elsewhere(job, LEASE_SECONDS)
    if elsewhere is not None:
        return elsewhere
    with _RUNNING_LOCK:
        return (job["UserPoolId"], job["JobId"]) in _RUNNING


def launch(emu, pool_id: str, job_id: str) -> None:
    """Run the import in a background thread. Started from StartUserImportJob's handler:
    its first store access waits until that request's transaction has committed."""
    threading.Thread(target=_run, args=(emu, pool_id, job_id), daemon=True,
                     name=f"user-import-{job_id}").start()


class ImportFailed(Exception):
    """The whole job fails (unreadable file, header mismatch); message is CompletionMessage."""


class _RowOutcome(Exception):
    def __init__(self, outcome: str, message: str):
        super().__init__(message)
        self.outcome, self.message = outcome, message


def _run(emu, pool_id: str, job_id: str) -> None:
    store, settings = emu.store, emu.settings
    path = None
    try:
        with store.transaction():
            job = store.get(KIND, pool_id, job_id)
            if job is None or job["Status"] != "Pending":
                return  # stopped (or the start rolled back) before we began
            store.put(KIND, pool_id, job_id, {**job, "Status": "InProgress", **leases.lease()})
        path = upload_path(settings, pool_id, job_id)
        try:
            _import_file(emu, pool_id, job_id, path)
        except ImportFailed as failure:
            _finish(emu, pool_id, job_id, "Failed", str(failure)[:128])
    except Exception:
        log.exception("user import job %s failed", job_id)
        try:
            _finish(emu, pool_id, job_id, "Failed", "The import job failed on an internal error.")
        except Exception:  # the store is gone (the emulator is shutting down)
            pass
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard((pool_id, job_id))
        _discard(settings, pool_id, job_id)


def _finish(emu, pool_id: str, job_id: str, status: str, message: str) -> None:
    with emu.store.transaction():
        job = emu.store.get(KIND, pool_id, job_id)
        if job is None or job["Status"] not in ACTIVE:
            return  # stopped meanwhile: Stopped stays
        emu.store.put(KIND, pool_id, job_id, {**job, "Status": status,
                                               "CompletionDate": emu.clock.now(),
                                               "CompletionMessage": message})


def _rows(path: Path):
    """(line number, header) first, then (line number, row) for each record. The DG asks
    for UTF-8 without a byte order mark; a BOM is tolerated (UNCONFIRMED). A backslash
    escapes a comma as the DG describes; double-quoted fields are read as CSV quotes
    (UNCONFIRMED: the DG says values should not be quoted)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, escapechar="\\", strict=False)
            for row in reader:
                yield reader.line_num, row
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Unable to parse the CSV file: {type(exc).__name__}.") from None


def _header_index(pool: dict, header: list[str]) -> dict[str, int]:
    expected = pool_config.csv_header(pool.get("SchemaAttributes", []))
    names = [h.strip() for h in header]
    missing = [n for n in expected if n not in names]
    unknown = [n for n in names if n not in expected]
    if missing or unknown or len(set(names)) != len(names):
        # DG: all of GetCSVHeader's columns must be present, in any order; the message is
        # ours (UNCONFIRMED) and, like CompletionMessage, at most 128 characters.
        detail = "; ".join(part for part in (
            "missing " + ", ".join(missing) if missing else "",
            "unknown " + ", ".join(unknown) if unknown else "",
            "duplicate columns" if len(set(names)) != len(names) else "") if part)
        raise ImportFailed(f"The CSV header does not match the user pool's: {detail}")
    return {name: i for i, name in enumerate(names)}


def _import_file(emu, pool_id: str, job_id: str, path: Path) -> None:
    tally = import_csv(emu, pool_id, path, job_id=job_id)
    if tally is None:
        return  # stopped, or the pool (and with it the job) was deleted
    with emu.store.transaction():
        job = emu.store.get(KIND, pool_id, job_id)
        if job is None or job["Status"] != "InProgress":
            return
        # The end: DG's example fails a job that imported nobody; where the real threshold
        # lies is UNCONFIRMED.
        failed = job["ImportedUsers"] == 0 and job["FailedUsers"] + job["SkippedUsers"]
        emu.store.put(KIND, pool_id, job_id, {
            **job, "Status": "Failed" if failed else "Succeeded",
            "CompletionDate": emu.clock.now(),
            "CompletionMessage": TOO_MANY_MESSAGE if failed else SUCCEEDED_MESSAGE})


class Tally:
    """What an import did so far: the job's three counters and its first log lines."""

    def __init__(self, job: dict | None = None):
        job = job or {}
        self.imported = job.get("ImportedUsers", 0)
        self.skipped = job.get("SkippedUsers", 0)
        self.failed = job.get("FailedUsers", 0)
        self.lines: list[str] = list(job.get("_log") or [])

    def note(self, line: int, outcome: _RowOutcome) -> None:
        if outcome.outcome == "SKIPPED":
            self.skipped += 1
        else:
            self.failed += 1
        if len(self.lines) < MAX_LOG_LINES:
            self.lines.append(f"[{outcome.outcome}] Line Number {line} - {outcome.message}")

    def onto(self, job: dict) -> dict:
        return {**job, "ImportedUsers": self.imported, "SkippedUsers": self.skipped,
                "FailedUsers": self.failed, "_log": self.lines}


def import_csv(emu, pool_id: str, path: Path, *, job_id: str | None = None) -> Tally | None:
    """Import the users of a CSV file in the import-job format into a pool, in chunks: each
    chunk's users are created (users.create, each atomic) in one store transaction, which
    with `job_id` first checks that the job is still InProgress and ends by writing its
    counters (so DescribeUserImportJob sees them move, and Stop leaves an exact count).
    The tally, or None when the job was stopped or the pool deleted meanwhile; ImportFailed
    when the file itself can't be imported. The seed file's `users_csv` comes here too.

    Rows are parsed and checked outside the transaction (the pure part of the work), and a
    chunk is sized so that its transaction lasts about CHUNK_SECONDS: long enough that a
    commit's cost is shared by many users, short enough that API calls interleave."""
    store = emu.store
    rows = _rows(path)
    first = next(rows, None)
    pool = pools.get(store, pool_id)
    if pool is None:
        return None
    if first is None:
        raise ImportFailed("Unable to parse the CSV file: it is empty.")
    index = _header_index(pool, first[1])
    tally = Tally()
    counted, size = 0, FIRST_CHUNK_ROWS
    while True:
        chunk = []   # (line, user to create | the row's outcome)
        for line, row in rows:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is no user
            counted += 1
            if counted > MAX_ROWS:
                raise ImportFailed(f"The CSV file has more than {MAX_ROWS} rows.")
            try:
                chunk.append((line, _user_from_row(pool, index, row, emu.clock.now())))
            except _RowOutcome as outcome:
                chunk.append((line, outcome))
            if len(chunk) == size:
                break
        started = time.monotonic()
        with store.transaction():
            pool = pools.get(store, pool_id)
            job = store.get(KIND, pool_id, job_id) if job_id else {}
            if pool is None or job is None or (job_id and job["Status"] != "InProgress"):
                return None
            if job_id:
                tally = Tally(job)
            for line, user in chunk:
                if isinstance(user, _RowOutcome):
                    tally.note(line, user)
                    continue
                try:
                    _create(store, pool, user)
                    tally.imported += 1
                except _RowOutcome as outcome:
                    tally.note(line, outcome)
            if job_id and chunk:  # the counters, and the runner's lease renewed (_alive)
                store.put(KIND, pool_id, job_id, {**tally.onto(job), **leases.lease()})
        if not chunk:
            return tally
        spent = time.monotonic() - started
        size = max(FIRST_CHUNK_ROWS, min(MAX_CHUNK_ROWS, int(
            len(chunk) * CHUNK_SECONDS / max(spent, 1e-3))))


# --- one row -----------------------------------------------------------------------------

_BIRTHDATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_OWN_COLUMNS = ("cognito:username", "cognito:mfa_enabled")


def _failed(message: str) -> _RowOutcome:
    return _RowOutcome("FAILED", message)


def _boolean(value: str, column: str) -> bool | None:
    if value == "":
        return None
    if value.lower() not in ("true", "false"):
        raise _failed(f"{column} must be true or false.")  # wording UNCONFIRMED
    return value.lower() == "true"


def _user_from_row(pool: dict, index: dict[str, int], row: list[str], now: float) -> dict:
    """The user record one CSV row describes (for users.create), or _RowOutcome. Reads no
    store. Row-level wording is UNCONFIRMED except where the DG quotes a CloudWatch line."""
    if sum(map(len, row)) + len(row) - 1 > MAX_ROW_CHARS:
        raise _failed(f"The row is longer than {MAX_ROW_CHARS} characters.")
    if len(row) != len(index):
        raise _failed("The number of values does not match the header.")
    # DG: leading and trailing white space in a value is trimmed.
    values = {name: row[i].strip() for name, i in index.items()}

    given = values["cognito:username"]
    if not given:
        raise _failed("cognito:username is required.")
    if any(c in given for c in " \t") or len(given) > 128:
        raise _failed("cognito:username must be at most 128 characters without spaces or tabs.")
    mfa = _boolean(values["cognito:mfa_enabled"], "cognito:mfa_enabled")
    if mfa is None:
        raise _failed("cognito:mfa_enabled is required.")
    setting = pool.get("MfaConfiguration", "OFF")
    if setting == "ON" and not mfa:
        raise _failed("cognito:mfa_enabled must be true: the user pool requires MFA.")
    if setting == "OFF" and mfa:
        raise _failed("cognito:mfa_enabled must be false: MFA is off in the user pool.")

    updates = []
    for name, value in values.items():
        if name in _OWN_COLUMNS or value == "":
            continue
        if name == "birthdate":
            # DG: birthdate comes as mm/dd/yyyy; stored as the schema's YYYY-MM-DD
            # (OIDC) - the conversion is UNCONFIRMED.
            m = _BIRTHDATE.match(value)
            if not m:
                raise _failed("birthdate must be in the format mm/dd/yyyy.")
            value = f"{m.group(3)}-{m.group(1)}-{m.group(2)}"
        updates.append({"Name": name, "Value": value})
    try:
        attrs = attributes.validate_updates(pool, updates, admin=True, creating=True)
    except CognitoError as err:
        raise _failed(err.message.strip()) from None

    sub = ids.sub()
    username = _username(pool, given, attrs, sub)
    for flag, attribute in attributes.VERIFIED_FLAGS.items():
        if attrs.get(flag) == "true" and not attrs.get(attribute):
            raise _failed(f"{flag} is true but {attribute} has no value.")
    auto = pool.get("AutoVerifiedAttributes") or []
    if not any(attrs.get(f"{a}_verified") == "true" for a in auto):
        # DG's CloudWatch example line.
        raise _failed("The User Record does not set any of the auto verified attributes to "
                      "true. (Example: email_verified to true).")
    try:
        attributes.check_required(pool, attrs)
    except CognitoError as err:
        raise _failed(err.message.strip()) from None

    user = {"Username": username, "Attributes": {"sub": sub, **attrs},
            "UserCreateDate": now, "UserLastModifiedDate": now,
            "Enabled": True, "UserStatus": "RESET_REQUIRED", "_password": None}
    if mfa:
        if not attrs.get("phone_number"):
            raise _failed("cognito:mfa_enabled is true but phone_number has no value.")
        # SMS MFA, as the MFA module stores it (UNCONFIRMED which factor Cognito turns on).
        user["UserMFASettingList"] = ["SMS_MFA"]
        user["PreferredMfaSetting"] = "SMS_MFA"
    return user


def _create(store, pool: dict, user: dict) -> None:
    """users.create, the call AdminCreateUser ends in (record, aliases, filter index entries,
    point-in-time history); a taken name is SKIPPED."""
    try:
        users.create(store, pool, user)
    except CognitoError as err:
        if err.code == "UsernameExistsException":
            raise _RowOutcome("SKIPPED", "The user already exists.") from None  # DG
        raise _failed(err.message.strip()) from None


def _username(pool: dict, given: str, attrs: dict, sub: str) -> str:
    """The stored username. In pools that sign in with email/phone (UsernameAttributes),
    cognito:username must be such a value; it fills that attribute (or must equal the
    column's value) and the user's username is its sub, as AdminCreateUser does there
    (UNCONFIRMED for import). Elsewhere it is kept, unless it looks like an alias."""
    allowed = pools.username_attributes(pool)
    if allowed:
        if "email" in allowed and attributes.looks_like_email(given):
            attribute = "email"
        elif "phone_number" in allowed and attributes.looks_like_phone(given):
            attribute = "phone_number"
        else:
            raise _failed("cognito:username must be an email address or phone number the "
                          "user pool signs in with.")
        if attrs.get(attribute) and attrs[attribute].lower() != given.lower():
            raise _failed(f"cognito:username does not match the {attribute} column.")
        attrs[attribute] = attrs.get(attribute) or given
        return sub
    problem = users.alias_format_problem(pool, given)
    if problem:
        raise _failed(problem)
    return given
