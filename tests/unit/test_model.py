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


def test_the_target_prefix_picks_the_service():
    assert model.resolve_target("AWSCognitoIdentityProviderService.InitiateAuth") == \
        ("cognito-idp", "InitiateAuth")
    assert model.resolve_target("AWSCognitoIdentityProviderService.NoSuchOperation") is None
    assert model.resolve_target("AWSCognitoIdentityService.GetId") is None  # not served yet
    assert model.resolve_target("InitiateAuth") is None
    assert model.resolve_target("") is None
