"""The risk engine as a library: each signal on and off, levels, level x action x mode x MFA
eligibility, exception lists, compromised passwords, feedback, determinism. No server."""
import itertools

import pytest

from risk import (
    Config,
    Context,
    History,
    assess,
    decide,
    effective_mode,
    is_compromised,
    level_for,
    locate,
)
from risk.actions import DEFAULT_ACCOUNT_TAKEOVER_ACTIONS

T0 = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC
HOUR = 3600.0
SEATTLE = {"cidr": "198.51.100.0/24", "country": "US", "city": "Seattle",
           "lat": 47.61, "lon": -122.33}
TACOMA = {"cidr": "198.51.101.0/24", "country": "US", "city": "Tacoma",
          "lat": 47.25, "lon": -122.44}
NEW_YORK = {"cidr": "198.51.102.0/24", "country": "US", "city": "New York",
            "lat": 40.71, "lon": -74.0}
PARIS = {"cidr": "203.0.113.0/24", "country": "FR", "city": "Paris", "lat": 48.86, "lon": 2.35}
GEO = [SEATTLE, TACOMA, NEW_YORK, PARIS]
HOME_IP, TACOMA_IP, NY_IP, PARIS_IP = "198.51.100.7", "198.51.101.7", "198.51.102.7", "203.0.113.9"
CFG = Config(geo=GEO, bad_ip_ranges=["192.0.2.0/24"])


def ev(t, ip=HOME_IP, device="laptop", outcome="SUCCESS", feedback=None, place=SEATTLE):
    return {"time": t, "ip": ip, "device_id": device, "outcome": outcome, "feedback": feedback,
            "country": place["country"], "city": place["city"],
            "lat": place["lat"], "lon": place["lon"]}


def home_history(n=6, last=T0 - 24 * HOUR):
    """n daily sign-ins at home from the laptop, all at 15h UTC, the last one a day before T0."""
    return [ev(last - i * 24 * HOUR) for i in range(n)]


def ctx(**kw):
    base = {"now": T0, "ip": HOME_IP, "device_id": "laptop"}
    return Context(**{**base, **kw})


def names(a):
    return [s.name for s in a.signals]


# ---------------------------------------------------------------- each signal on and off
SIGNAL_CASES = [
    # (id, signal, context overrides, history events, ip failure times, fires?)
    ("baseline", None, {}, home_history(), [], False),
    ("new device", "NEW_DEVICE", {"device_id": "phone"}, home_history(), [], True),
    ("known device", "NEW_DEVICE", {}, home_history(), [], False),
    ("no fingerprint", "NEW_DEVICE", {"device_id": None}, home_history(), [], False),
    ("first sign-in", "NEW_DEVICE", {"device_id": "phone"}, [], [], False),
    ("new ip", "NEW_IP", {"ip": "198.51.100.8"}, home_history(), [], True),
    ("known ip", "NEW_IP", {}, home_history(), [], False),
    ("new country", "NEW_COUNTRY", {"ip": PARIS_IP, "now": T0 + 30 * 24 * HOUR},
     home_history(), [], True),
    ("iptocc country", "NEW_COUNTRY", {"ip": "81.2.69.142"}, home_history(), [], True),  # GB
    ("same country", "NEW_COUNTRY", {"ip": NY_IP}, home_history(), [], False),
    ("new city", "NEW_CITY", {"ip": NY_IP}, home_history(), [], True),
    ("new city not doubled by new country", "NEW_CITY", {"ip": PARIS_IP},
     home_history(), [], False),
    ("known city", "NEW_CITY", {"ip": "198.51.100.99"}, home_history(), [], False),
    ("impossible travel", "IMPOSSIBLE_TRAVEL", {"ip": PARIS_IP, "now": T0 - 23 * HOUR},
     home_history(), [], True),
    ("possible travel (a day)", "IMPOSSIBLE_TRAVEL", {"ip": PARIS_IP}, home_history(), [], False),
    ("nearby city in minutes", "IMPOSSIBLE_TRAVEL", {"ip": TACOMA_IP, "now": T0 - 24 * HOUR + 60},
     home_history(), [], False),
    ("unusual hour", "UNUSUAL_HOUR", {"now": T0 + 10 * HOUR}, home_history(), [], True),
    ("usual hour within window", "UNUSUAL_HOUR", {"now": T0 + 2 * HOUR}, home_history(), [], False),
    ("too little history for hours", "UNUSUAL_HOUR", {"now": T0 + 10 * HOUR},
     home_history(4), [], False),
    ("user failures", "FAILED_ATTEMPTS_USER", {},
     home_history() + [ev(T0 - 60 * i, outcome="FAILURE") for i in range(1, 4)], [], True),
    ("user failures too few", "FAILED_ATTEMPTS_USER", {},
     home_history() + [ev(T0 - 60 * i, outcome="FAILURE") for i in range(1, 3)], [], False),
    ("user failures too old", "FAILED_ATTEMPTS_USER", {},
     home_history() + [ev(T0 - HOUR - 60 * i, outcome="FAILURE") for i in range(1, 6)], [], False),
    ("ip failures", "FAILED_ATTEMPTS_IP", {}, home_history(), [T0 - i for i in range(5)], True),
    ("ip failures too few", "FAILED_ATTEMPTS_IP", {},
     home_history(), [T0 - i for i in range(4)], False),
    ("ip failures too old", "FAILED_ATTEMPTS_IP", {},
     home_history(), [T0 - 1000 - i for i in range(9)], False),
    ("bad ip", "BAD_IP_REPUTATION", {"ip": "192.0.2.66"}, home_history(), [], True),
    ("good ip", "BAD_IP_REPUTATION", {}, home_history(), [], False),
    ("compromised", "COMPROMISED_CREDENTIALS", {"password": "Password1"}, home_history(), [], True),
    ("strong password", "COMPROMISED_CREDENTIALS", {"password": "vX9#kq!Lm2@Rt"},
     home_history(), [], False),
]


