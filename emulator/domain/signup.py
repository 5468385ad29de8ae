"""Self-service account life: sign-up and its confirmation, forgotten passwords, and the
verification of a user's email / phone number (VerifyUserAttribute and friends).

Functions take the resolved app client and pool and return the API's output dict. State
they keep on the user record:
    _codes      one-time codes (codes.py); a code sent to confirm an attribute is filed
                under "VERIFY_ATTRIBUTE:<attribute>" so email and phone can be pending at once
    _pending    {attribute: new value} held back until verified (pools whose
                UserAttributeUpdateSettings require verification before update)

A wrong code must count even though the call fails: those errors carry `commit = True`,
which tells the dispatcher to keep the call's writes (the saved attempt count).
"""
import copy
import hashlib

from .. import triggers
from ..errors import CognitoError
from . import (
    attributes,
    auth_sessions,
    clients,
    codes,
    ids,
    lockout,
    messages,
    passwords,
    pools,
    threat_events,
    users,
)

UNCONFIRMED, CONFIRMED = "UNCONFIRMED", "CONFIRMED"
# The auth-session "challenge" of the Session ConfirmSignUp returns (only USER_AUTH takes it).
SIGN_IN_AFTER_CONFIRMATION = "CONFIRM_SIGN_UP"
# The attributes a code can be sent to, in the order Cognito prefers them for sign-up.
CONTACTS = ("email", "phone_number")


def _committed(err: CognitoError) -> CognitoError:
    err.commit = True
    return err


def _unknown_user() -> CognitoError:
    # The wording these unsigned, ClientId-based APIs use (not AdminX's "User does not exist.").
    return CognitoError("UserNotFoundException", "Username/client id combination not found.")


def _code_mismatch() -> CognitoError:
    return CognitoError("CodeMismatchException",
                        "Invalid verification code provided, please try again.")


def _find(ctx, client: dict, pool: dict, username: str, secret_hash: str | None) -> dict | None:
    """The user a ClientId-based call names, after checking SECRET_HASH. The hash may be
    computed over the name as typed or the canonical username (clients differ)."""
    user = users.find(ctx.store, pool, username)
    names = [username] + ([user["Username"]] if user else [])
    clients.check_secret_hash(client, secret_hash, names)
    return user


def _check_code(ctx, pool: dict, user: dict, purpose: str, given: str, *,
                attribute: str | None = None) -> None:
    """codes.check, keeping the attempt count of a wrong code (the error commits)."""
    try:
        codes.check(user, purpose, given, ctx.now(), attribute=attribute)
    except CognitoError as err:
        if err.code == "CodeMismatchException" and user.get("_codes", {}).get(purpose):
            users.save(ctx.store, pool, user)
            raise _committed(err) from None
        raise


def _send(ctx, pool: dict, user: dict, purpose: str, attribute: str, *,
          code_key: str | None = None, destination: str | None = None, source: str,
          client_id: str | None = None, client_metadata: dict | None = None) -> dict:
    """Issue a code for `purpose` and send it to the user's `attribute` (or to `destination`,
    a value not stored yet). `source` names the CustomMessage trigger source. Returns
    CodeDeliveryDetails; the caller saves the user."""
    code = codes.issue(user, code_key or purpose, ctx.now(), attribute=attribute)
    target = user
    if destination is not None:
        target = {"Username": user["Username"], "Attributes": {attribute: destination}}
    return messages.send_code(ctx, pool, target, purpose=purpose, code=code, attribute=attribute,
                              source=source, client_id=client_id,
                              client_metadata=client_metadata, event_user=user)


def simulated_delivery(pool: dict, username: str, attribute: str) -> dict:
    """CodeDeliveryDetails for a user that doesn't exist (PreventUserExistenceErrors):
    the same masked destination every time for the same pool and name; nothing is sent."""
    digest = hashlib.sha256(f"{pool['Id']}\n{username}".encode()).hexdigest()
    medium = messages.medium_of(attribute)
    if medium == "EMAIL":
        if attributes.looks_like_email(username):
            destination = username
        else:
            letters = "abcdefghijklmnopqrstuvwxyz"
            first, second = int(digest[:2], 16) % 26, int(digest[2:4], 16) % 26
            destination = f"{letters[first]}@{letters[second]}"
    elif attributes.looks_like_phone(username):
        destination = username
    else:
        destination = "+1555" + str(int(digest[:8], 16) % 10**7).zfill(7)
    return {"Destination": messages.mask(medium, destination), "DeliveryMedium": medium,
            "AttributeName": attribute}


