"""The emulator reads botocore's cognito-idp model file itself (emulator/api/model.py, to keep
botocore.loaders and its network imports out of start-up): it must be exactly the model
botocore's own loader gives."""
from botocore.loaders import Loader

from emulator.api import model


def test_model_is_botocores():
    # A fresh read: the cached model is adjusted in place at import (handlers/domains.py).
    fresh = model.load_model.__wrapped__()
    assert fresh == Loader().load_service_model("cognito-idp", "service-2")
    assert len(model.operation_names()) >= 153
