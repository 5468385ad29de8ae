"""decide(): assessment x risk configuration x mode x MFA eligibility -> what the sign-in does.

Cognito semantics (COGNITO_REFERENCE 5.2): per level an EventAction
  BLOCK             block
  MFA_IF_CONFIGURED MFA if the user can do MFA, else allow
  MFA_REQUIRED      MFA if the user can do MFA, else block
  NO_ACTION         allow
plus Notify. AUDIT records the risk but never acts or notifies; OFF gathers nothing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MODES = ("OFF", "AUDIT", "ENFORCED")
EVENT_ACTIONS = ("BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION")
_LEVEL_KEY = {"LOW": "LowAction", "MEDIUM": "MediumAction", "HIGH": "HighAction"}
API_LEVEL = {"LOW": "Low", "MEDIUM": "Medium", "HIGH": "High"}
_EMAIL = {"BLOCK": "BlockEmail", "MFA": "MfaEmail", "ALLOW": "NoActionEmail"}

# "Cognito defaults": the actions used when the pool / client has no AccountTakeover
# configuration. AWS doesn't document them (UNCONFIRMED); we pick a graded response that
# never locks out a user who has no MFA at low or medium risk, and no notices (no SES identity).
DEFAULT_ACCOUNT_TAKEOVER_ACTIONS: dict[str, dict[str, Any]] = {
    "LowAction": {"Notify": False, "EventAction": "NO_ACTION"},
    "MediumAction": {"Notify": False, "EventAction": "MFA_IF_CONFIGURED"},
    "HighAction": {"Notify": False, "EventAction": "MFA_REQUIRED"},
}
# Without a CompromisedCredentials configuration a hit is recorded, not acted on (UNCONFIRMED).
DEFAULT_COMPROMISED_ACTION = "NO_ACTION"
ALL_COMPROMISED_EVENTS = ("SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP")
# EventFilter has no FORGOT_PASSWORD: its confirm step sets a new password, i.e. a password change.
_FILTER_EVENT = {"SIGN_IN": "SIGN_IN", "SIGN_UP": "SIGN_UP", "PASSWORD_CHANGE": "PASSWORD_CHANGE",
                 "FORGOT_PASSWORD": "PASSWORD_CHANGE"}


@dataclass(frozen=True)
class Decision:
    action: str                  # what the caller does now: "ALLOW" | "MFA" | "BLOCK"
    intended_action: str         # what ENFORCED would do (== action when enforced); for the history
    risk_decision: str           # EventRisk.RiskDecision: "NoRisk" | "AccountTakeover" | "Block"
    risk_level: str | None       # EventRisk.RiskLevel: "Low" | "Medium" | "High" | None (no risk)
    compromised_detected: bool   # EventRisk.CompromisedCredentialsDetected
    event_action: str | None     # the configured EventAction that applied, if any
    notify: bool                 # send a notice now
    # which NotifyConfiguration template: BlockEmail | MfaEmail | NoActionEmail
    email: str | None
    compromised_block: bool      # blocked for compromised credentials (sign-in: set RESET_REQUIRED)
    recorded: bool               # write an auth event (False only when mode is OFF)
    enforced: bool
    reason: str

    def event_risk(self) -> dict:
        """EventRisk as AdminListUserAuthEvents returns it (no RiskLevel when NoRisk)."""
        out = {"RiskDecision": self.risk_decision,
               "CompromisedCredentialsDetected": self.compromised_detected}
        if self.risk_level:
            out["RiskLevel"] = self.risk_level
        return out

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def effective_mode(user_pool_add_ons: dict | None, flow: str = "STANDARD") -> str:
    """The mode for a flow from UserPoolAddOns: custom auth is covered only through
    AdvancedSecurityAdditionalFlows.CustomAuthMode, and never when the pool's mode is OFF."""
    add_ons = user_pool_add_ons or {}
    base = add_ons.get("AdvancedSecurityMode") or "OFF"
    if flow != "CUSTOM" or base == "OFF":
        return base
    return (add_ons.get("AdvancedSecurityAdditionalFlows") or {}).get("CustomAuthMode") or "OFF"