def _auto_verified(pool: dict) -> list[str]:
    return [a for a in CONTACTS if a in (pool.get("AutoVerifiedAttributes") or [])]


def _sign_up_contact(pool: dict, attrs: dict) -> str | None:
    """Where a sign-up code goes: the first auto-verified attribute the user has."""
    return next((a for a in _auto_verified(pool) if attrs.get(a)), None)


def _default_contact(pool: dict) -> str:
    """The attribute a simulated code 'goes to' for a user that doesn't exist."""
    auto = _auto_verified(pool)
    if auto:
        return auto[0]
    named = pools.username_attributes(pool)
    return "phone_number" if named == ["phone_number"] else "email"


# --- sign-up --------------------------------------------------------------------------------

def _canonical_username(pool: dict, username: str, values: dict) -> str:
    """The stored Username. In pools whose UsernameAttributes make email/phone the sign-in
    name, the typed name must be one of those, fills that attribute, and the user gets a
    UUID username (their sub); elsewhere the name is kept as typed."""
    named = pools.username_attributes(pool)
    if named:
        if "email" in named and attributes.looks_like_email(username):
            values["email"] = username
        elif "phone_number" in named and attributes.looks_like_phone(username):
            values["phone_number"] = username
        elif named == ["email"]:
            raise CognitoError("InvalidParameterException", "Username should be an email.")
        elif named == ["phone_number"]:
            raise CognitoError("InvalidParameterException", "Username should be a phone number.")
        else:
            raise CognitoError("InvalidParameterException",
                               "Username should be either an email or a phone number.")
        return values.setdefault("sub", ids.sub())
    aliases = pools.alias_attributes(pool)
    if "email" in aliases and attributes.looks_like_email(username):
        raise CognitoError("InvalidParameterException",
                           "Username cannot be of email format, since user pool is configured "
                           "for email alias.")
    if "phone_number" in aliases and attributes.looks_like_phone(username):
        raise CognitoError("InvalidParameterException",
                           "Username cannot be of phone number format, since user pool is "
                           "configured for phone number alias.")
    return username


def validation_data(params: dict) -> dict | None:
    """ValidationData [{Name, Value}] as the trigger event's map; null when not given
    (COGNITO_REFERENCE 4.4)."""
    given = params.get("ValidationData")
    if given is None:
        return None
    return {item["Name"]: item.get("Value", "") for item in given}


def pre_sign_up(ctx, pool: dict, user: dict, *, source: str, client_id: str | None,
                params: dict) -> dict:
    """The PreSignUp trigger for a user about to be created (nothing written yet, so a
    refusal leaves nothing behind). Returns its response ({} without a trigger).
    userAttributes are what the new user will hold, without the sub (which Cognito only
    assigns at creation - UNCONFIRMED)."""
    request = {"userAttributes": {k: v for k, v in user["Attributes"].items() if k != "sub"},
               "validationData": validation_data(params)}
    if params.get("ClientMetadata"):
        request["clientMetadata"] = params["ClientMetadata"]
    response = triggers.call(ctx, pool, "PreSignUp", f"PreSignUp_{source}",
                             user_name=user["Username"], client_id=client_id, request=request,
                             response={"autoConfirmUser": False, "autoVerifyEmail": False,
                                       "autoVerifyPhone": False})
    return response or {}


def _flag(response: dict, name: str) -> bool:
    value = response.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise triggers.invalid_response()


def take_aliases(ctx, pool: dict, attrs: dict) -> None:
    """A new user is about to own these verified aliases: they move away from whoever holds
    them now (that user's value stays, unverified; a preferred_username is removed) -
    ForceAliasCreation, and PreSignUp's autoVerify* (COGNITO_REFERENCE 4.4)."""
    for attribute in pools.alias_attributes(pool):
        value = attrs.get(attribute)
        if not value:
            continue
        if attribute != "preferred_username" and attrs.get(f"{attribute}_verified") != "true":
            continue
        holder = users.alias_owner(ctx.store, pool, attribute, value)
        if holder is None:
            continue
        previous = copy.deepcopy(holder)
        if attribute == "preferred_username":
            del holder["Attributes"][attribute]
        else:
            holder["Attributes"][f"{attribute}_verified"] = "false"
        holder["UserLastModifiedDate"] = ctx.now()
        users.save(ctx.store, pool, holder, previous=previous)


