"""MFA operations: the pool's MFA configuration, TOTP authenticators and the user's MFA
preferences. Logic in emulator/auth/mfa.py."""
import copy

from ..api.registry import operation
from ..auth import mfa
from ..domain import users
from ..errors import invalid


def _pool_and_user(ctx, params) -> tuple[dict, dict]:
    pool = ctx.pool
    return pool, users.require(ctx.store, pool, params["Username"])


def _save(ctx, pool: dict, user: dict, previous: dict) -> None:
    if user != previous:
        user["UserLastModifiedDate"] = ctx.now()
        users.save(ctx.store, pool, user, previous=previous)


# --- the pool ------------------------------------------------------------------------------

@operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx, params):
    pool = ctx.pool
    return mfa.set_config(ctx, pool, params)


@operation("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(ctx, params):
    return mfa.get_config(ctx.pool)


# --- TOTP authenticators -------------------------------------------------------------------

def _one_of(params: dict) -> None:
    if bool(params.get("AccessToken")) == bool(params.get("Session")):
        # Wording UNCONFIRMED.
        raise invalid("Exactly one of AccessToken or Session must be provided.")


@operation("AssociateSoftwareToken")
def associate_software_token(ctx, params):
    _one_of(params)
    if params.get("AccessToken"):
        pool, user, _ = ctx.caller
        previous = copy.deepcopy(user)
        secret = mfa.associate(pool, user)
        _save(ctx, pool, user, previous)
        return {"SecretCode": secret}
    # The MFA_SETUP challenge's Session: used up, a new one comes back for VerifySoftwareToken.
    secret, session = mfa.associate_during_setup(ctx, params["Session"])
    return {"SecretCode": secret, "Session": session}


@operation("VerifySoftwareToken")
def verify_software_token(ctx, params):
    _one_of(params)
    code, name = params["UserCode"], params.get("FriendlyDeviceName")
    if params.get("AccessToken"):
        pool, user, _ = ctx.caller
        previous = copy.deepcopy(user)
        mfa.verify(pool, user, code, ctx.now(), name)
        _save(ctx, pool, user, previous)
        return {"Status": "SUCCESS"}
    return {"Status": "SUCCESS", "Session": mfa.verify_during_setup(ctx, params["Session"], code,
                                                                    name)}


@operation("AdminDeleteSoftwareToken")
def admin_delete_software_token(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    previous = copy.deepcopy(user)
    mfa.delete_software_token(user)
    _save(ctx, pool, user, previous)
    return {}


# --- the user's preferences ------------------------------------------------------------------

@operation("SetUserMFAPreference")
def set_user_mfa_preference(ctx, params):
    pool, user, _ = ctx.caller
    previous = copy.deepcopy(user)
    mfa.set_preference(pool, user, params)
    _save(ctx, pool, user, previous)
    return {}


@operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    previous = copy.deepcopy(user)
    mfa.set_preference(pool, user, params)
    _save(ctx, pool, user, previous)
    return {}


@operation("SetUserSettings")
def set_user_settings(ctx, params):
    pool, user, _ = ctx.caller
    previous = copy.deepcopy(user)
    mfa.set_settings(user, params["MFAOptions"])
    _save(ctx, pool, user, previous)
    return {}


@operation("AdminSetUserSettings")
def admin_set_user_settings(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    previous = copy.deepcopy(user)
    mfa.set_settings(user, params["MFAOptions"])
    _save(ctx, pool, user, previous)
    return {}
