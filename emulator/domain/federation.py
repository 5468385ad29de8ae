"""Federated users: the profile a SAML (or other external) identity signs in as, and the links
AdminLinkProviderForUser makes from an external identity to an existing user.

    sign_in(ctx, pool, client, provider, subject=, attributes=, issuer=) -> user record
    link(ctx, pool, destination, source)          AdminLinkProviderForUser
    disable(ctx, pool, identifier)                AdminDisableProviderForUser
    forget_user(store, pool, user)                drop the links that point at a deleted user
    username(provider, subject) / identities(user)

A federated profile is the user `<ProviderName>_<subject>` (subject = the SAML NameID), status
EXTERNAL_PROVIDER, no password, with the `identities` attribute (COGNITO_REFERENCE 8.6).

Links (kind "provider_link", scope = pool id, key "<provider>\\x1f<attribute name>\\x1f<value>"):
    {ProviderName, ProviderAttributeName, ProviderAttributeValue, DestinationUsername,
     DestinationSub, CreationDate}
A link is live only while its destination exists with the same sub, so a deleted (or deleted
and re-created) user never inherits old links even if nobody called forget_user(). The
destination user record lists its link keys in `_links` (the five-link limit, clean-up).
Kind "provider_link_names" (key = provider name) counts the source attribute names in use per
provider: sign-in looks only those up (at most five, DG), never scans the links.
"""
import copy
import json
from collections.abc import Callable

from .. import triggers
from ..errors import CognitoError, invalid
from . import attributes, client_config, ids, signup, users

LINK = "provider_link"
LINK_NAMES = "provider_link_names"
SUBJECT = "Cognito_Subject"
COGNITO = "Cognito"
EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
MAX_LINKS_PER_USER = 5       # API reference: "at most five" federated identities per user
MAX_NAMES_PER_PROVIDER = 5   # DG: at most five distinct source attribute names per IdP
SOCIAL = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")


# --- names and the identities attribute ---------------------------------------------------------

def username(provider: dict, subject: str) -> str:
    """`<ProviderName>_<subject>`, case kept as given. UNCONFIRMED: public ListUsers captures
    show real pools storing such names all lower-case (`azure_py5dp...` for the OIDC userId
    `PY5dp...`, `google_1101...`), at least in case-insensitive pools; SAML captures
    (`auth0_auth0|5f32...`) don't tell. We keep the case; lookups in case-insensitive pools
    fold it anyway (users.key)."""
    return f"{provider['ProviderName']}_{subject}"


def identities(user: dict) -> list[dict]:
    raw = user["Attributes"].get("identities")
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _set_identities(user: dict, entries: list[dict]) -> None:
    if entries:
        user["Attributes"]["identities"] = json.dumps(entries, separators=(",", ":"))
    else:
        user["Attributes"].pop("identities", None)


def _identity(provider: dict, user_id: str, issuer: str | None, primary: bool,
              now: float) -> dict:
    """One `identities` entry as the attribute holds it. AdminGetUser / ListUsers / trigger
    captures of real pools show `"primary":true,"dateCreated":1622940509457` (a boolean and
    epoch milliseconds as a number) in the attribute, while ID tokens show the same entry
    with strings ("true", "1720531919374") - the token issuer converts. Linked identities
    are primary false (UNCONFIRMED)."""
    return {"userId": user_id, "providerName": provider["ProviderName"],
            "providerType": provider.get("ProviderType"), "issuer": issuer,
            "primary": primary, "dateCreated": int(round(now * 1000))}


# --- attribute mapping ------------------------------------------------------------------------

def mapped_values(provider: dict, assertion: dict[str, list[str]]) -> dict[str, str]:
    """{pool attribute: value} from the assertion through AttributeMapping. A SAML attribute
    with one value maps to that value; with several, to "[v1, v2]" - the form real events
    show for multi-valued SAML attributes (`"custom:groups": "[GROUPID1, GROUPID2]"` in a
    public pre-token event; UNCONFIRMED beyond that capture). A mapped attribute the
    assertion lacks is left alone."""
    out = {}
    for pool_attribute, saml_name in (provider.get("AttributeMapping") or {}).items():
        if pool_attribute == "username":   # OIDC-style mapping; not a user attribute
            continue
        values = [v for v in (assertion.get(saml_name) or []) if v is not None]
        if not values:
            continue
        out[pool_attribute] = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
    return out


