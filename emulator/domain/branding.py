"""Look of the hosted pages: hosted UI (classic) customization - CSS and a logo, per app client
or for ALL clients - and managed login branding styles (settings JSON and image assets, one
style per app client).

Storage:
- kind "ui_customization", scope = pool id, key = client id or "ALL":
    {"UserPoolId", "ClientId", "CSS"?, "ImageFile"? (base64), "ImageType"?, "CSSVersion",
     "CreationDate", "LastModifiedDate"}
- kind "managed_login_branding", scope = pool id, key = branding id: the
  ManagedLoginBrandingType, plus "_clientId".
- kind "managed_login_branding_client", scope = pool id, key = client id -> {"id"}.
"""
import base64
import copy
import re
import time
import uuid

from ..errors import CognitoError, client_not_found, invalid, not_found
from ..store import AlreadyExists
from . import clients

UI_KIND = "ui_customization"
BRANDING_KIND = "managed_login_branding"
BRANDING_BY_CLIENT = "managed_login_branding_client"
ALL = "ALL"

# The classes the hosted UI (classic) lets CSS style, as documented; the hosted pages put
# them on their elements. Pseudo-classes :hover and :focus are allowed on top.
CSS_CLASSES = ("background-customizable", "banner-customizable", "errorMessage-customizable",
               "idpButton-customizable", "idpDescription-customizable",
               "inputField-customizable", "label-customizable", "legalText-customizable",
               "logo-customizable", "passwordCheck-notValid-customizable",
               "passwordCheck-valid-customizable", "redirect-customizable",
               "socialButton-customizable", "submitButton-customizable",
               "textDescription-customizable")

_SELECTOR = re.compile(r"^\.[A-Za-z][A-Za-z\-]*-customizable(?::(?:hover|focus))?$")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LOGO_CATEGORIES = ("FORM_LOGO", "PAGE_HEADER_LOGO")


# --- what the hosted pages use ----------------------------------------------------------------

def ui_customization(store, pool_id: str, client_id: str | None) -> dict | None:
    """The classic customization that applies to a client: its own, else the pool's ALL."""
    if client_id and client_id != ALL:
        own = store.get(UI_KIND, pool_id, client_id)
        if own is not None:
            return own
    return store.get(UI_KIND, pool_id, ALL)


def css_for(store, pool_id: str, client_id: str | None) -> str | None:
    """CSS to put in the hosted pages of this client (already checked: no '<', only
    `.<name>-customizable` rules), None when there is none."""
    record = ui_customization(store, pool_id, client_id)
    return (record or {}).get("CSS") or None


def logo_for(store, pool_id: str, client_id: str | None) -> bytes | None:
    """The logo of this client's pages: the classic customization image, else the form or
    header logo of its managed login branding style; None when there is none."""
    record = ui_customization(store, pool_id, client_id)
    if record and record.get("ImageFile"):
        return base64.b64decode(record["ImageFile"])
    style = branding_for_client(store, pool_id, client_id) if client_id else None
    for category in _LOGO_CATEGORIES:
        for asset in (style or {}).get("Assets") or []:
            if asset.get("Category") == category and asset.get("Bytes") \
                    and asset.get("ColorMode") in ("LIGHT", "DYNAMIC"):
                return base64.b64decode(asset["Bytes"])
    return None


