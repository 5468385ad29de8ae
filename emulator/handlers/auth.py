"""Sign-in operations: thin wrappers over the sign-in pipeline (emulator/auth/pipeline.py)."""
from ..api.registry import operation
from ..auth import pipeline


@operation("InitiateAuth")
def initiate_auth(ctx, params):
    return pipeline.initiate(ctx, params, admin=False)


@operation("AdminInitiateAuth")
def admin_initiate_auth(ctx, params):
    return pipeline.initiate(ctx, params, admin=True)


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx, params):
    return pipeline.respond(ctx, params, admin=False)


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx, params):
    return pipeline.respond(ctx, params, admin=True)
