"""A user pool at a glance (issue #23, items 1 and 5).

    GET /_emulator/pool?pool=<id>

Sign-in options, MFA, Lambda triggers, app clients, domains and identity providers, read
from the records the Describe* operations answer from (domain/pools, clients, domains,
identity_providers; auth/mfa.get_config is GetUserPoolMfaConfig's answer), then the pool's
sign-ins over time by risk level and by risk decision (charts.py), from the auth events
threat protection stored (domain/threats.py, kind "authevent").
"""
from __future__ import annotations

from starlette.requests import Request

from ...auth import mfa
from ...domain import clients, domains, identity_providers, pools, threats, users
from ..templates import Markup, esc
from . import charts, layout, links
from .guard import console

LISTED = 60             # clients and identity providers shown (their List* page size)
CHART_EVENTS = 5000     # the charts read at most this many auth events of the pool
LEVELS = ["No risk", "Low", "Medium", "High"]
DECISIONS = ["NoRisk", "AccountTakeover", "Block"]


def facts(rows) -> str:
    """A <dl> of (term, value) pairs; values are escaped unless Markup."""
    items = "".join(f"<dt>{esc(term)}</dt><dd>{esc(value)}</dd>" for term, value in rows)
    return f'<dl class="facts">{items}</dl>'


def table(ident: str, caption: str, headings, rows: list[list], *,
          shown: bool = False) -> str:
    """A table with a caption and column headers (scope=col); the first cell of each row is
    its header (scope=row). Cells are escaped unless Markup. The caption names the table
    for screen readers; on screen the section's heading does (class sr-only) unless
    `shown`."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headings)
    body = "".join(
        f'<tr><th scope="row">{esc(row[0])}</th>'
        + "".join(f"<td>{esc(cell)}</td>" for cell in row[1:]) + "</tr>" for row in rows)
    hidden = "" if shown else ' class="sr-only"'
    return (f'<div class="scroll"><table id="{esc(ident)}"><caption{hidden}>{esc(caption)}'
            f'</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def listed(values) -> str:
    return ", ".join(str(v) for v in values or ()) or "none"


def _sign_in(pool: dict) -> str:
    admin = pool.get("AdminCreateUserConfig") or {}
    policy = (pool.get("Policies") or {})
    password = policy.get("PasswordPolicy") or {}
    factors = (policy.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    recovery = (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    rules = [f"at least {password.get('MinimumLength', 8)} characters"] + [
        what for flag, what in (("RequireUppercase", "upper case"),
                                ("RequireLowercase", "lower case"),
                                ("RequireNumbers", "numbers"), ("RequireSymbols", "symbols"))
        if password.get(flag)]
    return facts([
        ("Sign in with", "username" if not pools.username_attributes(pool)
         else listed(pools.username_attributes(pool))),
        ("Aliases", listed(pools.alias_attributes(pool))),
        ("Usernames case sensitive", "yes" if pools.case_sensitive(pool) else "no"),
        ("Self sign-up", "off (administrators only)" if admin.get("AllowAdminCreateUserOnly")
         else "on"),
        ("Auto-verified", listed(pool.get("AutoVerifiedAttributes"))),
        ("First sign-in factors", listed(factors) if factors else "PASSWORD (default)"),
        ("Password policy", ", ".join(rules)),
        ("Account recovery", listed(f"{m.get('Name')} ({m.get('Priority')})" for m in recovery)),
        ("Plan", pool.get("UserPoolTier") or "ESSENTIALS"),
        ("Deletion protection", pool.get("DeletionProtection") or "INACTIVE"),
    ])


def _mfa(pool: dict) -> str:
    config = mfa.get_config(pool)
    enabled = [name for key, name in (("SmsMfaConfiguration", "SMS"),
                                      ("EmailMfaConfiguration", "email"))
               if key in config]
    if (config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        enabled.append("authenticator app (TOTP)")
    webauthn = config.get("WebAuthnConfiguration") or {}
    return facts([
        ("MFA", config.get("MfaConfiguration", "OFF")),
        ("Factors", listed(enabled)),
        ("Passkeys", "relying party " + str(webauthn.get("RelyingPartyId") or "(default)")
         + f", user verification {webauthn.get('UserVerification') or 'preferred'}"
         if webauthn else "not configured"),
    ])


def _triggers(pool: dict) -> str:
    config = pool.get("LambdaConfig") or {}
    rows = []
    for name, value in sorted(config.items()):
        if isinstance(value, dict):   # CustomSMSSender / CustomEmailSender / PreTokenGeneration
            value = value.get("LambdaArn") or value
        rows.append([name, str(value)])
    if not rows:
        return '<p class="muted" id="no-triggers">No Lambda triggers.</p>'
    return table("triggers", "Lambda triggers", ("Trigger", "Function"), rows)


def _clients(store, pool: dict) -> str:
    found, more = clients.list_clients(store, pool["Id"], after=None, limit=LISTED)
    rows = [[c.get("ClientName"), Markup(f'<span class="mono">{esc(c["ClientId"])}</span>'),
             "yes" if clients.has_secret(c) else "no", listed(clients.flows(c)),
             listed(c.get("SupportedIdentityProviders")), listed(c.get("CallbackURLs"))]
            for c in found]
    if not rows:
        return '<p class="muted">No app clients.</p>'
    note = f'<p class="muted">Only the first {LISTED} are listed.</p>' if more else ""
    return table("clients", "App clients", ("Name", "Client id", "Secret", "Auth flows",
                                            "Identity providers", "Callback URLs"), rows) + note


def _domains(store, pool: dict) -> str:
    region = pools.owner(pool)[1]
    rows = [[d["domain"], "custom" if d["custom"] else "prefix",
             domains.hosted_ui_url(d, region), d.get("managedLoginVersion")]
            for d in domains.for_pool(store, pool)]
    if not rows:
        return '<p class="muted">No domain.</p>'
    return table("domains", "Domains", ("Domain", "Kind", "URL", "Managed login version"),
                 rows)


def _providers(store, pool: dict) -> str:
    found, more = identity_providers.page(store, pool["Id"], after=None, limit=LISTED)
    rows = [[p.get("ProviderName"), p.get("ProviderType")] for p in found]
    if not rows:
        return '<p class="muted">No identity providers.</p>'
    note = f'<p class="muted">Only the first {LISTED} are listed.</p>' if more else ""
    return table("providers", "Identity providers", ("Name", "Type"), rows) + note


def level_of(record: dict) -> str:
    return (record.get("EventRisk") or {}).get("RiskLevel") or "No risk"


def decision_of(record: dict) -> str:
    return (record.get("EventRisk") or {}).get("RiskDecision") or "NoRisk"


def sign_in_events(store, pool: dict) -> tuple[list[dict], bool]:
    """The pool's SignIn auth events (at most CHART_EVENTS read), and whether there were
    more. UNCONFIRMED how the AWS console buckets them; here by the narrowest of minute,
    ten minutes, hour, ... that fits in charts.MAX_BUCKETS."""
    rows = store.list(threats.KIND, pool["Id"], limit=CHART_EVENTS + 1)
    found = [r for _, r in rows[:CHART_EVENTS] if r.get("EventType") == "SignIn"
             and isinstance(r.get("CreationDate"), (int, float))]
    return found, len(rows) > CHART_EVENTS


def _threats(store, pool: dict) -> str:
    mode = (pool.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode") or "OFF"
    found, capped = sign_in_events(store, pool)
    by_level = charts.stacked_bars("chart-level", "Sign-ins by risk level",
                                   [(r["CreationDate"], level_of(r)) for r in found], LEVELS)
    by_decision = charts.stacked_bars("chart-decision", "Sign-ins by risk decision",
                                      [(r["CreationDate"], decision_of(r)) for r in found],
                                      DECISIONS)
    note = (f'<p class="muted">Only the first {CHART_EVENTS} stored events are counted.</p>'
            if capped else "")
    return (f'<p>Threat protection: <span class="badge mode-{esc(mode)}">{esc(mode)}</span> '
            f'<span class="muted">{len(found)} sign-in event(s) recorded</span></p>'
            f'{by_level}{by_decision}{note}')


@console
async def pool_page(request: Request):
    store = request.app.state.emu.store
    pool_id = request.query_params.get("pool") or ""
    pool = pools.get(store, pool_id) if pool_id else None
    if pool is None:
        return layout.page("User pool", "", status=404 if pool_id else 400,
                           crumbs=[("", pool_id or "?")], current="/_emulator/",
                           error=f"User pool {pool_id} does not exist." if pool_id
                           else "Give a pool: /_emulator/pool?pool=<id>.")
    count = users.count(store, pool["Id"])
    summary = facts([("Pool id", pool["Id"]), ("ARN", pool.get("Arn")),
                     ("Created", layout.when(pool.get("CreationDate"))), ("Users", count)])
    head = (f'<div class="panel">{summary}'
            f'<p><a id="users-link" href="{esc(links.users(pool["Id"]))}">Users of this pool'
            f'</a></p></div>')
    body = (head + layout.section("sign-in", "Sign-in", _sign_in(pool))
            + layout.section("mfa", "Multi-factor authentication", _mfa(pool))
            + layout.section("lambda", "Lambda triggers", _triggers(pool))
            + layout.section("app-clients", "App clients", _clients(store, pool))
            + layout.section("pool-domains", "Domains", _domains(store, pool))
            + layout.section("idps", "Identity providers", _providers(store, pool))
            + layout.section("threats", "Threat protection", _threats(store, pool)))
    return layout.page(f"User pool: {pool.get('Name') or pool['Id']}", body,
                       current="/_emulator/", crumbs=[("", pool.get("Name") or pool["Id"])])