@pytest.mark.parametrize("signal,overrides,events,ip_failures,fires",
                         [c[1:] for c in SIGNAL_CASES], ids=[c[0] for c in SIGNAL_CASES])
def test_signal(signal, overrides, events, ip_failures, fires):
    a = assess(ctx(**overrides), History(events, ip_failures), CFG)
    if signal is None:
        assert a.signals == () and a.level == "NO_RISK" and a.score == 0
        return
    assert (signal in names(a)) is fires, a.signals
    for s in a.signals:
        assert s.explanation and s.weight == CFG.weight_of[s.name]


def test_signal_weights_sum_to_score_and_are_configurable():
    events = home_history()
    a = assess(ctx(device_id="phone", ip=NY_IP), History(events), CFG)
    assert names(a) == ["NEW_DEVICE", "NEW_IP", "NEW_CITY"]
    assert a.score == 25 + 10 + 15 and a.level == "MEDIUM"
    tuned = Config(geo=GEO, weights={"NEW_DEVICE": 0, "NEW_CITY": 0})
    assert assess(ctx(device_id="phone", ip=NY_IP), History(events), tuned).level == "NO_RISK"


def test_workshop_story_new_device_abroad_an_hour_later_is_high():
    events = [ev(T0 - HOUR)]
    a = assess(ctx(device_id="phone", ip=PARIS_IP), History(events), CFG)
    assert names(a) == ["NEW_DEVICE", "NEW_IP", "NEW_COUNTRY", "IMPOSSIBLE_TRAVEL"]
    assert a.level == "HIGH" and a.location == {"country": "FR", "city": "Paris",
                                                "lat": 48.86, "lon": 2.35}


# ---------------------------------------------------------------- levels
@pytest.mark.parametrize("score,level", [(0, "NO_RISK"), (19.9, "NO_RISK"), (20, "LOW"),
                                         (39.9, "LOW"), (40, "MEDIUM"), (69.9, "MEDIUM"),
                                         (70, "HIGH"), (100, "HIGH")])
def test_level_thresholds(score, level):
    assert level_for(score) == level


def test_custom_thresholds():
    cfg = Config(geo=GEO, thresholds=(5, 10, 20))
    a = assess(ctx(ip="198.51.100.8"), History(home_history()), cfg)  # NEW_IP only: 10
    assert a.level == "MEDIUM"


# ---------------------------------------------------------------- geo
def test_geo_table_longest_prefix_then_iptocc():
    cfg = Config(geo=[{"cidr": "8.0.0.0/8", "country": "XX"},
                      {"cidr": "8.8.8.0/24", "country": "US", "city": "Mountain View",
                       "lat": 37.4, "lon": -122.1}])
    assert locate("8.8.8.8", cfg.geo_table).city == "Mountain View"
    assert locate("8.1.1.1", cfg.geo_table).country == "XX"
    assert locate("81.2.69.142").country == "GB"
    assert locate("81.2.69.142").city is None
    for ip in ("10.0.0.1", "127.0.0.1", "not-an-ip", "", None):
        assert locate(ip) is None


