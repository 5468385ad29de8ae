"""SetLogDeliveryConfiguration / GetLogDeliveryConfiguration, and the local sink that stands in
for the log destinations.

Stored as kind "logdelivery", scope = pool id (DeletePool removes it), key "config": the
LogDeliveryConfigurationType as the API returns it.

Nothing leaves the machine: with an `userAuthEvents` / INFO configuration every user auth
event threat protection records is appended as one JSON line to
`<log dir>/<pool id>/<destination name>.jsonl`, the destination name being the last part of
the log group / bucket / stream ARN. The log dir is Settings.log_dir, else `<data dir>/logs`,
else (in-memory) a temporary directory this process owns. GET /_emulator/logs/<pool id>
(emulator/web/risk_feedback.py) reads the lines back. `userNotification` (ERROR lines about
failed message deliveries) is stored but writes nothing: the emulator's outbox never fails."""
from __future__ import annotations

import copy
import json
import os
import re
import threading
from pathlib import Path

from ..errors import CognitoError, invalid

KIND = "logdelivery"
KEY = "config"
DESTINATIONS = {"CloudWatchLogsConfiguration": "LogGroupArn", "S3Configuration": "BucketArn",
                "FirehoseConfiguration": "StreamArn"}
# Which level each source logs at, and where it may go (DG "Exporting logs from user pools":
# notification errors go to CloudWatch Logs only; the wording of our errors is UNCONFIRMED).
SOURCE_LEVEL = {"userNotification": "ERROR", "userAuthEvents": "INFO"}
SOURCE_DESTINATIONS = {"userNotification": ("CloudWatchLogsConfiguration",),
                       "userAuthEvents": tuple(DESTINATIONS)}
_CACHE = "logdelivery"
_WRITE_LOCK = threading.Lock()


# --- configuration ---------------------------------------------------------------------------

def _check(pool: dict, configs: list[dict]) -> None:
    seen = set()
    for config in configs:
        source, level = config["EventSource"], config["LogLevel"]
        if source in seen:
            raise invalid(f"Only one log configuration is allowed per event source: {source}")
        seen.add(source)
        if SOURCE_LEVEL[source] != level:
            raise invalid(f"LogLevel {level} is not supported for EventSource {source}; "
                          f"use {SOURCE_LEVEL[source]}.")
        given = [name for name in DESTINATIONS if config.get(name)]
        if len(given) != 1:
            raise invalid("Each log configuration needs exactly one of "
                          "CloudWatchLogsConfiguration, S3Configuration, FirehoseConfiguration.")
        if given[0] not in SOURCE_DESTINATIONS[source]:
            raise invalid(f"EventSource {source} can only be delivered to CloudWatch Logs.")
        if source == "userAuthEvents" and pool.get("UserPoolTier") != "PLUS":
            # User-activity export is a threat-protection feature (Plus plan).
            raise CognitoError("FeatureUnavailableInTierException",
                               "User auth events log delivery requires the PLUS feature plan.")


def set_config(ctx, pool: dict, configs: list[dict]) -> dict:
    """SetLogDeliveryConfiguration: replaces the pool's configuration (an empty list clears it)."""
    _check(pool, configs)
    record = {"UserPoolId": pool["Id"], "LogConfigurations": copy.deepcopy(configs)}
    if configs:
        ctx.store.put(KIND, pool["Id"], KEY, record)
    else:
        ctx.store.delete(KIND, pool["Id"], KEY)
    ctx.emu.invalidate()  # other processes on the store cached the old destination too
    return copy.deepcopy(record)


def get_config(store, pool: dict) -> dict:
    found = store.get(KIND, pool["Id"], KEY)
    return copy.deepcopy(found) if found else {"UserPoolId": pool["Id"], "LogConfigurations": []}


def _auth_events_destination(ctx, pool_id: str) -> str | None:
    """The userAuthEvents destination name, cached per pool (one store read per pool and
    process, not one per sign-in; set_config and /_emulator/reset start a new generation, which
    empties the cache of every process on the store: service.Emulator.invalidate)."""
    cache = ctx.emu.cache
    key = (_CACHE, pool_id)
    if key not in cache:
        found = ctx.store.get(KIND, pool_id, KEY) or {}
        name = None
        for config in found.get("LogConfigurations") or ():
            if config.get("EventSource") == "userAuthEvents":
                name = destination_name(config)
        cache[key] = name
    return cache[key]


