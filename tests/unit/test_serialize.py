"""Responses written from the model's output shapes (emulator/api/serialize.py): model
order, undeclared members never leave (strict mode: an error), nulls left out, scalars
type-checked in strict mode."""
import importlib

import pytest

from emulator.api import model, serialize


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setattr(serialize, "STRICT", True)


@pytest.fixture
def lenient(monkeypatch):
    monkeypatch.setattr(serialize, "STRICT", False)


def test_members_come_out_in_model_order(lenient):
    shape = model.load_model()["shapes"]["UserPoolType"]["members"]
    stored = {"Arn": "arn:x", "Name": "p", "Id": "us-east-1_X", "CreationDate": 1.5,
              "LastModifiedDate": 2.5}
    out = serialize.serialize("DescribeUserPool", {"UserPool": stored})["UserPool"]
    assert list(out) == [m for m in shape if m in stored]
    assert out == stored


def test_private_and_undeclared_members_never_leave(lenient):
    out = serialize.serialize("DescribeUserPool", {
        "UserPool": {"Id": "us-east-1_X", "_secrets": ["s"], "Surprise": 1}, "Extra": True})
    assert out == {"UserPool": {"Id": "us-east-1_X"}}


def test_strict_mode_names_what_the_model_does_not_declare(strict):
    with pytest.raises(serialize.OutputShapeError) as err:
        serialize.serialize("DescribeUserPool", {"UserPool": {"Id": "x", "_secrets": []}})
    assert "DescribeUserPool.UserPool" in str(err.value) and "_secrets" in str(err.value)
    with pytest.raises(serialize.OutputShapeError, match="has no output shape"):
        serialize.serialize("DeleteUserPool", {"Deleted": True})


def test_strict_mode_checks_scalar_types(strict):
    with pytest.raises(serialize.OutputShapeError, match=r"UserPool\.EstimatedNumberOfUsers: "
                                                        r"expected integer, got str"):
        serialize.serialize("DescribeUserPool",
                            {"UserPool": {"EstimatedNumberOfUsers": "3"}})
    with pytest.raises(serialize.OutputShapeError, match="expected integer, got bool"):
        serialize.serialize("DescribeUserPool", {"UserPool": {"EstimatedNumberOfUsers": True}})
    # A timestamp is epoch seconds (JSON 1.1); an int is fine too.
    assert serialize.serialize("DescribeUserPool", {"UserPool": {"CreationDate": 7}}) == \
        {"UserPool": {"CreationDate": 7}}


def test_nulls_are_left_out_lists_and_maps_walked(strict):
    out = serialize.serialize("AdminGetUser", {
        "Username": "u", "UserAttributes": [{"Name": "email", "Value": "a@example.com"}],
        "MFAOptions": None, "UserCreateDate": 1.0})
    assert out == {"Username": "u", "UserAttributes": [{"Name": "email",
                                                        "Value": "a@example.com"}],
                   "UserCreateDate": 1.0}
    tags = serialize.serialize("ListTagsForResource", {"Tags": {"a": "1", "b": None}})
    assert tags == {"Tags": {"a": "1"}}


def test_free_form_documents_pass_as_they_are(strict):
    settings = {"components": {"primaryButton": {"lightMode": {}}}}
    out = serialize.serialize("DescribeManagedLoginBranding", {
        "ManagedLoginBranding": {"ManagedLoginBrandingId": "b", "Settings": settings}})
    assert out["ManagedLoginBranding"]["Settings"] == settings


def test_strict_mode_follows_the_environment(monkeypatch):
    monkeypatch.setenv("COGNITO_EMULATOR_STRICT_OUTPUT", "1")
    assert importlib.reload(serialize).STRICT is True
    monkeypatch.setenv("COGNITO_EMULATOR_STRICT_OUTPUT", "0")
    assert importlib.reload(serialize).STRICT is False
