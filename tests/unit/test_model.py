"""The emulator reads botocore's cognito-idp model file itself (emulator/api/model.py, to keep
botocore.loaders and its network imports out of start-up): it must be exactly the model
botocore's own loader gives."""
from botocore.loaders import Loader

from emulator.api import model


def test_model_is_botocores():
    # A fresh read, not the cached one.
    fresh = model.load_model.__wrapped__()
    assert fresh == Loader().load_service_model("cognito-idp", "service-2")
    assert len(model.operation_names()) >= 153
    identity = model.load_model.__wrapped__(model.IDENTITY_SERVICE)
    assert identity == Loader().load_service_model("cognito-identity", "service-2")
    assert len(model.operation_names(model.IDENTITY_SERVICE)) == 23


def test_the_target_prefix_picks_the_service():
    assert model.resolve_target("AWSCognitoIdentityProviderService.InitiateAuth") == \
        ("cognito-idp", "InitiateAuth")
    assert model.resolve_target("AWSCognitoIdentityProviderService.NoSuchOperation") is None
    assert model.resolve_target("AWSCognitoIdentityService.GetId") == ("cognito-identity", "GetId")
    # Each service answers only its own operations.
    assert model.resolve_target("AWSCognitoIdentityService.InitiateAuth") is None
    assert model.resolve_target("AWSCognitoIdentityProviderService.GetId") is None
    assert model.resolve_target("InitiateAuth") is None
    assert model.resolve_target("") is None
