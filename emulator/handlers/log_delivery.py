"""SetLogDeliveryConfiguration / GetLogDeliveryConfiguration. Logic in
emulator/domain/log_delivery.py."""
from ..api.registry import operation
from ..domain import log_delivery


@operation("SetLogDeliveryConfiguration")
def set_log_delivery_configuration(ctx, params):
    pool = ctx.pool
    return {"LogDeliveryConfiguration":
            log_delivery.set_config(ctx, pool, params.get("LogConfigurations") or [])}


@operation("GetLogDeliveryConfiguration")
def get_log_delivery_configuration(ctx, params):
    pool = ctx.pool
    return {"LogDeliveryConfiguration": log_delivery.get_config(ctx.store, pool)}