def _check_writable(client: dict, provider: dict) -> None:
    """The app client must be allowed to write every mapped attribute (DG: else the sign-in
    fails). Error type and text are UNCONFIRMED; we answer as Cognito does for any write
    outside WriteAttributes (NotAuthorizedException "A client attempted to write
    unauthorized attribute"). A client without WriteAttributes may write everything here,
    email_verified included: the IdP, not the user, supplies the values."""
    allowed = (client or {}).get("WriteAttributes")
    if not allowed:
        return
    for name in provider.get("AttributeMapping") or {}:
        if name != "username" and name not in allowed:
            raise attributes.unauthorized_write()


def _updates(pool: dict, user: dict | None, values: dict[str, str]) -> dict[str, str]:
    """Schema checks for the mapped values: as an admin write (IdPs may set *_verified), at
    creation (user None) or as an update of the changed values only (an immutable attribute
    that already holds the same value is fine; a different one fails with
    "user.<name>: Attribute cannot be updated." as observed for IdP sign-ins)."""
    if user is None:
        return attributes.validate_updates(pool, [{"Name": n, "Value": v} for n, v in
                                                  values.items()], admin=True, creating=True)
    current = user["Attributes"]
    changed = [{"Name": n, "Value": v} for n, v in values.items() if current.get(n) != v]
    if not changed:
        return {}
    return attributes.validate_updates(pool, changed, admin=True, current=current)


# --- links ------------------------------------------------------------------------------------

def _link_key(provider_name: str, attribute_name: str, value: str) -> str:
    return f"{provider_name}\x1f{attribute_name}\x1f{value}"


def _live_destination(store, pool: dict, link: dict | None) -> dict | None:
    """The user a link points at, or None when there is no link or it is stale (its user was
    deleted, maybe re-created under the same name: a different sub). Stale links are
    removed on sight."""
    if link is None:
        return None
    user = users.get(store, pool, link["DestinationUsername"])
    if user is not None and user["Attributes"].get("sub") == link["DestinationSub"]:
        return user
    _delete_link(store, pool, link)
    return None


def _delete_link(store, pool: dict, link: dict) -> None:
    name, attribute = link["ProviderName"], link["ProviderAttributeName"]
    store.delete(LINK, pool["Id"], _link_key(name, attribute, link["ProviderAttributeValue"]))
    index = store.get(LINK_NAMES, pool["Id"], name)
    if index and attribute in index["names"]:
        index["names"][attribute] -= 1
        if index["names"][attribute] <= 0:
            del index["names"][attribute]
        if index["names"]:
            store.put(LINK_NAMES, pool["Id"], name, index)
        else:
            store.delete(LINK_NAMES, pool["Id"], name)


def _put_link(store, pool: dict, link: dict) -> None:
    name, attribute = link["ProviderName"], link["ProviderAttributeName"]
    store.put(LINK, pool["Id"], _link_key(name, attribute, link["ProviderAttributeValue"]), link)
    index = store.get(LINK_NAMES, pool["Id"], name) or {"names": {}}
    index["names"][attribute] = index["names"].get(attribute, 0) + 1
    store.put(LINK_NAMES, pool["Id"], name, index)


def _subject_link(store, pool: dict, provider: dict, subject: str):
    link = store.get(LINK, pool["Id"], _link_key(provider["ProviderName"], SUBJECT, subject))
    user = _live_destination(store, pool, link)
    return (link, user) if user is not None else None


def _attribute_link(store, pool: dict, provider: dict, assertion: dict, values: dict):
    """A link by another source attribute. Its ProviderAttributeName is, per the API
    reference, the user-pool attribute the IdP claim is mapped to (e.g. "email"); a name
    that isn't mapped is matched against the SAML attribute of that name (first value)."""
    index = store.get(LINK_NAMES, pool["Id"], provider["ProviderName"])
    for attribute in sorted((index or {}).get("names", {})):
        if attribute == SUBJECT:
            continue
        value = values.get(attribute)
        if value is None:
            given = assertion.get(attribute) or []
            value = given[0] if given else None
        if value is None:
            continue
        link = store.get(LINK, pool["Id"], _link_key(provider["ProviderName"], attribute, value))
        user = _live_destination(store, pool, link)
        if user is not None:
            return link, user
    return None


