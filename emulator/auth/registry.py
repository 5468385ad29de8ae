"""Who answers what in a sign-in: every AuthFlow and ChallengeName the pipeline knows, in
one table to read top to bottom (Cognito's API reference lists the same names). Nothing is
registered at import; a new flow or challenge gets a line here.

    INITIATORS      AuthFlow -> fn(signin, AuthParameters)
    RESPONDERS      ChallengeName -> fn(signin, ChallengeResponses, Session)
    MFA_RESPONDERS  ChallengeName -> the same, for an answer whose Session belongs to an MFA
                    challenge (EMAIL_OTP is both a USER_AUTH first factor and an MFA step)
    AFTER_PASSWORD_VERIFIER  the "after" marker of a PASSWORD_VERIFIER session another flow
                    asked for -> fn(signin, SrpAnswer) that decides instead of USER_SRP_AUTH
"""
from __future__ import annotations

from . import choice, custom, device_auth, mfa, password, refresh
from .shared import Initiator, Responder

INITIATORS: dict[str, Initiator] = {
    "USER_PASSWORD_AUTH": password.password_auth,
    "ADMIN_USER_PASSWORD_AUTH": password.password_auth,
    "ADMIN_NO_SRP_AUTH": password.password_auth,
    "USER_SRP_AUTH": password.srp_auth,
    "REFRESH_TOKEN_AUTH": refresh.refresh_auth,
    "REFRESH_TOKEN": refresh.refresh_auth,
    "CUSTOM_AUTH": custom.initiate,
    "USER_AUTH": choice.initiate,
}

RESPONDERS: dict[str, Responder] = {
    # USER_SRP_AUTH, and the password step of custom auth
    "PASSWORD_VERIFIER": password.answer_password_verifier,
    "NEW_PASSWORD_REQUIRED": password.answer_new_password,
    # CUSTOM_AUTH's loop
    "CUSTOM_CHALLENGE": custom.answer_custom_challenge,
    # USER_AUTH: the choice and its first factors
    "SELECT_CHALLENGE": choice.answer_select_challenge,
    "PASSWORD": choice.direct_answer("PASSWORD"),
    "PASSWORD_SRP": choice.direct_answer("PASSWORD_SRP"),
    "EMAIL_OTP": choice.otp_responder("EMAIL_OTP"),
    "SMS_OTP": choice.otp_responder("SMS_OTP"),
    "WEB_AUTHN": choice.answer_web_authn,
    # MFA
    "SMS_MFA": mfa.answer_sms,
    "SOFTWARE_TOKEN_MFA": mfa.answer_software_token,
    "SELECT_MFA_TYPE": mfa.answer_select,
    "MFA_SETUP": mfa.answer_setup,
    # remembered devices
    "DEVICE_SRP_AUTH": device_auth.answer_srp_auth,
    "DEVICE_PASSWORD_VERIFIER": device_auth.answer_password_verifier,
}

MFA_RESPONDERS: dict[str, Responder] = {
    "EMAIL_OTP": mfa.answer_email,
}

AFTER_PASSWORD_VERIFIER = {
    custom.AFTER: custom.answer_password_verifier,
}
