"""What an administrator does to one user: confirm the sign-up, enable or disable, reset the
password, sign out everywhere, delete. The Admin* operations (handlers/users.py,
handlers/tokens.py) and the console's admin actions (web/console/admin_actions.py) both call
these, inside the caller's transaction, with the pool and the user record already found.

In auth/ rather than domain/: disabling a user and signing it out revoke its tokens
(auth/tokens.py).
"""
from __future__ import annotations

import copy

from ..domain import codes, lifecycle, messages, signup, users
from ..errors import invalid, not_authorized
from . import tokens


def save(ctx, pool: dict, user: dict, previous: dict) -> None:
    """Write an administrator's change to the user (its last-modified date, its history)."""
    user["UserLastModifiedDate"] = ctx.now()
    users.save(ctx.store, pool, user, previous=previous)


def confirm_sign_up(ctx, pool: dict, user: dict, *, metadata: dict | None = None) -> None:
    """AdminConfirmSignUp: UNCONFIRMED -> CONFIRMED, then PostConfirmation."""
    if user["UserStatus"] != "UNCONFIRMED":
        raise not_authorized(f"User cannot be confirmed. Current status is {user['UserStatus']}")
    previous = copy.deepcopy(user)
    user["UserStatus"] = "CONFIRMED"
    user.get("_codes", {}).pop(codes.SIGN_UP, None)
    save(ctx, pool, user, previous)
    signup.post_confirmation(ctx, pool, user, source="ConfirmSignUp", client_id=None,
                             metadata=metadata)


def set_enabled(ctx, pool: dict, user: dict, enabled: bool) -> None:
    """AdminEnableUser / AdminDisableUser."""
    if user.get("Enabled", True) != enabled:
        previous = copy.deepcopy(user)
        user["Enabled"] = enabled
        save(ctx, pool, user, previous)
    if not enabled:
        # AWS: disabling a user revokes its tokens; enabling again does not bring them back.
        tokens.global_sign_out(ctx, pool, user)


def reset_password(ctx, pool: dict, user: dict, *, metadata: dict | None = None) -> None:
    """AdminResetUserPassword: invalidate the password (status RESET_REQUIRED) and send a
    FORGOT_PASSWORD code. A user who never replaced the temporary password can't be reset
    (Cognito's answer); an UNCONFIRMED user usually has nothing verified to send to, so gets
    the 'no registered/verified email or phone_number' error."""
    if user["UserStatus"] == "FORCE_CHANGE_PASSWORD":
        raise not_authorized("User password cannot be reset in the current state.")
    mechanisms = (pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    admin_only = [m["Name"] for m in mechanisms] == ["admin_only"]
    destination = users.recovery_attribute(pool, user)
    if destination is None and not admin_only:
        raise invalid("Cannot reset password for the user as there is no registered/verified "
                      "email or phone_number")
    previous = copy.deepcopy(user)
    user["UserStatus"] = "RESET_REQUIRED"
    code = None
    if destination is not None:
        code = codes.issue(user, codes.FORGOT_PASSWORD, ctx.now())
    save(ctx, pool, user, previous)
    if code is not None:
        messages.send_code(ctx, pool, user, purpose=codes.FORGOT_PASSWORD, code=code,
                           attribute=destination, source="ForgotPassword",
                           client_metadata=metadata)


def sign_out_everywhere(ctx, pool: dict, user: dict) -> None:
    """AdminUserGlobalSignOut: every refresh token and session of the user revoked."""
    tokens.global_sign_out(ctx, pool, user)


def delete(ctx, pool: dict, user: dict) -> None:
    """AdminDeleteUser: the user and everything that hangs off it."""
    lifecycle.delete_user(ctx.store, pool, user)