def _provider(store, pool: dict, name: str) -> dict:
    record = store.get(client_config.IDENTITY_PROVIDER_KIND, pool["Id"], name)
    if record is None:
        # wording UNCONFIRMED
        raise invalid(f"Provider {name} does not exist for this user pool.")
    return record


def _provider_user(given: dict, what: str) -> tuple[str, str, str]:
    """(ProviderName, ProviderAttributeName, ProviderAttributeValue) of a
    ProviderUserIdentifierType."""
    parts = tuple(given.get(k) for k in ("ProviderName", "ProviderAttributeName",
                                         "ProviderAttributeValue"))
    if not all(parts):
        raise invalid(f"{what} must have ProviderName, ProviderAttributeName and "
                      f"ProviderAttributeValue.")   # wording UNCONFIRMED
    return parts


def link(ctx, pool: dict, destination: dict, source: dict) -> None:
    """AdminLinkProviderForUser. The destination is named as ProviderName "Cognito" +
    its username (a federated profile is named by its username `<Provider>_<id>` too); the
    source must be an identity of an existing IdP of the pool that hasn't signed in yet."""
    store = ctx.store
    source_name, attribute, value = _provider_user(source, "SourceUser")
    if source_name == COGNITO:
        # from https://github.com/boto/boto3/issues/4163 and aws-amplify/amplify-js#13334
        raise invalid("Invalid SourceUser: Cognito users with a username/password may not be "
                      "passed in as a SourceUser, only as a DestinationUser")
    if destination.get("ProviderName") != COGNITO or not destination.get("ProviderAttributeValue"):
        # The destination is a user of the pool, named by username (UNCONFIRMED wording).
        raise invalid("DestinationUser must have ProviderName Cognito and the username as "
                      "ProviderAttributeValue.")
    provider = _provider(store, pool, source_name)
    if source_name in SOCIAL and attribute != SUBJECT:
        raise invalid(f"ProviderAttributeName must be {SUBJECT} for {source_name}.")  # UNCONFIRMED
    target = users.find(store, pool, destination["ProviderAttributeValue"])
    if target is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    if attribute == SUBJECT and users.get(store, pool, username(provider, value)) is not None:
        # The identity has signed in already: its own profile exists (public captures).
        raise invalid("Merging is not currently supported, provide a SourceUser that has not "
                      "been signed up in order to link")
    key = _link_key(source_name, attribute, value)
    if _live_destination(store, pool, store.get(LINK, pool["Id"], key)) is not None:
        raise invalid("SourceUser is already linked to DestinationUser")   # public captures
    live = [k for k in target.get("_links") or [] if store.get(LINK, pool["Id"], k)]
    if len(live) >= MAX_LINKS_PER_USER:
        # wording UNCONFIRMED
        raise CognitoError("LimitExceededException",
                           f"A user can have at most {MAX_LINKS_PER_USER} linked identities.")
    index = store.get(LINK_NAMES, pool["Id"], source_name) or {"names": {}}
    if attribute not in index["names"] and len(index["names"]) >= MAX_NAMES_PER_PROVIDER:
        # wording UNCONFIRMED
        raise CognitoError("LimitExceededException",
                           f"A provider can link users by at most {MAX_NAMES_PER_PROVIDER} "
                           "attribute names.")
    now = ctx.now()
    _put_link(store, pool, {"ProviderName": source_name, "ProviderAttributeName": attribute,
                            "ProviderAttributeValue": value,
                            "DestinationUsername": target["Username"],
                            "DestinationSub": target["Attributes"]["sub"], "CreationDate": now})
    previous = copy.deepcopy(target)
    # The destination shows the linked identity at once (UNCONFIRMED: whether before the
    # first sign-in). The IdP's issuer is only known from an assertion: null until then.
    entries = identities(target)
    entries.append(_identity(provider, value, None, False, now))
    _set_identities(target, entries)
    target["_links"] = live + [key]
    target["UserLastModifiedDate"] = now
    users.save(store, pool, target, previous=previous)


