"""GetUserAuthFactors / AdminGetUserAuthFactors: a user's choice-based sign-in options and
MFA settings (emulator.auth.choice decides what the options are)."""
from ..api.registry import operation
from ..auth import choice
from ..domain import users

# Kept on the user record by the MFA module.
_MFA_FIELDS = ("PreferredMfaSetting", "UserMFASettingList")


def _factors(ctx, pool: dict, user: dict) -> dict:
    out = {"Username": user["Username"]}
    for name in _MFA_FIELDS:
        if user.get(name):
            out[name] = user[name]
    out["ConfiguredUserAuthFactors"] = choice.configured_factors(ctx, pool, user)
    return out


@operation("GetUserAuthFactors")
def get_user_auth_factors(ctx, params):
    pool, user, _ = ctx.caller
    return _factors(ctx, pool, user)


@operation("AdminGetUserAuthFactors")
def admin_get_user_auth_factors(ctx, params):
    pool = ctx.pool
    return _factors(ctx, pool, users.require(ctx.store, pool, params["Username"]))
