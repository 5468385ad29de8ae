"""User administration (IAM): AdminCreateUser ... ListUsers."""
import copy
import json

from ..api.registry import operation
from ..auth import user_admin
from ..domain import (
    attributes,
    codes,
    ids,
    messages,
    paging,
    passwords,
    pools,
    signup,
    user_filter,
    users,
)
from ..errors import CognitoError, invalid

LIST_LIMIT = 60


def _pool_and_user(ctx, params) -> tuple[dict, dict]:
    pool = ctx.pool
    return pool, users.require(ctx.store, pool, params["Username"])


# --- AdminCreateUser ------------------------------------------------------------------------

def _username_attribute(pool: dict, username: str) -> str | None:
    """In pools that sign in with email/phone, the attribute the given Username fills."""
    allowed = pools.username_attributes(pool)
    if not allowed:
        return None
    if "email" in allowed and attributes.looks_like_email(username):
        return "email"
    if "phone_number" in allowed and attributes.looks_like_phone(username):
        return "phone_number"
    if "email" in allowed and "phone_number" in allowed:
        raise invalid("Username should be either an email or a phone number.")
    raise invalid("Username should be an email." if "email" in allowed
                  else "Username should be a phone number.")


def _check_not_alias_format(pool: dict, username: str) -> None:
    problem = users.alias_format_problem(pool, username)
    if problem:
        raise invalid(problem)


def _invite_mediums(params: dict, attrs: dict) -> list[str]:
    """Which messages the invitation goes out as. AWS's default is SMS; when that was only
    defaulted and the user has no phone but an email, the invitation goes by email (what
    users see from real Cognito). Media asked for explicitly need their attribute. EMAIL
    without email: from https://github.com/rahulpsd18/cognito-backup-restore/issues/25
    (InvalidParameterException "No email provided but desired delivery medium was Email",
    AdminCreateUser against a real pool); the SMS wording is UNCONFIRMED."""
    asked = params.get("DesiredDeliveryMediums")
    if not asked:
        if attrs.get("phone_number"):
            return ["SMS"]
        return ["EMAIL"] if attrs.get("email") else []
    for medium in asked:
        if medium == "SMS" and not attrs.get("phone_number"):
            raise invalid("Invalid phone number format.")
        if medium == "EMAIL" and not attrs.get("email"):
            raise invalid("No email provided but desired delivery medium was Email")
    return list(dict.fromkeys(asked))


def _temporary_password(pool: dict, params: dict) -> str:
    given = params.get("TemporaryPassword")
    if given is not None:
        passwords.check(pool, given)
        return given
    return passwords.temporary(pool)


def _resend(ctx, pool: dict, params: dict) -> dict:
    user = users.require(ctx.store, pool, params["Username"])
    if user["UserStatus"] != "FORCE_CHANGE_PASSWORD":
        raise CognitoError("UnsupportedUserStateException",
                           f"Resend not possible. {user['Username']} status is not "
                           "FORCE_CHANGE_PASSWORD.")
    previous = copy.deepcopy(user)
    password = _temporary_password(pool, params)
    now = ctx.now()
    users.set_password(pool, user, password, temporary=True, now=now)
    user["UserLastModifiedDate"] = now
    users.save(ctx.store, pool, user, previous=previous)
    messages.send_invitation(ctx, pool, user, password=password,
                             mediums=_invite_mediums(params, user["Attributes"]),
                             client_metadata=params.get("ClientMetadata"))
    return {"User": users.public(user)}


@operation("AdminCreateUser")
def admin_create_user(ctx, params):
    pool = ctx.pool
    if params.get("MessageAction") == "RESEND":
        return _resend(ctx, pool, params)
    given = params["Username"]
    values = attributes.validate_updates(pool, params.get("UserAttributes", []), admin=True,
                                         creating=True)
    sub = ids.sub()
    username_attribute = _username_attribute(pool, given)
    if username_attribute:
        # Email/phone is the sign-in name; the stored username is the sub (a UUID).
        values[username_attribute] = given
        username = sub
    else:
        _check_not_alias_format(pool, given)
        username = given
    attrs = {"sub": sub, **{k: v for k, v in values.items() if k != "sub"}}
    attributes.check_required(pool, attrs)
    password = _temporary_password(pool, params)
    mediums = [] if params.get("MessageAction") == "SUPPRESS" else _invite_mediums(params, attrs)

    now = ctx.now()
    user = {"Username": username, "Attributes": attrs, "UserStatus": "FORCE_CHANGE_PASSWORD",
            "Enabled": True, "UserCreateDate": now, "UserLastModifiedDate": now}
    # The temporary password expires after TemporaryPasswordValidityDays from _password.setAt.
    users.set_password(pool, user, password, temporary=True, now=now)
    # Triggers before writes: PreSignUp may refuse (its response is ignored for admin-created
    # users), CustomMessage composes the invitation.
    signup.pre_sign_up(ctx, pool, user, source="AdminCreateUser", client_id=None, params=params)
    invitation = messages.prepare_invitation(ctx, pool, user, password=password, mediums=mediums,
                                             client_metadata=params.get("ClientMetadata"))
    if params.get("ForceAliasCreation"):
        signup.take_aliases(ctx, pool, attrs)
    users.create(ctx.store, pool, user)
    messages.deliver(ctx, invitation)
    return {"User": users.public(user)}


# --- reading, deleting, enabling --------------------------------------------------------------