def disable(ctx, pool: dict, identifier: dict) -> None:
    """AdminDisableProviderForUser. A linked identity: the link goes (and its entry in the
    destination's identities); its next sign-in creates a new `<Provider>_<id>` profile.
    Before the identity's first sign-in it is named as it was linked; after it, by
    Cognito_Subject + the NameID (API reference) - sign-in re-keys the link. A Cognito
    user (ProviderName "Cognito", Cognito_Subject, username) loses its password."""
    store = ctx.store
    name, attribute, value = _provider_user(identifier, "User")
    if name == COGNITO:
        if attribute != SUBJECT:
            raise invalid(f"ProviderAttributeName must be {SUBJECT} for Cognito users.")
        user = users.get(store, pool, value)
        if user is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        if user.get("_password"):
            user["_password"] = None
            user["UserLastModifiedDate"] = ctx.now()
            users.save(store, pool, user)
        return
    provider = _provider(store, pool, name)
    record = store.get(LINK, pool["Id"], _link_key(name, attribute, value))
    target = _live_destination(store, pool, record)
    if target is None:
        # An identity with no link - e.g. an auto-created profile: re:Post reports Cognito
        # answering that the account is not linked (exact type and text UNCONFIRMED).
        raise invalid("User is not linked to any account.")
    _delete_link(store, pool, record)
    previous = copy.deepcopy(target)
    key = _link_key(name, attribute, value)
    target["_links"] = [k for k in target.get("_links") or [] if k != key]
    if not target["_links"]:
        target.pop("_links")
    entries = [e for e in identities(target)
               if not (e.get("providerName") == provider["ProviderName"]
                       and e.get("primary") is not True and e.get("userId") == value)]
    _set_identities(target, entries)
    target["UserLastModifiedDate"] = ctx.now()
    users.save(store, pool, target, previous=previous)


def forget_user(store, pool: dict, user: dict) -> None:
    """Drop the links pointing at a user being deleted (AdminDeleteUser / DeleteUser should
    call this; stale links are ignored and removed on sight anyway)."""
    for key in user.get("_links") or []:
        record = store.get(LINK, pool["Id"], key)
        if record and record["DestinationSub"] == user["Attributes"].get("sub"):
            _delete_link(store, pool, record)


def forget_provider(store, pool: dict, provider_name: str) -> None:
    """Drop a deleted provider's links, so a new provider of the same name starts clean."""
    prefix = f"{provider_name}\x1f"
    for key, _ in list(store.list(LINK, pool["Id"], prefix=prefix)):
        store.delete(LINK, pool["Id"], key)
    store.delete(LINK_NAMES, pool["Id"], provider_name)


# --- sign-in ----------------------------------------------------------------------------------

def _disabled() -> CognitoError:
    return CognitoError("NotAuthorizedException", "User is disabled.")


PreAuthentication = Callable[[dict], None]


def _returning(ctx, pool: dict, client: dict, user: dict, values: dict, *,
               pre_authentication: PreAuthentication | None,
               linked: tuple[dict, dict] | None = None, subject: str = "",
               issuer: str | None = None, provider: dict | None = None,
               own_issuer: str | None = None) -> tuple[dict, bool]:
    """A known user signs in again (their own profile, or the destination of a link):
    PreAuthentication, then the mapped attributes refreshed."""
    if not user.get("Enabled", True):
        raise _disabled()
    if pre_authentication is not None:
        pre_authentication(user)
    previous = copy.deepcopy(user)
    now = ctx.now()
    changed = attributes.apply(user, _updates(pool, user, values), now)
    if own_issuer is not None:
        changed |= _own_issuer(user, provider, own_issuer)
    if linked is not None:
        changed |= _through_link(ctx.store, pool, user, linked[0], provider, subject, issuer, now)
    if changed:
        user["UserLastModifiedDate"] = now
        users.save(ctx.store, pool, user, previous=previous)
    return user, False


