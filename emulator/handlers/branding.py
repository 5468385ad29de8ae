"""Look of the hosted pages: SetUICustomization, GetUICustomization (hosted UI classic) and
Create/Describe/DescribeByClient/Update/DeleteManagedLoginBranding (managed login)."""
import base64

from ..api.registry import operation
from ..domain import branding
from ..errors import invalid


@operation("SetUICustomization")
def set_ui_customization(ctx, params):
    pool = ctx.pool
    image_b64 = params.get("ImageFile") or None
    image = base64.b64decode(image_b64) if image_b64 else None
    record = branding.set_ui_customization(ctx, pool, params.get("ClientId"),
                                           params.get("CSS"), image, image_b64)
    return {"UICustomization": branding.ui_customization_type(record, ctx.settings.base_url)}


@operation("GetUICustomization")
def get_ui_customization(ctx, params):
    pool = ctx.pool
    record = branding.get_ui_customization(ctx.store, pool, params.get("ClientId"))
    if record is None:
        # Documented as "an empty object" when nothing is set; the pool and client are named
        # (UNCONFIRMED which members the real answer keeps).
        return {"UICustomization": {"UserPoolId": pool["Id"],
                                    "ClientId": params.get("ClientId") or branding.ALL}}
    return {"UICustomization": branding.ui_customization_type(record, ctx.settings.base_url)}


@operation("CreateManagedLoginBranding")
def create_managed_login_branding(ctx, params):
    pool = ctx.pool
    record = branding.create_branding(ctx, pool, params)
    return {"ManagedLoginBranding": branding.branding_type(record)}


@operation("DescribeManagedLoginBranding")
def describe_managed_login_branding(ctx, params):
    pool = ctx.pool
    record = branding.require_branding(ctx.store, pool["Id"], params["ManagedLoginBrandingId"])
    return {"ManagedLoginBranding": branding.branding_type(record)}


@operation("DescribeManagedLoginBrandingByClient")
def describe_managed_login_branding_by_client(ctx, params):
    pool = ctx.pool
    record = branding.require_branding_for_client(ctx.store, pool["Id"], params["ClientId"])
    return {"ManagedLoginBranding": branding.branding_type(record)}


@operation("UpdateManagedLoginBranding")
def update_managed_login_branding(ctx, params):
    # The model makes no member required; without the pool and style there is nothing to
    # update. Wording UNCONFIRMED.
    for member in ("UserPoolId", "ManagedLoginBrandingId"):
        if not params.get(member):
            raise invalid(f"{member} is required.")
    pool = ctx.pool
    record = branding.update_branding(ctx, pool, params["ManagedLoginBrandingId"], params)
    return {"ManagedLoginBranding": branding.branding_type(record)}


@operation("DeleteManagedLoginBranding")
def delete_managed_login_branding(ctx, params):
    pool = ctx.pool
    branding.delete_branding(ctx, pool, params["ManagedLoginBrandingId"])
    return {}
