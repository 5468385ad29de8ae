"""Threat protection configuration: SetRiskConfiguration / DescribeRiskConfiguration records
and the risk engine's Config per pool / client.

Stored as kind "riskconfig", scope = pool id (DeletePool removes them), key = client id or
POOL_KEY. A client's configuration replaces the pool's as a whole (COGNITO_REFERENCE 5.2)."""
from __future__ import annotations

import copy
import ipaddress

from ..errors import CognitoError, invalid

KIND = "riskconfig"
POOL_KEY = "*pool*"
SECTIONS = ("CompromisedCredentialsRiskConfiguration", "AccountTakeoverRiskConfiguration",
            "RiskExceptionConfiguration")

# Offline geolocation for tests and workshops (risk.Config.geo): the MaxMind test-database
# addresses people already use in examples. Anything else falls back to iptocc (country only).
# The config file's `risk: geo:` replaces it (seed.risk_from_file -> settings.extra["risk"]).
WORKSHOP_GEO = (
    {"cidr": "81.2.69.0/24", "country": "GB", "city": "London", "lat": 51.5142, "lon": -0.0931},
    {"cidr": "2.125.160.0/24", "country": "GB", "city": "Boxford", "lat": 51.75, "lon": -1.25},
    {"cidr": "216.160.83.0/24", "country": "US", "city": "Milton", "lat": 47.2513,
     "lon": -122.3149},
    {"cidr": "89.160.20.0/24", "country": "SE", "city": "Linköping", "lat": 58.4167,
     "lon": 15.6167},
)


def mode(pool: dict) -> str:
    return (pool.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode") or "OFF"


def require_add_on(pool: dict) -> None:
    """The threat-protection operations need the add-on on (COGNITO_REFERENCE 5.1); the
    message is UNCONFIRMED."""
    if mode(pool) == "OFF":
        raise CognitoError("UserPoolAddOnNotEnabledException", "Threat protection (advanced "
                           "security) is not enabled for this user pool.")


def _key(client_id: str | None) -> str:
    return client_id or POOL_KEY


def _check_cidrs(name: str, values) -> None:
    for value in values or ():
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise invalid(f"{name} contains an invalid CIDR block: {value}") from None


def validate(params: dict) -> None:
    """Semantic checks botocore's model can't express (wordings UNCONFIRMED)."""
    exceptions = params.get("RiskExceptionConfiguration") or {}
    _check_cidrs("BlockedIPRangeList", exceptions.get("BlockedIPRangeList"))
    _check_cidrs("SkippedIPRangeList", exceptions.get("SkippedIPRangeList"))
    ato = params.get("AccountTakeoverRiskConfiguration")
    if ato is not None:
        actions = ato.get("Actions") or {}
        if not any(actions.get(k) for k in ("LowAction", "MediumAction", "HighAction")):
            raise invalid("AccountTakeoverRiskConfiguration.Actions needs at least one of "
                          "LowAction, MediumAction, HighAction.")
        notifies = any((actions.get(k) or {}).get("Notify")
                       for k in ("LowAction", "MediumAction", "HighAction"))
        if notifies and not ato.get("NotifyConfiguration"):
            raise invalid("NotifyConfiguration is required when an action has Notify set to true.")
        notify = ato.get("NotifyConfiguration") or {}
        for name in ("BlockEmail", "NoActionEmail", "MfaEmail"):
            template = notify.get(name)
            if template and not (template.get("HtmlBody") or template.get("TextBody")):
                raise invalid(f"{name} needs an HtmlBody or a TextBody.")


def set_config(ctx, pool: dict, client_id: str | None, params: dict) -> dict:
    """SetRiskConfiguration. Only UserPoolId (+ ClientId) resets to defaults / inheritance."""
    validate(params)
    sections = {k: copy.deepcopy(params[k]) for k in SECTIONS if params.get(k) is not None}
    key = _key(client_id)
    if not sections:
        ctx.store.delete(KIND, pool["Id"], key)
        return blank(pool, client_id)
    record = {"UserPoolId": pool["Id"], **({"ClientId": client_id} if client_id else {}),
              **sections, "LastModifiedDate": ctx.now()}
    ctx.store.put(KIND, pool["Id"], key, record)
    return copy.deepcopy(record)


def blank(pool: dict, client_id: str | None) -> dict:
    return {"UserPoolId": pool["Id"], **({"ClientId": client_id} if client_id else {})}


def describe(store, pool: dict, client_id: str | None) -> dict:
    """DescribeRiskConfiguration: the client's own, else the pool's (what applies to the
    client; that Cognito answers so for an inheriting client is UNCONFIRMED), else a blank."""
    found = effective(store, pool, client_id)
    return copy.deepcopy(found) if found else blank(pool, client_id)


def effective(store, pool: dict, client_id: str | None) -> dict | None:
    """The configuration that applies to a sign-in through client_id."""
    if client_id:
        own = store.get(KIND, pool["Id"], client_id)
        if own is not None:
            return own
    return store.get(KIND, pool["Id"], POOL_KEY)


def delete_client(store, pool_id: str, client_id: str) -> None:
    store.delete(KIND, pool_id, client_id)


_CONFIGS: dict = {}
COMPROMISED_KEYS = ("compromised_passwords", "compromised_passwords_files",
                    "compromised_min_guesses_log10")


def engine_config(settings, pool_id: str, rc: dict | None):
    """One compiled risk.Config per configuration version (cached: compiling CIDRs per
    sign-in would cost more than the assessment). The engine is imported on first use only."""
    import risk
    exceptions = (rc or {}).get("RiskExceptionConfiguration") or {}
    extra = ((getattr(settings, "extra", None) or {}).get("risk") or {})
    cache_key = (pool_id, (rc or {}).get("ClientId"), (rc or {}).get("LastModifiedDate"),
                 repr(exceptions), id(extra) if extra else None)
    config = _CONFIGS.get(cache_key)
    if config is None:
        if len(_CONFIGS) > 1024:
            _CONFIGS.clear()
        # The config file's compromised-password settings (seed.risk_from_file), when given
        compromised = {k: (tuple(v) if isinstance(v, list) else v) for k, v in extra.items()
                       if k in COMPROMISED_KEYS}
        config = risk.Config.from_risk_configuration(
            rc, geo=tuple(extra.get("geo") or WORKSHOP_GEO),
            bad_ip_ranges=tuple(extra.get("bad_ip_ranges") or ()), **compromised)
        _CONFIGS[cache_key] = config
    return config