def media_type(image: bytes) -> str:
    """Content-Type for a logo from its first bytes."""
    if image.startswith(b"\x89PNG"):
        return "image/png"
    if image.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if image.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in image[:256]:
        return "image/svg+xml"
    if image.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    if image[:4] == b"RIFF" and image[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def image_path(pool_id: str, client_id: str) -> str:
    """Path (on the emulator's port) where the classic logo is served; GetUICustomization's
    ImageUrl points here. The web layer serves it with logo_for()."""
    return f"/_emulator/ui-customization/{pool_id}/{client_id}/logo"


def branding_for_client(store, pool_id: str, client_id: str) -> dict | None:
    """The managed login branding style linked to an app client, None if it has none."""
    ref = store.get(BRANDING_BY_CLIENT, pool_id, client_id)
    return store.get(BRANDING_KIND, pool_id, ref["id"]) if ref else None


# --- SetUICustomization / GetUICustomization ----------------------------------------------------

def set_ui_customization(ctx, pool: dict, client_id: str | None, css: str | None,
                         image: bytes | None, image_b64: str | None) -> dict:
    """Store the classic customization of one client or ALL; a call with neither CSS nor an
    image removes it (UNCONFIRMED). Returns the stored record (None when removed)."""
    if not (pool.get("Domain") or pool.get("CustomDomain")):
        # Documented: "Your user pool must have a domain". Wording from a real deployment
        # log (amazon-connect/voicemail-for-amazon-connect#5).
        raise invalid("A domain must be associated with this user pool.")
    key = _client_key(ctx.store, pool["Id"], client_id)
    if css:
        check_css(css)
    image_type = None
    if image:
        image_type = media_type(image)
        if image_type not in ("image/png", "image/jpeg"):
            raise invalid("The image file must be a PNG or JPEG image.")  # wording UNCONFIRMED
    existing = ctx.store.get(UI_KIND, pool["Id"], key)
    if not css and not image:
        ctx.store.delete(UI_KIND, pool["Id"], key)
        return {"UserPoolId": pool["Id"], "ClientId": key}
    now = ctx.now()
    record = {"UserPoolId": pool["Id"], "ClientId": key,
              "CSSVersion": time.strftime("%Y%m%d%H%M%S", time.gmtime(now)),
              "CreationDate": existing["CreationDate"] if existing else now,
              "LastModifiedDate": now}
    if css:
        record["CSS"] = css
    if image:
        record["ImageFile"] = image_b64
        record["ImageType"] = image_type
    ctx.store.put(UI_KIND, pool["Id"], key, record)
    return record


def get_ui_customization(store, pool: dict, client_id: str | None) -> dict | None:
    """The record that applies (client's own, else ALL), None when nothing is set."""
    key = _client_key(store, pool["Id"], client_id)
    return ui_customization(store, pool["Id"], key)


def ui_customization_type(record: dict, base_url: str) -> dict:
    """UICustomizationType from a stored record."""
    out = {"UserPoolId": record["UserPoolId"], "ClientId": record["ClientId"]}
    if record.get("ImageFile"):
        out["ImageUrl"] = (f"{base_url}{image_path(record['UserPoolId'], record['ClientId'])}"
                           f"?v={record['CSSVersion']}")
    if record.get("CSS"):
        out["CSS"] = record["CSS"]
    for key in ("CSSVersion", "LastModifiedDate", "CreationDate"):
        if key in record:
            out[key] = record[key]
    return out


def _client_key(store, pool_id: str, client_id: str | None) -> str:
    if not client_id or client_id == ALL:
        return ALL
    if clients.get(store, pool_id, client_id) is None:
        raise client_not_found(client_id)
    return client_id


def check_css(css: str) -> None:
    """Loose check: rules of the form `.<name>-customizable[:hover|:focus] { ... }`, braces
    balanced, nothing that could end a <style> element. Wording UNCONFIRMED."""
    if "<" in css:
        raise invalid("The CSS contains an invalid character: <")
    text = _COMMENT.sub("", css)
    rest = text
    while rest.strip():
        open_at = rest.find("{")
        close_at = rest.find("}")
        if open_at < 0 or close_at < open_at:
            raise invalid("The CSS is not valid: unbalanced braces.")
        body = rest[open_at + 1:close_at]
        if "{" in body:
            raise invalid("The CSS is not valid: nested rules are not supported.")
        for selector in rest[:open_at].split(","):
            selector = selector.strip()
            if not _SELECTOR.match(selector):
                raise invalid(f"The CSS is not valid: the selector {selector or '(empty)'} is "
                              f"not one of the customizable classes.")
        rest = rest[close_at + 1:]


# --- managed login branding ---------------------------------------------------------------------

def create_branding(ctx, pool: dict, params: dict) -> dict:
    """CreateManagedLoginBranding: one style per app client."""
    pool_id, client_id = pool["Id"], params["ClientId"]
    if clients.get(ctx.store, pool_id, client_id) is None:
        raise client_not_found(client_id)
    _check_provided_values(params)
    branding_id = str(uuid.uuid4())
    try:
        ctx.store.insert(BRANDING_BY_CLIENT, pool_id, client_id, {"id": branding_id})
    except AlreadyExists:
        # Wording UNCONFIRMED.
        raise CognitoError("ManagedLoginBrandingExistsException",
                           f"A managed login branding style already exists for app client "
                           f"{client_id}.") from None
    now = ctx.now()
    record = {"ManagedLoginBrandingId": branding_id, "UserPoolId": pool_id,
              "UseCognitoProvidedValues": bool(params.get("UseCognitoProvidedValues", False)),
              "Settings": copy.deepcopy(params.get("Settings")) if params.get("Settings")
              is not None else None,
              "Assets": _merge_assets([], params.get("Assets") or []),
              "CreationDate": now, "LastModifiedDate": now, "_clientId": client_id}
    record = {k: v for k, v in record.items() if v is not None}
    ctx.store.put(BRANDING_KIND, pool_id, branding_id, record)
    return record


def update_branding(ctx, pool: dict, branding_id: str, params: dict) -> dict:
    """UpdateManagedLoginBranding: settings and assets not given are kept (documented: Cognito
    "preserves existing style settings that you don't specify"); Settings are merged key by
    key, Assets by (Category, ColorMode). UseCognitoProvidedValues=true resets the style."""
    record = require_branding(ctx.store, pool["Id"], branding_id)
    _check_provided_values(params)
    record = copy.deepcopy(record)
    if params.get("UseCognitoProvidedValues"):
        record.pop("Settings", None)
        record["Assets"] = []
        record["UseCognitoProvidedValues"] = True
    else:
        if params.get("Settings") is not None:
            record["Settings"] = _merge_settings(record.get("Settings"), params["Settings"])
            record["UseCognitoProvidedValues"] = False
        if params.get("Assets") is not None:
            record["Assets"] = _merge_assets(record.get("Assets") or [], params["Assets"])
            record["UseCognitoProvidedValues"] = False
    record["LastModifiedDate"] = ctx.now()
    ctx.store.put(BRANDING_KIND, pool["Id"], branding_id, record)
    return record


def delete_branding(ctx, pool: dict, branding_id: str) -> None:
    record = require_branding(ctx.store, pool["Id"], branding_id)
    ctx.store.delete(BRANDING_KIND, pool["Id"], branding_id)
    ctx.store.delete(BRANDING_BY_CLIENT, pool["Id"], record["_clientId"])


def require_branding(store, pool_id: str, branding_id: str) -> dict:
    record = store.get(BRANDING_KIND, pool_id, branding_id)
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Managed login branding {branding_id} does not exist.")
    return record


def require_branding_for_client(store, pool_id: str, client_id: str) -> dict:
    if clients.get(store, pool_id, client_id) is None:
        raise client_not_found(client_id)
    record = branding_for_client(store, pool_id, client_id)
    if record is None:
        # Wording UNCONFIRMED.
        raise not_found(f"Managed login branding for app client {client_id} does not exist.")
    return record


def branding_type(record: dict) -> dict:
    """ManagedLoginBrandingType: the stored style without the emulator's own fields.
    ReturnMergedResources is not honoured: the emulator doesn't know Cognito's defaults."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _check_provided_values(params: dict) -> None:
    if params.get("UseCognitoProvidedValues") and (params.get("Settings") is not None
                                                    or params.get("Assets")):
        # Documented rule; wording UNCONFIRMED.
        raise invalid("When UseCognitoProvidedValues is true, Settings and Assets must be "
                      "omitted.")


def _merge_settings(old, new):
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge_settings(old.get(key), value)
        return merged
    return copy.deepcopy(new)


def _merge_assets(old: list[dict], new: list[dict]) -> list[dict]:
    by_role = {(a["Category"], a["ColorMode"]): a for a in old}
    for asset in new:
        by_role[(asset["Category"], asset["ColorMode"])] = dict(asset)
    return list(by_role.values())