def destination_name(config: dict) -> str:
    """my-group from arn:aws:logs:...:log-group:my-group, my-bucket from arn:aws:s3:::my-bucket,
    my-stream from arn:aws:firehose:...:deliverystream/my-stream (made safe as a file name)."""
    for section, field in DESTINATIONS.items():
        arn = (config.get(section) or {}).get(field)
        if arn:
            tail = arn.split(":", 5)[-1]
            for prefix in ("log-group:", "deliverystream/"):
                if tail.startswith(prefix):
                    tail = tail[len(prefix):]
            tail = tail.rstrip(":*").strip("/") or "destination"
            return re.sub(r"[^\w.-]", "_", tail)
    return "destination"


# --- the sink --------------------------------------------------------------------------------

def log_dir(settings) -> Path:
    if getattr(settings, "log_dir", None):
        return Path(settings.log_dir)
    return settings.files_dir("logs")


def _pool_dir(settings, pool_id: str) -> Path:
    # The model's UserPoolIdType: a file name of at most 55 ASCII characters.
    if len(pool_id) > 55 or not re.fullmatch(r"[\w-]+_[0-9a-zA-Z]+", pool_id, re.ASCII):
        raise invalid("Invalid user pool id.")
    return log_dir(settings) / pool_id


def export_line(pool: dict, user: dict, event: dict) -> dict:
    """One exported user auth event. Field names follow the DG's example of exported
    userAuthEvents logs as far as we know it (the exact set is UNCONFIRMED); values are the
    AdminListUserAuthEvents ones."""
    risk = event.get("EventRisk") or {}
    context = event.get("EventContextData") or {}
    feedback = event.get("EventFeedback") or {}
    return {
        "eventTimestamp": int(event["CreationDate"] * 1000),
        "eventId": event["EventId"], "eventType": event["EventType"],
        "userSub": user["Attributes"].get("sub"), "userName": user["Username"],
        "clientId": event.get("_clientId"), "userPoolId": pool["Id"],
        "eventResponse": event["EventResponse"],
        "riskLevel": risk.get("RiskLevel") or "", "riskDecision": risk.get("RiskDecision"),
        "compromisedCredentialDetected": bool(risk.get("CompromisedCredentialsDetected")),
        "challenges": event.get("ChallengeResponses") or [],
        "ipAddress": context.get("IpAddress") or "", "city": context.get("City") or "",
        "country": context.get("Country") or "", "deviceName": context.get("DeviceName") or "",
        "timezone": context.get("Timezone") or "",
        "feedbackValue": feedback.get("FeedbackValue") or "",
        # the call carried ContextData / UserContextData (the hosted pages always do)
        "hasContextData": bool((event.get("_risk") or {}).get("hasContextData")),
        "logLevel": "INFO", "eventSource": "USER_AUTH_EVENTS",
    }


def auth_event(ctx, pool: dict, user: dict, event: dict) -> None:
    """Append a finished auth event to the pool's userAuthEvents sink, if one is configured.
    (Written at once, not at commit: a line may outlive a call that later failed - as with
    best-effort delivery in the real service.)"""
    name = _auth_events_destination(ctx, pool["Id"])
    if name is None:
        return
    folder = _pool_dir(ctx.settings, pool["Id"])
    line = json.dumps(export_line(pool, user, event), ensure_ascii=False)
    with _WRITE_LOCK:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{name}.jsonl", "a", encoding="utf-8") as sink:
            sink.write(line + "\n")


def read_lines(settings, pool_id: str) -> dict[str, list[dict]]:
    """{destination name: [lines]} of a pool's sink files."""
    folder = _pool_dir(settings, pool_id)
    out: dict[str, list[dict]] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as sink:
            out[path.stem] = [json.loads(line) for line in sink if line.strip()]
    return out


def sink_path(settings, pool_id: str, name: str) -> str:
    return os.fspath(_pool_dir(settings, pool_id) / f"{name}.jsonl")
