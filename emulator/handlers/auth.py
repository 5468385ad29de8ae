"""Sign-in operations: thin wrappers over emulator.auth.flows."""
from ..api.registry import operation
from ..auth import flows


@operation("InitiateAuth")
def initiate_auth(ctx, params):
    return flows.initiate(ctx, params, admin=False)


@operation("AdminInitiateAuth")
def admin_initiate_auth(ctx, params):
    return flows.initiate(ctx, params, admin=True)


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx, params):
    return flows.respond(ctx, params, admin=False)


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx, params):
    return flows.respond(ctx, params, admin=True)