# ---------------------------------------------------------------- exception lists
EXC = Config(geo=GEO, blocked_ip_ranges=["203.0.113.0/24"],
             skipped_ip_ranges=["203.0.113.128/25", "192.0.2.0/24"],
             bad_ip_ranges=["192.0.2.0/24"])


def test_blocked_ip_is_high_and_blocks_in_every_mode_but_audit():
    a = assess(ctx(ip=PARIS_IP), History(home_history()), EXC)
    assert a.blocked_by_exception and a.level == "HIGH" and names(a) == ["IP_BLOCKED_BY_EXCEPTION"]
    d = decide(a, {}, "ENFORCED", mfa_eligible=True)
    assert (d.action, d.risk_decision, d.risk_level) == ("BLOCK", "Block", "High")
    assert decide(a, {}, "AUDIT", True).action == "ALLOW"
    assert decide(a, {}, "AUDIT", True).intended_action == "BLOCK"


def test_blocked_wins_over_skipped():
    assert assess(ctx(ip="203.0.113.200"), History(), EXC).blocked_by_exception


def test_skipped_ip_is_no_risk_and_skips_all_detection():
    a = assess(ctx(ip="192.0.2.5", device_id="phone", password="password"),
               History(home_history()), EXC)
    assert a.skipped and a.level == "NO_RISK" and a.signals == () and not a.compromised
    d = decide(a, {"AccountTakeoverRiskConfiguration": {"Actions": {}}}, "ENFORCED", False)
    assert (d.action, d.risk_decision, d.recorded) == ("ALLOW", "NoRisk", True)


def test_config_from_risk_configuration():
    rc = {"RiskExceptionConfiguration": {"BlockedIPRangeList": ["10.1.0.0/16"],
                                         "SkippedIPRangeList": ["10.2.0.0/16"]}}
    cfg = Config.from_risk_configuration(rc, geo=GEO)
    assert assess(ctx(ip="10.1.2.3"), History(), cfg).blocked_by_exception
    assert assess(ctx(ip="10.2.2.3"), History(), cfg).skipped
    assert not assess(ctx(ip="10.3.2.3"), History(), Config.from_risk_configuration(None)).skipped


# ---------------------------------------------------------------- compromised credentials
@pytest.mark.parametrize("password,hit", [("123456", True), ("password", True), ("Password", True),
                                          ("QWERTY", True), ("Tr0ub4dor&3-horse", False),
                                          ("", False), (None, False)])
def test_compromised_list(password, hit):
    assert is_compromised(password) is hit


def test_extra_compromised_passwords_and_no_password_repr():
    cfg = Config(compromised_passwords=["Workshop-Leak-2024"])
    assert assess(ctx(password="workshop-leak-2024"), History(), cfg).compromised
    assert "Workshop" not in repr(ctx(password="Workshop-Leak-2024"))