def _through_link(store, pool: dict, user: dict, record: dict, provider: dict, subject: str,
                  issuer: str | None, now: float) -> set:
    """The identity arrived through a link: its identities entry gets the NameID and the
    issuer; a link made by another attribute is re-keyed to Cognito_Subject + NameID (how
    AdminDisableProviderForUser must name it after the first sign-in, API reference)."""
    changed = set()
    entries = identities(user)
    linked_value = record["ProviderAttributeValue"]
    entry = next((e for e in entries if e.get("providerName") == provider["ProviderName"]
                  and e.get("primary") is not True
                  and e.get("userId") in (linked_value, subject)), None)
    if entry is None:
        entries.append(_identity(provider, subject, issuer, False, now))
    elif entry.get("userId") != subject or entry.get("issuer") != issuer:
        entry.update(userId=subject, issuer=issuer)
    else:
        entries = None
    if entries is not None:
        _set_identities(user, entries)
        changed.add("identities")
    if record["ProviderAttributeName"] != SUBJECT:
        old_key = _link_key(record["ProviderName"], record["ProviderAttributeName"], linked_value)
        new_key = _link_key(record["ProviderName"], SUBJECT, subject)
        _delete_link(store, pool, record)
        if store.get(LINK, pool["Id"], new_key) is None:
            _put_link(store, pool, {**record, "ProviderAttributeName": SUBJECT,
                                    "ProviderAttributeValue": subject})
        user["_links"] = [k for k in user.get("_links") or [] if k != old_key] + [new_key]
        changed.add("_links")
    return changed


def sign_in(ctx, pool: dict, client: dict, provider: dict, *, subject: str,
            attributes: dict[str, list[str]], issuer: str | None,
            pre_authentication: PreAuthentication,
            email_verified: bool | None = None) -> tuple[dict, bool]:
    """The user an assertion from `provider` signs in as (COGNITO_REFERENCE 8.6), and
    whether it is a new profile:
    1. a link by Cognito_Subject (the NameID) -> its destination;
    2. the identity's own profile `<Provider>_<subject>` -> refreshed;
    3. a link by another attribute -> its destination;
    4. else a new profile: PreSignUp_ExternalProvider, created, PostConfirmation_ConfirmSignUp.
    A known user gets `pre_authentication(user)` (the sign-in pipeline's PreAuthentication)
    before its attributes are refreshed; the rest of the sign-in (PostAuthentication for a
    known user, the result) is the pipeline's (auth/pipeline.federated). Runs inside the
    caller's transaction: a trigger that refuses undoes everything.
    email_verified False (the provider says its email is not verified): that email never
    replaces or re-marks a known user's verified email, and never follows a link made by
    email (refused: anyone can claim an address their provider hasn't verified)."""
    store = ctx.store
    _check_writable(client, provider)
    values = mapped_values(provider, attributes)
    if email_verified is False and "email_verified" in values:
        values["email_verified"] = "false"   # whatever claim the mapping took it from
    kw = {"subject": subject, "issuer": issuer, "provider": provider,
          "pre_authentication": pre_authentication}

    unverified = email_verified is False
    found = _subject_link(store, pool, provider, subject)
    if found is not None:
        return _returning(ctx, pool, client, found[1], _keep_email(found[1], values, unverified),
                          linked=found, **kw)
    own = users.get(store, pool, username(provider, subject))
    if own is not None:
        return _returning(ctx, pool, client, own, _keep_email(own, values, unverified),
                          own_issuer=issuer, provider=provider,
                          pre_authentication=pre_authentication)
    found = _attribute_link(store, pool, provider, attributes, values)
    if found is not None:
        _check_email_link(found[0], unverified)
        return _returning(ctx, pool, client, found[1], _keep_email(found[1], values, unverified),
                          linked=found, **kw)
    return _first_sign_in(ctx, pool, client, provider, subject, issuer, values, attributes,
                          unverified)


def _check_email_link(link: dict, unverified: bool) -> None:
    """An email the provider has not verified never follows a link made by email: anyone can
    claim an address at a provider that doesn't check it."""
    if unverified and link["ProviderAttributeName"] == "email":
        # Wording UNCONFIRMED.
        raise CognitoError("NotAuthorizedException", "The identity provider has not "
                           "verified this email address; it can't sign in as the user "
                           "linked to it.")