def _outcome(event_action: str, mfa_eligible: bool) -> str:
    if event_action == "BLOCK":
        return "BLOCK"
    if event_action == "MFA_IF_CONFIGURED":
        return "MFA" if mfa_eligible else "ALLOW"
    if event_action == "MFA_REQUIRED":
        return "MFA" if mfa_eligible else "BLOCK"
    return "ALLOW"


def _compromised_blocks(assessment, risk_configuration: dict) -> bool:
    cc = risk_configuration.get("CompromisedCredentialsRiskConfiguration")
    if not cc:
        return DEFAULT_COMPROMISED_ACTION == "BLOCK"
    events = cc.get("EventFilter") or ALL_COMPROMISED_EVENTS
    if _FILTER_EVENT.get(assessment.event) not in events:
        return False
    return (cc.get("Actions") or {}).get("EventAction") == "BLOCK"


def decide(assessment, risk_configuration: dict | None = None, mode: str = "ENFORCED",
           mfa_eligible: bool = False) -> Decision:
    """risk_configuration: the effective RiskConfigurationType dict (client's, else pool's).
    mode: effective_mode(...) for the request's flow. assessment may be None when mode is OFF."""
    if mode == "OFF" or assessment is None:
        return Decision("ALLOW", "ALLOW", "NoRisk", None, False, None, False, None, False,
                        recorded=False, enforced=False, reason="threat protection is off")
    rc = risk_configuration or {}
    enforced = mode == "ENFORCED"
    level = assessment.level
    api_level = API_LEVEL.get(level)
    event_action, notify_flag = None, False

    if assessment.blocked_by_exception:
        intended, risk_decision = "BLOCK", "Block"
        reason = "IP address in BlockedIPRangeList"
    elif assessment.skipped:
        intended, risk_decision, api_level = "ALLOW", "NoRisk", None
        reason = "IP address in SkippedIPRangeList"
    elif level == "NO_RISK":
        intended, risk_decision = "ALLOW", "NoRisk"
        reason = "no risk"
    else:
        risk_decision = "AccountTakeover"
        ato = rc.get("AccountTakeoverRiskConfiguration")
        actions = (ato or {}).get("Actions") if ato else DEFAULT_ACCOUNT_TAKEOVER_ACTIONS
        # A level the configuration leaves out gets no action (the API makes each one optional).
        chosen = ((actions or {}).get(_LEVEL_KEY[level])
                  or {"Notify": False, "EventAction": "NO_ACTION"})
        event_action = chosen.get("EventAction", "NO_ACTION")
        notify_flag = bool(chosen.get("Notify"))
        if assessment.event == "SIGN_IN":
            intended = _outcome(event_action, mfa_eligible)
        else:
            # Adaptive MFA / block applies to sign-in; other events record the risk (UNCONFIRMED).
            intended, notify_flag = "ALLOW", False
        reason = f"{level.lower()} risk: {event_action}" + (
            "" if mfa_eligible or event_action not in ("MFA_IF_CONFIGURED", "MFA_REQUIRED")
            else " (user has no MFA)")

    compromised_block = assessment.compromised and _compromised_blocks(assessment, rc)
    if compromised_block and intended != "BLOCK":
        intended, reason = "BLOCK", "compromised credentials"

    action = intended if enforced else "ALLOW"
    notify = enforced and notify_flag and event_action is not None
    return Decision(
        action=action, intended_action=intended, risk_decision=risk_decision,
        risk_level=api_level, compromised_detected=assessment.compromised,
        event_action=event_action, notify=notify, email=_EMAIL[intended] if notify else None,
        compromised_block=compromised_block and enforced, recorded=True, enforced=enforced,
        reason=reason if enforced else f"audit only; would {intended}: {reason}")