def sign_up(ctx, client: dict, pool: dict, params: dict) -> dict:
    username = params["Username"]
    clients.check_secret_hash(client, params.get("SecretHash"), [username])
    if (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise CognitoError("NotAuthorizedException", "SignUp is not permitted for this user pool")
    password = params.get("Password")
    if password is None:
        # The model made Password optional for passwordless pools; for a pool that signs in
        # with passwords, Cognito refuses (wording UNCONFIRMED).
        raise CognitoError("InvalidParameterException", "Password is required for sign-up.")
    updates = params.get("UserAttributes") or []
    attributes.check_writable(client, [a["Name"] for a in updates])
    values = attributes.validate_updates(pool, updates, admin=False, creating=True)
    canonical = _canonical_username(pool, username, values)
    attributes.check_required(pool, values)
    passwords.check(pool, password)

    now = ctx.now()
    sub = values.pop("sub", None) or ids.sub()
    user = {"Username": canonical, "Attributes": {"sub": sub},
            "UserCreateDate": now, "UserLastModifiedDate": now,
            "Enabled": True, "UserStatus": UNCONFIRMED, "_password": None}
    attributes.apply(user, values, now)
    # Threat protection: a breached password may be refused (nothing is written yet).
    risk = threat_events.check(ctx, pool, user, "SIGN_UP", password=password, client=client,
                               context_data=params.get("UserContextData"), new_user=True)

    # Triggers first, writes after: a function that refuses leaves nothing behind.
    client_id = client["ClientId"]
    decided = pre_sign_up(ctx, pool, user, source="SignUp", client_id=client_id, params=params)
    confirmed = _flag(decided, "autoConfirmUser")
    verified = {"email": _flag(decided, "autoVerifyEmail"),
                "phone_number": _flag(decided, "autoVerifyPhone")}
    for attribute, on in verified.items():
        # autoVerify* needs the attribute; without it the flag does nothing (UNCONFIRMED).
        if on and user["Attributes"].get(attribute):
            user["Attributes"][f"{attribute}_verified"] = "true"
    if confirmed:
        # Auto-confirmed: no code is sent. PostConfirmation is not called (users of the real
        # service report it fires only on ConfirmSignUp/AdminConfirmSignUp - UNCONFIRMED).
        user["UserStatus"] = CONFIRMED
    users.set_password(pool, user, password, temporary=False, now=now)
    contact = None if confirmed else _sign_up_contact(pool, user["Attributes"])
    letter = None
    if contact:
        code = codes.issue(user, codes.SIGN_UP, now, attribute=contact)
        letter = messages.prepare_code(ctx, pool, user, purpose=codes.SIGN_UP, code=code,
                                       attribute=contact, source="SignUp", client_id=client_id,
                                       client_metadata=params.get("ClientMetadata"))
    if any(verified.values()):
        take_aliases(ctx, pool, user["Attributes"])
    try:
        users.create(ctx.store, pool, user)
    except CognitoError as err:
        # users.create words a taken username as AdminCreateUser does; SignUp says it shorter.
        # (A taken email/phone sign-in name keeps its own message.)
        if err.code == "UsernameExistsException" and err.message == "User account already exists":
            raise CognitoError("UsernameExistsException", "User already exists") from None
        raise
    threat_events.passed(risk, user)
    out = {"UserConfirmed": confirmed, "UserSub": sub}
    details = messages.deliver(ctx, letter)
    if details:
        out["CodeDeliveryDetails"] = details
    # No auto-verified contact: no code is sent; an administrator confirms the user.
    return out


def post_confirmation(ctx, pool: dict, user: dict, *, source: str, client_id: str | None,
                      metadata: dict | None) -> None:
    """PostConfirmation_<source>, after the confirmation is applied. If the function fails,
    the call fails and the confirmation is undone: the user stays UNCONFIRMED and can
    confirm again (reports of the real service show the user still unconfirmed after
    "PostConfirmation failed with error ...", dabit3/full-stack-serverless-code#108;
    UNCONFIRMED)."""
    request = {"userAttributes": triggers.user_attributes(user)}
    if metadata:
        request["clientMetadata"] = metadata
    triggers.call(ctx, pool, "PostConfirmation", f"PostConfirmation_{source}",
                  user_name=user["Username"], client_id=client_id, request=request)


def confirm_sign_up(ctx, client: dict, pool: dict, params: dict) -> dict:
    user = _find(ctx, client, pool, params["Username"], params.get("SecretHash"))
    if user is None:
        raise _code_mismatch() if clients.prevents_existence_errors(client) else _unknown_user()
    if user["UserStatus"] != UNCONFIRMED:
        raise CognitoError("NotAuthorizedException",
                           f"User cannot be confirmed. Current status is {user['UserStatus']}")
    previous = _copy(user)
    contact = (user.get("_codes", {}).get(codes.SIGN_UP) or {}).get("attribute")
    _check_code(ctx, pool, user, codes.SIGN_UP, params["ConfirmationCode"])
    now = ctx.now()
    user["UserStatus"] = CONFIRMED
    user["UserLastModifiedDate"] = now
    if contact and user["Attributes"].get(contact):
        # The code reached this address: it is now verified (and usable as an alias).
        user["Attributes"][f"{contact}_verified"] = "true"
    _save_claiming_aliases(ctx, pool, user, previous, force=params.get("ForceAliasCreation"))
    post_confirmation(ctx, pool, user, source="ConfirmSignUp", client_id=client["ClientId"],
                      metadata=params.get("ClientMetadata"))
    # A Session for InitiateAuth(USER_AUTH, Session=...): the code just given counts as the
    # first factor (emulator/auth/choice.py); single use, AuthSessionValidity long.
    session = auth_sessions.create(ctx, pool, client, username=user["Username"],
                              typed=params["Username"], challenge=SIGN_IN_AFTER_CONFIRMATION,
                              state={"progress": {"firstFactor": "SIGN_UP_CODE",
                                                  "typed": params["Username"]}})
    return {"Session": session}


def resend_confirmation_code(ctx, client: dict, pool: dict, params: dict) -> dict:
    username = params["Username"]
    user = _find(ctx, client, pool, username, params.get("SecretHash"))
    if user is None:
        if clients.prevents_existence_errors(client):
            return {"CodeDeliveryDetails":
                    simulated_delivery(pool, username, _default_contact(pool))}
        raise _unknown_user()
    if user["UserStatus"] != UNCONFIRMED:
        raise CognitoError("InvalidParameterException", "User is already confirmed.")
    contact = _sign_up_contact(pool, user["Attributes"])
    if contact is None:
        # Wording and code: a real browser-console capture, "NotAuthorizedException: Cannot
        # resend codes. Auto verification not turned on." in the SafeMate project's preprod
        # fix notes (wording also in 4evernow-aws/safemate-infrastructure
        # docs/fixes/FIX_COGNITO_AUTO_VERIFICATION.md). See docs/WORDINGS.md.
        raise CognitoError("NotAuthorizedException",
                           "Cannot resend codes. Auto verification not turned on.")
    details = _send(ctx, pool, user, codes.SIGN_UP, contact, source="ResendCode",
                    client_id=client["ClientId"], client_metadata=params.get("ClientMetadata"))
    users.save(ctx.store, pool, user)
    return {"CodeDeliveryDetails": details}


# --- user migration ---------------------------------------------------------------------------

_MIGRATION_STATUSES = ("CONFIRMED", "RESET_REQUIRED")


def migration_failed(client: dict) -> CognitoError:
    return CognitoError("UserNotFoundException",
                        f"Exception migrating user in app client {client['ClientId']}")


def migrate_user(ctx, client: dict, pool: dict, username: str, *, source: str,
                 password: str | None = None, metadata: dict | None = None) -> dict | None:
    """The UserMigration trigger for a name nobody in the pool has: the function looks the
    user up elsewhere and answers their attributes; the user is then created here (with the
    typed password for source "Authentication" - the pool's password policy is not applied
    to it, DG23). None when no trigger is set or the function answered no userAttributes
    (the caller then answers migration_failed() or its PreventUserExistenceErrors reply).

    ClientMetadata reaches the event as validationData at sign-in and as clientMetadata in
    ForgotPassword (DG); validationData is null when the call had none (UNCONFIRMED)."""
    if triggers.configured(pool, "UserMigration") is None:
        return None
    if source == "Authentication":
        request = {"password": password, "validationData": metadata or None}
    else:
        request = {"clientMetadata": metadata} if metadata else {}
    response = triggers.call(
        ctx, pool, "UserMigration", f"UserMigration_{source}", user_name=username,
        client_id=client["ClientId"], request=request,
        response={"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                  "desiredDeliveryMediums": None, "forceAliasCreation": None,
                  "enableSMSMFA": None}) or {}
    given = response.get("userAttributes")
    if not given:
        return None
    if not isinstance(given, dict):
        raise triggers.invalid_response()
    status = response.get("finalUserStatus") or "RESET_REQUIRED"
    action = response.get("messageAction")
    mediums = response.get("desiredDeliveryMediums") or []
    if status not in _MIGRATION_STATUSES or action not in (None, "SUPPRESS", "RESEND") or \
            not isinstance(mediums, list) or any(m not in ("EMAIL", "SMS") for m in mediums):
        raise triggers.invalid_response()

    # The function's attributes go through the same checks as AdminCreateUser's (it may set
    # *_verified); a sub it sends is ignored - Cognito assigns one.
    updates = [{"Name": str(name), "Value": value if isinstance(value, str) else
                (str(value).lower() if isinstance(value, bool) else str(value))}
               for name, value in given.items() if name != "sub"]
    values = attributes.validate_updates(pool, updates, admin=True, creating=True)
    canonical = _canonical_username(pool, username, values)
    attributes.check_required(pool, values)
    now = ctx.now()
    sub = values.pop("sub", None) or ids.sub()
    user = {"Username": canonical, "Attributes": {"sub": sub},
            "UserCreateDate": now, "UserLastModifiedDate": now,
            "Enabled": True, "UserStatus": status, "_password": None}
    attributes.apply(user, values, now)
    if password is not None:
        users.set_password(pool, user, password, temporary=False, now=now)
    if response.get("enableSMSMFA") is True and user["Attributes"].get("phone_number"):
        # Shown by AdminGetUser as the MFA module stores it (UNCONFIRMED field set).
        user["UserMFASettingList"] = ["SMS_MFA"]
        user["PreferredMfaSetting"] = "SMS_MFA"
    if response.get("forceAliasCreation") is True:
        take_aliases(ctx, pool, user["Attributes"])
    users.create(ctx.store, pool, user)
    if action != "SUPPRESS":
        # The welcome message new users get (AdminCreateUser's invitation template; a
        # migrated user has no temporary password, so its code placeholder stays empty -
        # UNCONFIRMED). Media as for invitations: SMS unless asked otherwise, falling back
        # to email for a user without a phone number.
        attrs = user["Attributes"]
        if not mediums:
            mediums = ["SMS"] if attrs.get("phone_number") else ["EMAIL"]
        messages.send_invitation(ctx, pool, user, password=None, mediums=mediums,
                                 purpose="WELCOME", source=None)
    return user


# --- forgotten password ---------------------------------------------------------------------

def _recovery_contact(pool: dict, user: dict) -> str | None:
    if users.recovery_order(pool) is None:
        # wording UNCONFIRMED: the pool lets only administrators reset passwords.
        raise CognitoError("NotAuthorizedException", "Contact administrator to reset password.")
    return users.recovery_attribute(pool, user)


def forgot_password(ctx, client: dict, pool: dict, params: dict) -> dict:
    username = params["Username"]
    user = _find(ctx, client, pool, username, params.get("SecretHash"))
    if user is None:
        user = migrate_user(ctx, client, pool, username, source="ForgotPassword",
                            metadata=params.get("ClientMetadata"))
    if user is None:
        if clients.prevents_existence_errors(client):
            order = users.recovery_order(pool) or ["email"]
            contact = _default_contact(pool)
            contact = contact if contact in order else order[0]
            return {"CodeDeliveryDetails": simulated_delivery(pool, username, contact)}
        if triggers.configured(pool, "UserMigration"):
            raise migration_failed(client)
        raise _unknown_user()
    if not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    if user["UserStatus"] == "FORCE_CHANGE_PASSWORD":
        # The user has never chosen a password: only the temporary one can be changed.
        raise CognitoError("NotAuthorizedException",
                           "User password cannot be reset in the current state.")
    contact = _recovery_contact(pool, user)
    if contact is None:
        raise CognitoError("InvalidParameterException",
                           "Cannot reset password for the user as there is no registered/"
                           "verified email or phone_number")
    risk = threat_events.check(ctx, pool, user, "FORGOT_PASSWORD", client=client,
                               context_data=params.get("UserContextData"))
    details = _send(ctx, pool, user, codes.FORGOT_PASSWORD, contact, source="ForgotPassword",
                    client_id=client["ClientId"], client_metadata=params.get("ClientMetadata"))
    users.save(ctx.store, pool, user)
    threat_events.passed(risk, user)
    return {"CodeDeliveryDetails": details}


def confirm_forgot_password(ctx, client: dict, pool: dict, params: dict) -> dict:
    user = _find(ctx, client, pool, params["Username"], params.get("SecretHash"))
    if user is None:
        raise _code_mismatch() if clients.prevents_existence_errors(client) else _unknown_user()
    if not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    # Policy first: a password the pool refuses must not use up the code.
    passwords.check(pool, params["Password"])
    # ... and so must a breached one threat protection blocks (a password change).
    risk = threat_events.check(ctx, pool, user, "FORGOT_PASSWORD", password=params["Password"],
                               client=client, context_data=params.get("UserContextData"))
    _check_code(ctx, pool, user, codes.FORGOT_PASSWORD, params["ConfirmationCode"])
    now = ctx.now()
    users.set_password(pool, user, params["Password"], temporary=False, now=now)
    # A reset proves control of a verified contact: RESET_REQUIRED (and, UNCONFIRMED,
    # any other status) ends as CONFIRMED, and a sign-in lockout is lifted.
    user["UserStatus"] = CONFIRMED
    user["UserLastModifiedDate"] = now
    lockout.record_success(user)
    users.save(ctx.store, pool, user)
    post_confirmation(ctx, pool, user, source="ConfirmForgotPassword",
                      client_id=client["ClientId"], metadata=params.get("ClientMetadata"))
    threat_events.passed(risk, user)
    return {}


# --- the signed-in user's password ----------------------------------------------------------

def change_password(ctx, pool: dict, user: dict, previous: str | None, proposed: str, *,
                    client_id: str | None = None) -> None:
    """ChangePassword. client_id: the access token's app client (its risk configuration)."""
    now = ctx.now()
    if user.get("_password"):
        if lockout.locked_until(user, now) is not None:
            # ChangePassword answers a lockout with LimitExceeded (wording as for codes).
            raise CognitoError("LimitExceededException",
                               "Attempt limit exceeded, please try after some time.")
        if previous is None or not users.password_matches(pool, user, previous):
            # Wrong previous passwords count toward the same lockout as sign-in.
            lockout.record_failure(user, now)
            users.save(ctx.store, pool, user)
            raise _committed(CognitoError("NotAuthorizedException",
                                          "Incorrect username or password."))
    passwords.check(pool, proposed)
    risk = threat_events.check(ctx, pool, user, "PASSWORD_CHANGE", password=proposed,
                               client_id=client_id)
    users.set_password(pool, user, proposed, temporary=False, now=now)
    user["UserLastModifiedDate"] = now
    users.save(ctx.store, pool, user)
    threat_events.passed(risk, user)


# --- attribute verification -----------------------------------------------------------------

def _verify_key(attribute: str) -> str:
    return f"{codes.VERIFY_ATTRIBUTE}:{attribute}"


def _require_contact_attribute(name: str) -> None:
    if name not in CONTACTS:
        # Code and wording compared with a real user pool in floci-io/floci#1898 (comment of
        # 2026-07-29) and floci-io/floci#2018; also quoted from a live call in
        # aws-amplify/amplify-js#3652. See docs/WORDINGS.md.
        raise CognitoError("InvalidParameterException",
                           "Invalid attribute name. Only phone_number and email can be verified.")


def send_verification(ctx, pool: dict, user: dict, attribute: str, *,
                      source: str = "VerifyUserAttribute", client_id: str | None = None,
                      client_metadata: dict | None = None) -> dict:
    """GetUserAttributeVerificationCode (and attribute updates, source UpdateUserAttribute):
    a VERIFY_ATTRIBUTE code to the attribute's pending new value if there is one, else its
    current value. The caller saves."""
    _require_contact_attribute(attribute)
    pending = (user.get("_pending") or {}).get(attribute)
    if not pending and not user["Attributes"].get(attribute):
        # Wording compared with a real user pool: floci-io/floci#1898 (comment of 2026-07-29).
        raise CognitoError("InvalidParameterException",
                           "User does not have a valid registered email address"
                           if attribute == "email" else
                           "User does not have a valid registered phone number")
    return _send(ctx, pool, user, codes.VERIFY_ATTRIBUTE, attribute,
                 code_key=_verify_key(attribute), destination=pending or None, source=source,
                 client_id=client_id, client_metadata=client_metadata)


def verify_attribute(ctx, pool: dict, user: dict, attribute: str, code: str) -> None:
    """VerifyUserAttribute: the code proves the address; a held-back new value takes effect."""
    _require_contact_attribute(attribute)
    key = _verify_key(attribute)
    live = user.get("_codes", {})
    if key in live:
        _check_code(ctx, pool, user, key, code)
    else:
        # A code another path filed under the plain purpose (e.g. an admin attribute update).
        _check_code(ctx, pool, user, codes.VERIFY_ATTRIBUTE, code, attribute=attribute)
    previous = _copy(user)
    pending = user.get("_pending") or {}
    values = {f"{attribute}_verified": "true"}
    if attribute in pending:
        values = {attribute: pending.pop(attribute), **values}
        if not pending:
            user.pop("_pending", None)
    attributes.apply(user, values, ctx.now())
    users.save(ctx.store, pool, user, previous=previous)


def update_attributes(ctx, client: dict, pool: dict, user: dict, updates: list[dict], *,
                      client_metadata: dict | None = None) -> dict:
    """UpdateUserAttributes by the user: new email/phone values are unverified; an
    auto-verified one gets a code, and with AttributesRequireVerificationBeforeUpdate the
    old value stays in force until the new one is verified."""
    attributes.check_writable(client, [u["Name"] for u in updates])
    values = attributes.validate_updates(pool, updates, admin=False,
                                         current=user["Attributes"])
    previous = _copy(user)
    auto = _auto_verified(pool)
    hold = (pool.get("UserAttributeUpdateSettings") or {}) \
        .get("AttributesRequireVerificationBeforeUpdate") or []
    to_verify = []
    for attribute in CONTACTS:
        new = values.get(attribute)
        if new is None or new == user["Attributes"].get(attribute):
            continue
        if attribute in auto:
            to_verify.append(attribute)
        pending = user.get("_pending") or {}
        if attribute in hold and user["Attributes"].get(attribute):
            pending[attribute] = values.pop(attribute)
            user["_pending"] = pending
        elif attribute in pending:
            # A direct change replaces a value that was waiting for verification.
            del pending[attribute]
            if not pending:
                user.pop("_pending", None)
    attributes.apply(user, values, ctx.now())
    users.save(ctx.store, pool, user, previous=previous)
    client_id = client["ClientId"] if client else None
    details = [send_verification(ctx, pool, user, a, source="UpdateUserAttribute",
                                 client_id=client_id, client_metadata=client_metadata)
               for a in to_verify]
    if details:
        users.save(ctx.store, pool, user)
        return {"CodeDeliveryDetailsList": details}
    return {}


def _save_claiming_aliases(ctx, pool: dict, user: dict, previous: dict, *, force) -> None:
    """Save a user whose email/phone just became verified. If another user holds that value
    as an alias: AliasExistsException, or with ForceAliasCreation the alias moves here and
    the other user's attribute becomes unverified."""
    try:
        users.save(ctx.store, pool, user, previous=previous)
        return
    except CognitoError as err:
        if err.code != "AliasExistsException" or not force:
            raise
    for attribute in CONTACTS:
        value = user["Attributes"].get(attribute)
        if not value or user["Attributes"].get(f"{attribute}_verified") != "true":
            continue
        holder = users.alias_owner(ctx.store, pool, attribute, value)
        if holder is None or holder["Username"] == user["Username"]:
            continue
        before = _copy(holder)
        holder["Attributes"][f"{attribute}_verified"] = "false"
        holder["UserLastModifiedDate"] = ctx.now()
        users.save(ctx.store, pool, holder, previous=before)
    users.save(ctx.store, pool, user, previous=previous)


def _copy(user: dict) -> dict:
    """What users.save(previous=...) needs: the attributes as they were."""
    return {"Username": user["Username"], "Attributes": dict(user["Attributes"])}