def _keep_email(user: dict, values: dict, unverified: bool) -> dict:
    """A user whose email is verified keeps it (and its mark) when the provider sends an
    email it has not verified."""
    if not unverified or user["Attributes"].get("email_verified") != "true":
        return values
    return {k: v for k, v in values.items() if k not in ("email", "email_verified")}


def _own_issuer(user: dict, provider: dict, issuer: str | None) -> set:
    """The profile's own identities entry follows the IdP's current entity id."""
    entries = identities(user)
    for entry in entries:
        if entry.get("primary") is True and entry.get("providerName") == provider["ProviderName"] \
                and entry.get("issuer") != issuer:
            entry["issuer"] = issuer
            _set_identities(user, entries)
            return {"identities"}
    return set()


def _pre_sign_up(ctx, pool: dict, client: dict, name: str, values: dict) -> None:
    """PreSignUp_ExternalProvider. A captured real event (2019, Google) carries only the
    mapped attributes (no sub, no identities) and `validationData: {}`; it also showed empty
    "cognito:email_alias" / "cognito:phone_number_alias" keys, left out here (UNCONFIRMED
    when Cognito adds them)."""
    triggers.call(ctx, pool, "PreSignUp", "PreSignUp_ExternalProvider", user_name=name,
                  client_id=client["ClientId"],
                  request={"userAttributes": dict(values), "validationData": {}},
                  response={"autoConfirmUser": False, "autoVerifyEmail": False,
                            "autoVerifyPhone": False})


def _first_sign_in(ctx, pool: dict, client: dict, provider: dict, subject: str, issuer: str,
                   values: dict, assertion: dict, unverified: bool) -> tuple[dict, bool]:
    store = ctx.store
    checked = _updates(pool, None, values)
    # Required pool attributes must be mapped and present in the assertion.
    attributes.check_required(pool, checked)
    now = ctx.now()
    user = {"Username": username(provider, subject),
            "Attributes": {"sub": ids.sub(), "identities": json.dumps(
                [_identity(provider, subject, issuer, True, now)], separators=(",", ":"))},
            "UserCreateDate": now, "UserLastModifiedDate": now,
            "Enabled": True, "UserStatus": EXTERNAL_PROVIDER, "_password": None}
    user["Attributes"].update(checked)
    # PreSignUp_ExternalProvider may refuse (its CognitoError propagates, nothing written).
    # Its autoConfirmUser / autoVerify* answers don't apply: the user is EXTERNAL_PROVIDER
    # and *_verified come only from the mapping.
    _pre_sign_up(ctx, pool, client, user["Username"], checked)
    # The function may have linked this identity to an existing user (the DG's "link in a
    # Pre sign-up trigger" pattern): then the identity signs in as that user. (Real Cognito
    # has been reported to fail that first attempt with "Already found an entry for
    # username"; we honour the link at once.)
    found = None
    if triggers.configured(pool, "PreSignUp"):
        found = _subject_link(store, pool, provider, subject) or \
            _attribute_link(store, pool, provider, assertion, values)
    if found is not None:
        # The same rules as for a link found before PreSignUp: an unverified email follows
        # no link made by email, and never replaces a verified one. (The function's link,
        # made by its own API call, stays: the next such sign-in is refused in sign_in.)
        _check_email_link(found[0], unverified)
        return _returning(ctx, pool, client, found[1], _keep_email(found[1], values, unverified),
                          pre_authentication=None, linked=found, subject=subject,
                          issuer=issuer, provider=provider)
    try:
        users.create(store, pool, user)
    except CognitoError as err:
        if err.code != "UsernameExistsException" or err.message != "User account already exists":
            raise
        # A concurrent first sign-in of the same identity won while the function ran. Real
        # Cognito is reported to answer such races "Already found an entry for username
        # <name>" (error type UNCONFIRMED).
        raise CognitoError("UsernameExistsException",
                           f"Already found an entry for username {user['Username']}") from None
    signup.post_confirmation(ctx, pool, user, source="ConfirmSignUp",
                             client_id=client["ClientId"], metadata=None)
    return user, True
