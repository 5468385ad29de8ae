"""Self-service operations (unsigned): sign-up, confirmation, password recovery, and what a
signed-in user may do with their access token (password, attributes, deleting themselves).

Logic lives in domain/signup.py; these handlers resolve the client or the token."""
import copy

from ..api.registry import operation
from ..domain import attributes, clients, lifecycle, pools, signup, users

# Set by the MFA module on the user record when the user has MFA settings.
_MFA_FIELDS = ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList")


def _client_and_pool(ctx, params) -> tuple[dict, dict]:
    client = clients.require_any(ctx.store, params["ClientId"])
    return client, pools.require(ctx.store, client["UserPoolId"])


# --- by ClientId ----------------------------------------------------------------------------

@operation("SignUp")
def sign_up(ctx, params):
    client, pool = _client_and_pool(ctx, params)
    return signup.sign_up(ctx, client, pool, params)


@operation("ConfirmSignUp")
def confirm_sign_up(ctx, params):
    client, pool = _client_and_pool(ctx, params)
    return signup.confirm_sign_up(ctx, client, pool, params)


@operation("ResendConfirmationCode")
def resend_confirmation_code(ctx, params):
    client, pool = _client_and_pool(ctx, params)
    return signup.resend_confirmation_code(ctx, client, pool, params)


@operation("ForgotPassword")
def forgot_password(ctx, params):
    client, pool = _client_and_pool(ctx, params)
    return signup.forgot_password(ctx, client, pool, params)


@operation("ConfirmForgotPassword")
def confirm_forgot_password(ctx, params):
    client, pool = _client_and_pool(ctx, params)
    return signup.confirm_forgot_password(ctx, client, pool, params)


# --- by AccessToken -------------------------------------------------------------------------

def _token_client(ctx, pool: dict, claims: dict) -> dict | None:
    """The app client the token was issued to (its Read/WriteAttributes apply)."""
    return clients.get(ctx.store, pool["Id"], str(claims.get("client_id", "")))


@operation("ChangePassword")
def change_password(ctx, params):
    pool, user, claims = ctx.caller
    signup.change_password(ctx, pool, user, params.get("PreviousPassword"),
                           params["ProposedPassword"],
                           client_id=str(claims.get("client_id", "")) or None)
    return {}


@operation("GetUser")
def get_user(ctx, params):
    pool, user, claims = ctx.caller
    # Only what the token's app client may read (its ReadAttributes).
    visible = attributes.readable(_token_client(ctx, pool, claims), user["Attributes"])
    out = {"Username": user["Username"], "UserAttributes": users.attribute_list(visible)}
    for name in _MFA_FIELDS:
        if user.get(name):
            out[name] = user[name]
    return out


@operation("UpdateUserAttributes")
def update_user_attributes(ctx, params):
    pool, user, claims = ctx.caller
    return signup.update_attributes(ctx, _token_client(ctx, pool, claims), pool, user,
                                    params["UserAttributes"],
                                    client_metadata=params.get("ClientMetadata"))


@operation("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx, params):
    pool, user, claims = ctx.caller
    details = signup.send_verification(ctx, pool, user, params["AttributeName"],
                                       source="VerifyUserAttribute",
                                       client_id=str(claims.get("client_id", "")) or None,
                                       client_metadata=params.get("ClientMetadata"))
    users.save(ctx.store, pool, user)
    return {"CodeDeliveryDetails": details}


@operation("VerifyUserAttribute")
def verify_user_attribute(ctx, params):
    pool, user, _ = ctx.caller
    signup.verify_attribute(ctx, pool, user, params["AttributeName"], params["Code"])
    return {}


@operation("DeleteUserAttributes")
def delete_user_attributes(ctx, params):
    pool, user, claims = ctx.caller
    names = params["UserAttributeNames"]
    attributes.check_writable(_token_client(ctx, pool, claims), names)
    previous = copy.deepcopy(user)
    if attributes.remove(pool, user, names, ctx.now(), admin=False):
        for name in names:
            (user.get("_pending") or {}).pop(name, None)
        users.save(ctx.store, pool, user, previous=previous)
    return {}


@operation("DeleteUser")
def delete_user(ctx, params):
    pool, user, _ = ctx.caller
    # No global sign-out: the user's tokens die with the user (authorize and refresh look
    # the user up and match the sub, so a later namesake can't inherit them), and calls
    # with them answer "User does not exist." as Cognito does for deleted users.
    lifecycle.delete_user(ctx.store, pool, user)
    return {}