CC_BLOCK = {"CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}


@pytest.mark.parametrize("event,event_filter,mode,blocked", [
    ("SIGN_IN", None, "ENFORCED", True),
    ("SIGN_UP", None, "ENFORCED", True),
    ("PASSWORD_CHANGE", None, "ENFORCED", True),
    ("FORGOT_PASSWORD", None, "ENFORCED", True),
    ("SIGN_IN", ["SIGN_UP"], "ENFORCED", False),
    ("FORGOT_PASSWORD", ["PASSWORD_CHANGE"], "ENFORCED", True),
    ("SIGN_IN", None, "AUDIT", False),
])
def test_compromised_actions(event, event_filter, mode, blocked):
    rc = {"CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}
    if event_filter:
        rc["CompromisedCredentialsRiskConfiguration"]["EventFilter"] = event_filter
    a = assess(ctx(event=event, password="letmein"), History(home_history()), CFG)
    d = decide(a, rc, mode, True)
    assert d.compromised_detected and d.event_risk()["CompromisedCredentialsDetected"] is True
    assert (d.action == "BLOCK") is blocked and d.compromised_block is blocked


def test_compromised_no_action_and_default_record_only():
    a = assess(ctx(password="letmein"), History(home_history()), CFG)
    no_action = {"CompromisedCredentialsRiskConfiguration": {
        "Actions": {"EventAction": "NO_ACTION"}}}
    for rc in (no_action, {}):
        d = decide(a, rc, "ENFORCED", True)
        assert d.action == "ALLOW" and d.compromised_detected and not d.compromised_block


# ------------------------------------------------------------- level x action x mode x eligibility
def _level_assessment(level):
    """An assessment at each level from real signals."""
    setups = {"NO_RISK": {}, "LOW": {"device_id": "phone"},
              "MEDIUM": {"device_id": "phone", "ip": NY_IP},
              "HIGH": {"device_id": "phone", "ip": PARIS_IP, "now": T0 - 23 * HOUR}}
    a = assess(ctx(**setups[level]), History(home_history()), CFG)
    assert a.level == level
    return a


EXPECTED = {  # (EventAction, eligible) -> action when enforced
    ("BLOCK", True): "BLOCK", ("BLOCK", False): "BLOCK",
    ("MFA_IF_CONFIGURED", True): "MFA", ("MFA_IF_CONFIGURED", False): "ALLOW",
    ("MFA_REQUIRED", True): "MFA", ("MFA_REQUIRED", False): "BLOCK",
    ("NO_ACTION", True): "ALLOW", ("NO_ACTION", False): "ALLOW",
}
EMAIL = {"BLOCK": "BlockEmail", "MFA": "MfaEmail", "ALLOW": "NoActionEmail"}


@pytest.mark.parametrize("level,event_action,mode,eligible,notify", list(itertools.product(
    ["NO_RISK", "LOW", "MEDIUM", "HIGH"],
    ["BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION"],
    ["OFF", "AUDIT", "ENFORCED"], [True, False], [True, False])))
def test_level_action_mode_eligibility(level, event_action, mode, eligible, notify):
    a = _level_assessment(level)
    same = {"Notify": notify, "EventAction": event_action}
    rc = {"AccountTakeoverRiskConfiguration": {
        "NotifyConfiguration": {
            "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/x@example.com"},
        "Actions": {"LowAction": same, "MediumAction": same, "HighAction": same}}}
    d = decide(a, rc, mode, eligible)
    if mode == "OFF":
        assert (d.action, d.recorded, d.notify, d.risk_decision) == \
            ("ALLOW", False, False, "NoRisk")
        return
    assert d.recorded and d.enforced is (mode == "ENFORCED")
    if level == "NO_RISK":
        assert (d.action, d.risk_decision, d.risk_level, d.notify) == \
            ("ALLOW", "NoRisk", None, False)
        assert d.event_risk() == {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False}
        return
    expected = EXPECTED[(event_action, eligible)]
    assert d.risk_decision == "AccountTakeover" and d.risk_level == level.title()
    assert d.event_action == event_action and d.intended_action == expected
    if mode == "AUDIT":
        assert (d.action, d.notify, d.email) == ("ALLOW", False, None)
    else:
        assert d.action == expected and d.notify is notify
        assert d.email == (EMAIL[expected] if notify else None)


def test_each_level_uses_its_own_action_and_missing_level_is_no_action():
    rc = {"AccountTakeoverRiskConfiguration": {"Actions": {
        "LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
        "HighAction": {"Notify": True, "EventAction": "BLOCK"}}}}
    assert decide(_level_assessment("LOW"), rc, "ENFORCED", True).action == "ALLOW"
    medium = decide(_level_assessment("MEDIUM"), rc, "ENFORCED", True)
    assert (medium.action, medium.event_action, medium.notify) == ("ALLOW", "NO_ACTION", False)
    assert decide(_level_assessment("HIGH"), rc, "ENFORCED", True).action == "BLOCK"


@pytest.mark.parametrize("level,eligible,action", [
    ("LOW", False, "ALLOW"), ("LOW", True, "ALLOW"),
    ("MEDIUM", False, "ALLOW"), ("MEDIUM", True, "MFA"),
    ("HIGH", False, "BLOCK"), ("HIGH", True, "MFA"),
])
def test_cognito_defaults_without_account_takeover_config(level, eligible, action):
    d = decide(_level_assessment(level), {}, "ENFORCED", eligible)
    assert d.action == action and not d.notify
    assert d.event_action == \
        DEFAULT_ACCOUNT_TAKEOVER_ACTIONS[level.title() + "Action"]["EventAction"]


def test_adaptive_actions_apply_to_sign_in_only():
    a = assess(ctx(event="SIGN_UP", device_id="phone", ip=PARIS_IP, now=T0 - 23 * HOUR),
               History(home_history()), CFG)
    rc = {"AccountTakeoverRiskConfiguration": {"Actions": {
        "HighAction": {"Notify": True, "EventAction": "BLOCK"}}}}
    d = decide(a, rc, "ENFORCED", False)
    assert a.level == "HIGH" and d.action == "ALLOW" and d.risk_level == "High" and not d.notify


@pytest.mark.parametrize("add_ons,flow,mode", [
    (None, "STANDARD", "OFF"), (None, "CUSTOM", "OFF"),
    ({"AdvancedSecurityMode": "AUDIT"}, "STANDARD", "AUDIT"),
    ({"AdvancedSecurityMode": "AUDIT"}, "CUSTOM", "OFF"),
    ({"AdvancedSecurityMode": "ENFORCED",
      "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "AUDIT"}}, "CUSTOM", "AUDIT"),
    ({"AdvancedSecurityMode": "AUDIT",
      "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "ENFORCED"}}, "CUSTOM", "ENFORCED"),
    ({"AdvancedSecurityMode": "OFF",
      "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "ENFORCED"}}, "CUSTOM", "OFF"),
    ({"AdvancedSecurityMode": "ENFORCED"}, "STANDARD", "ENFORCED"),
])
def test_effective_mode(add_ons, flow, mode):
    assert effective_mode(add_ons, flow) == mode


# ---------------------------------------------------------------- feedback
def test_valid_feedback_makes_a_blocked_device_and_place_known():
    blocked = ev(T0 - 2 * HOUR, ip=PARIS_IP, device="phone", outcome="FAILURE", place=PARIS)
    later = ctx(device_id="phone", ip=PARIS_IP)
    before = assess(later, History(home_history() + [blocked]), CFG)
    assert {"NEW_DEVICE", "NEW_IP", "NEW_COUNTRY"} <= set(names(before))
    after = assess(later, History(home_history() + [{**blocked, "feedback": "VALID"}]), CFG)
    assert not {"NEW_DEVICE", "NEW_IP", "NEW_COUNTRY", "NEW_CITY"} & set(names(after))
    assert after.score < before.score


def test_invalid_feedback_raises_later_scores():
    attacker = ev(T0 - 2 * HOUR, ip=NY_IP, device="evil", place=NEW_YORK)  # it got in
    probe = ctx(device_id="evil", ip=NY_IP)
    trusting = assess(probe, History(home_history() + [attacker]), CFG)
    marked = assess(probe, History(home_history() + [{**attacker, "feedback": "INVALID"}]), CFG)
    assert trusting.level == "NO_RISK"
    assert "MATCHES_INVALID_FEEDBACK" in names(marked) and marked.level == "HIGH"
    # elsewhere, a recent INVALID still adds caution
    home = assess(ctx(), History(home_history() + [{**attacker, "feedback": "INVALID"}]), CFG)
    assert names(home) == ["RECENT_INVALID_FEEDBACK"]


# ---------------------------------------------------------------- determinism
def test_same_inputs_same_result():
    events = home_history(50) + [ev(T0 - 300, outcome="FAILURE", ip=NY_IP, place=NEW_YORK)]
    c = ctx(device_id="phone", ip=PARIS_IP, now=T0 + 3 * HOUR, password="hunter2")
    first = assess(c, History(events, [T0 - 5]), CFG)
    for order in (events, list(reversed(events))):
        again = assess(c, History(order, [T0 - 5]), Config(geo=GEO, bad_ip_ranges=["192.0.2.0/24"]))
        assert again == first and again.as_dict() == first.as_dict()
    rc = {"AccountTakeoverRiskConfiguration": {"Actions": {
        "HighAction": {"Notify": True, "EventAction": "MFA_REQUIRED"}}}}
    assert decide(first, rc, "ENFORCED", True) == decide(first, rc, "ENFORCED", True)


def test_future_events_are_ignored():
    # an event after ctx.now (clock pinned backwards) never counts as known or as a failure
    a = assess(ctx(device_id="phone"),
               History([ev(T0 + HOUR, device="phone")] + home_history()), CFG)
    assert "NEW_DEVICE" in names(a)