# Set by the MFA module on the user record when the user has MFA settings; shown as stored.
_MFA_FIELDS = ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList")


@operation("AdminGetUser")
def admin_get_user(ctx, params):
    _, user = _pool_and_user(ctx, params)
    out = users.public(user, attributes_key="UserAttributes")
    for name in _MFA_FIELDS:
        if user.get(name):
            out[name] = user[name]
    return out


@operation("AdminDeleteUser")
def admin_delete_user(ctx, params):
    user_admin.delete(ctx, *_pool_and_user(ctx, params))
    return {}


def _set_enabled(ctx, params, enabled: bool) -> dict:
    user_admin.set_enabled(ctx, *_pool_and_user(ctx, params), enabled)
    return {}


@operation("AdminDisableUser")
def admin_disable_user(ctx, params):
    return _set_enabled(ctx, params, False)


@operation("AdminEnableUser")
def admin_enable_user(ctx, params):
    return _set_enabled(ctx, params, True)


# --- passwords and confirmation ------------------------------------------------------------

@operation("AdminSetUserPassword")
def admin_set_user_password(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    passwords.check(pool, params["Password"])
    previous = copy.deepcopy(user)
    permanent = bool(params.get("Permanent", False))
    users.set_password(pool, user, params["Password"], temporary=not permanent, now=ctx.now())
    user["UserStatus"] = "CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD"
    user.get("_codes", {}).pop(codes.FORGOT_PASSWORD, None)
    user_admin.save(ctx, pool, user, previous)
    return {}


@operation("AdminResetUserPassword")
def admin_reset_user_password(ctx, params):
    user_admin.reset_password(ctx, *_pool_and_user(ctx, params),
                              metadata=params.get("ClientMetadata"))
    return {}


@operation("AdminConfirmSignUp")
def admin_confirm_sign_up(ctx, params):
    user_admin.confirm_sign_up(ctx, *_pool_and_user(ctx, params),
                               metadata=params.get("ClientMetadata"))
    return {}


# --- attributes ------------------------------------------------------------------------------

def _send_verification_codes(ctx, pool: dict, user: dict, changed: set, values: dict,
                             metadata: dict | None) -> None:
    """AutoVerifiedAttributes: a changed email/phone gets a code unless the same call
    marked it verified. The code record holds one live VERIFY_ATTRIBUTE code, so when both
    change the later one (phone) is the code that verifies."""
    auto = pool.get("AutoVerifiedAttributes") or []
    for attribute in attributes.VERIFIABLE:
        if attribute in changed and attribute in auto and user["Attributes"].get(attribute) \
                and values.get(f"{attribute}_verified") != "true":
            code = codes.issue(user, codes.VERIFY_ATTRIBUTE, ctx.now(), attribute=attribute)
            messages.send_code(ctx, pool, user, purpose=codes.VERIFY_ATTRIBUTE, code=code,
                               attribute=attribute, source="UpdateUserAttribute",
                               client_metadata=metadata)


@operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    values = attributes.validate_updates(pool, params["UserAttributes"], admin=True,
                                         current=user["Attributes"])
    previous = copy.deepcopy(user)
    changed = attributes.apply(user, values, ctx.now())
    _send_verification_codes(ctx, pool, user, changed, values, params.get("ClientMetadata"))
    if changed or user.get("_codes") != previous.get("_codes"):
        users.save(ctx.store, pool, user, previous=previous)
    return {}


@operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx, params):
    pool, user = _pool_and_user(ctx, params)
    previous = copy.deepcopy(user)
    if attributes.remove(pool, user, params["UserAttributeNames"], ctx.now(), admin=True):
        users.save(ctx.store, pool, user, previous=previous)
    return {}


# --- ListUsers -------------------------------------------------------------------------------

@operation("ListUsers")
def list_users(ctx, params):
    pool = ctx.pool
    flt = user_filter.parse(params.get("Filter"))
    limit = params.get("Limit") or LIST_LIMIT
    after = paging.after(params.get("PaginationToken"))
    only = set(params["AttributesToGet"]) if "AttributesToGet" in params else None

    if flt is None:  # every user, in key order; the token is the last key
        rows = users.list_users(ctx.store, pool, after=after, limit=limit + 1)
        found = [(k, user) for k, user in rows]
        next_after = found[limit - 1][0] if len(found) > limit else None
    else:  # an index range scan; the token is the last (value, key)
        rows3 = users.list_filtered(ctx.store, pool, flt, after=_filtered_after(after),
                                    limit=limit + 1)
        found = [(k, user) for _, k, user in rows3]
        next_after = json.dumps(rows3[limit - 1][:2]) if len(rows3) > limit else None
    found = found[:limit]

    out_users = []
    for _, user in found:
        view = users.public(user)
        if only is not None:
            view["Attributes"] = users.attribute_list(user["Attributes"], only)
        out_users.append(view)
    out = {"Users": out_users}
    if next_after is not None:
        out["PaginationToken"] = paging.token(next_after)
    return out


def _filtered_after(after: str | None) -> tuple[str, str] | None:
    """The (value, key) a filtered page continues after, from its token."""
    if after is None:
        return None
    try:
        value, key = json.loads(after)
    except (ValueError, TypeError):
        raise invalid("Invalid pagination token") from None
    if not isinstance(value, str) or not isinstance(key, str):
        raise invalid("Invalid pagination token")
    return value, key
