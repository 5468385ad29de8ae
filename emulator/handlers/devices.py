"""Device operations: ConfirmDevice, and getting, listing, forgetting and (un)remembering a
user's devices, by access token or as an administrator. Logic in emulator/domain/devices.py."""
from ..api.registry import operation
from ..domain import devices, users


def _admin(ctx, params) -> tuple[dict, dict]:
    pool = ctx.pool
    return pool, users.require(ctx.store, pool, params["Username"])


@operation("ConfirmDevice")
def confirm_device(ctx, params):
    pool, user, _ = ctx.caller
    necessary = devices.confirm(ctx, pool, user, params["DeviceKey"],
                                params.get("DeviceSecretVerifierConfig"), params.get("DeviceName"))
    return {"UserConfirmationNecessary": necessary}


@operation("GetDevice")
def get_device(ctx, params):
    pool, user, _ = ctx.caller
    return {"Device": devices.public(devices.require(ctx.store, pool, user, params["DeviceKey"]))}


@operation("AdminGetDevice")
def admin_get_device(ctx, params):
    pool, user = _admin(ctx, params)
    return {"Device": devices.public(devices.require(ctx.store, pool, user, params["DeviceKey"]))}


@operation("ListDevices")
def list_devices(ctx, params):
    pool, user, _ = ctx.caller
    return devices.list_devices(ctx.store, pool, user, limit=params.get("Limit"),
                                pagination_token=params.get("PaginationToken"))


@operation("AdminListDevices")
def admin_list_devices(ctx, params):
    pool, user = _admin(ctx, params)
    return devices.list_devices(ctx.store, pool, user, limit=params.get("Limit"),
                                pagination_token=params.get("PaginationToken"))


@operation("ForgetDevice")
def forget_device(ctx, params):
    pool, user, _ = ctx.caller  # AccessToken: optional in the model, needed here
    devices.forget(ctx, pool, user, params["DeviceKey"])
    return {}


@operation("AdminForgetDevice")
def admin_forget_device(ctx, params):
    pool, user = _admin(ctx, params)
    devices.forget(ctx, pool, user, params["DeviceKey"])
    return {}


@operation("UpdateDeviceStatus")
def update_device_status(ctx, params):
    pool, user, _ = ctx.caller
    devices.update_status(ctx, pool, user, params["DeviceKey"],
                          params.get("DeviceRememberedStatus"))
    return {}


@operation("AdminUpdateDeviceStatus")
def admin_update_device_status(ctx, params):
    pool, user = _admin(ctx, params)
    devices.update_status(ctx, pool, user, params["DeviceKey"],
                          params.get("DeviceRememberedStatus"))
    return {}
