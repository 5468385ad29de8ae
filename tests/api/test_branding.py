"""Hosted UI (classic) customization and managed login branding through boto3."""
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from emulator.domain import branding
from emulator.store.memory import MemoryStore
from tests.support.factories import UUID_RE, error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CSS = ".logo-customizable {max-width: 60%;}\n.submitButton-customizable:hover {color: red;}"
MISSING_CLIENT = "nonexistentclientid0000000"


@pytest.fixture
def hosted(cognito, pool_id):
    """The pool id, with a prefix domain (SetUICustomization needs one), removed afterwards."""
    prefix = f"brand-{uuid.uuid4().hex[:10]}"
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    yield pool_id
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)


# --- SetUICustomization / GetUICustomization ------------------------------------------------

def test_pool_wide_customization(cognito, hosted, clock):
    now = clock.pin()["now"]
    out = cognito.set_ui_customization(UserPoolId=hosted, CSS=CSS, ImageFile=PNG)
    ui = out["UICustomization"]
    assert ui["UserPoolId"] == hosted and ui["ClientId"] == "ALL"
    assert ui["CSS"] == CSS
    assert re.fullmatch(r"\d{14}", ui["CSSVersion"])
    assert ui["CreationDate"].timestamp() == pytest.approx(now)
    assert ui["ImageUrl"].split("?")[0].endswith(f"/_emulator/ui-customization/{hosted}/ALL/logo")
    assert cognito.get_ui_customization(UserPoolId=hosted)["UICustomization"] == ui


def test_client_customization_overrides_all(cognito, hosted, client_id):
    cognito.set_ui_customization(UserPoolId=hosted, ClientId="ALL", CSS=CSS)
    # No client-level settings yet: the pool's ALL customization applies.
    fallback = cognito.get_ui_customization(UserPoolId=hosted, ClientId=client_id)
    assert fallback["UICustomization"]["ClientId"] == "ALL"
    assert fallback["UICustomization"]["CSS"] == CSS
    own_css = ".banner-customizable {background-color: black;}"
    cognito.set_ui_customization(UserPoolId=hosted, ClientId=client_id, CSS=own_css,
                                 ImageFile=JPEG)
    own = cognito.get_ui_customization(UserPoolId=hosted, ClientId=client_id)["UICustomization"]
    assert own["ClientId"] == client_id and own["CSS"] == own_css
    assert cognito.get_ui_customization(UserPoolId=hosted)["UICustomization"]["CSS"] == CSS


def test_nothing_set(cognito, pool_id, client_id):
    ui = cognito.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert ui == {"UserPoolId": pool_id, "ClientId": client_id}


def test_setting_nothing_removes_it(cognito, hosted):
    cognito.set_ui_customization(UserPoolId=hosted, CSS=CSS)
    cognito.set_ui_customization(UserPoolId=hosted)
    assert "CSS" not in cognito.get_ui_customization(UserPoolId=hosted)["UICustomization"]


def test_a_domain_is_required(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=pool_id, CSS=CSS)
    assert error(exc) == ("InvalidParameterException",
                          "A domain must be associated with this user pool.")


def test_unknown_client(cognito, hosted):
    for call in (lambda: cognito.set_ui_customization(UserPoolId=hosted, ClientId=MISSING_CLIENT,
                                                      CSS=CSS),
                 lambda: cognito.get_ui_customization(UserPoolId=hosted,
                                                      ClientId=MISSING_CLIENT)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException",
                              f"User pool client {MISSING_CLIENT} does not exist.")


@pytest.mark.parametrize("css", [
    ".logo-customizable {max-width: 60%;",                 # unbalanced
    "body {color: red;}",                                  # not a customizable class
    ".label-customizable {color: red;} </style><script>",  # tries to leave the <style>
    ".label-customizable {a {b}}",                         # nested
])
def test_css_is_checked(cognito, hosted, css):
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=hosted, CSS=css)
    assert error(exc)[0] == "InvalidParameterException"
    assert "CSS" not in cognito.get_ui_customization(UserPoolId=hosted)["UICustomization"]


def test_css_comments_and_selector_lists(cognito, hosted):
    css = ("/* brand */ .label-customizable, .legalText-customizable {font-weight: 400;}\n"
           ".inputField-customizable:focus {border-color: #333;}")
    assert cognito.set_ui_customization(UserPoolId=hosted, CSS=css)["UICustomization"]["CSS"] == css


def test_image_must_be_png_or_jpeg(cognito, hosted):
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=hosted, ImageFile=b"GIF89a....")
    assert error(exc)[0] == "InvalidParameterException"


def test_image_size_limit_from_the_model(cognito, hosted):
    with pytest.raises(ClientError) as exc:
        cognito.set_ui_customization(UserPoolId=hosted, ImageFile=PNG + b"\x00" * 131072)
    assert error(exc)[0] == "InvalidParameterException"


# --- managed login branding -----------------------------------------------------------------

SETTINGS = {"components": {"primaryButton": {"lightMode": {"defaults": {
    "backgroundColor": "0972d3ff", "textColor": "ffffffff"}}}},
    "categories": {"global": {"colorSchemeMode": "LIGHT"}}}
LOGO = {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}


def test_branding_lifecycle(cognito, pool_id, client_id, clock):
    now = clock.pin()["now"]
    created = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, Settings=SETTINGS,
        Assets=[LOGO])["ManagedLoginBranding"]
    branding_id = created["ManagedLoginBrandingId"]
    assert UUID_RE.match(branding_id)
    assert created["UserPoolId"] == pool_id
    assert created["UseCognitoProvidedValues"] is False
    assert created["Settings"] == SETTINGS
    assert created["Assets"] == [LOGO]
    assert created["CreationDate"].timestamp() == pytest.approx(now)
    described = cognito.describe_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)["ManagedLoginBranding"]
    assert described == created
    by_client = cognito.describe_managed_login_branding_by_client(
        UserPoolId=pool_id, ClientId=client_id)["ManagedLoginBranding"]
    assert by_client == created

    clock.advance(60)
    dark = {"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "JPEG", "Bytes": JPEG}
    updated = cognito.update_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=branding_id,
        Settings={"categories": {"global": {"colorSchemeMode": "DARK"}}},
        Assets=[dark])["ManagedLoginBranding"]
    # What the update leaves out is kept: settings merge, assets by category and color mode.
    assert updated["Settings"]["components"] == SETTINGS["components"]
    assert updated["Settings"]["categories"]["global"]["colorSchemeMode"] == "DARK"
    assert {(a["Category"], a["ColorMode"]) for a in updated["Assets"]} == {
        ("FORM_LOGO", "LIGHT"), ("FORM_LOGO", "DARK")}
    assert updated["LastModifiedDate"].timestamp() == pytest.approx(now + 60)
    assert updated["CreationDate"] == created["CreationDate"]

    reset = cognito.update_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=branding_id,
        UseCognitoProvidedValues=True)["ManagedLoginBranding"]
    assert reset["UseCognitoProvidedValues"] is True
    assert "Settings" not in reset and reset["Assets"] == []

    cognito.delete_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)
    with pytest.raises(ClientError) as exc:
        cognito.describe_managed_login_branding(UserPoolId=pool_id,
                                                ManagedLoginBrandingId=branding_id)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)
    assert error(exc)[0] == "ResourceNotFoundException"
    # The client may have a style again.
    cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id,
                                          UseCognitoProvidedValues=True)


def test_one_style_per_client(cognito, pool_id, client_id):
    cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id,
                                          UseCognitoProvidedValues=True)
    with pytest.raises(ClientError) as exc:
        cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id,
                                              Settings=SETTINGS)
    assert error(exc)[0] == "ManagedLoginBrandingExistsException"


def test_cognito_provided_values_exclude_settings(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as exc:
        cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id,
                                              UseCognitoProvidedValues=True, Settings=SETTINGS)
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_branding_unknown_things(cognito, pool_id):
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ClientError) as exc:
        cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=MISSING_CLIENT)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool client {MISSING_CLIENT} does not exist.")
    for call in (
            lambda: cognito.describe_managed_login_branding(UserPoolId=pool_id,
                                                            ManagedLoginBrandingId=missing),
            lambda: cognito.update_managed_login_branding(UserPoolId=pool_id,
                                                          ManagedLoginBrandingId=missing,
                                                          Settings={}),
            lambda: cognito.delete_managed_login_branding(UserPoolId=pool_id,
                                                          ManagedLoginBrandingId=missing),
            lambda: cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id,
                                                                      ClientId=MISSING_CLIENT)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:   # the model: ids are version-4 UUIDs
        cognito.describe_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId="x")
    assert error(exc)[0] == "InvalidParameterException"


def test_update_needs_pool_and_style(unchecked):
    with pytest.raises(ClientError) as exc:
        unchecked.update_managed_login_branding(Settings={})
    assert error(exc)[0] == "InvalidParameterException"


# --- what the hosted pages read (domain layer, no server) -----------------------------------

def test_css_and_logo_for_the_pages():
    store = MemoryStore()
    pool = "us-east-1_x"
    assert branding.css_for(store, pool, "c1") is None
    assert branding.logo_for(store, pool, "c1") is None
    store.put(branding.UI_KIND, pool, "ALL", {"UserPoolId": pool, "ClientId": "ALL",
                                              "CSS": CSS, "ImageFile": "iVBORw0KGgo="})
    assert branding.css_for(store, pool, "c1") == CSS
    assert branding.css_for(store, pool, None) == CSS
    assert branding.logo_for(store, pool, "c1") == b"\x89PNG\r\n\x1a\n"
    store.put(branding.UI_KIND, pool, "c1", {"UserPoolId": pool, "ClientId": "c1",
                                             "CSS": ".label-customizable {}"})
    assert branding.css_for(store, pool, "c1") == ".label-customizable {}"
    assert branding.logo_for(store, pool, "c1") is None     # the client's own record wins
    assert branding.media_type(PNG) == "image/png" and branding.media_type(JPEG) == "image/jpeg"
    # A managed login style's form logo when there's no classic image.
    store.put(branding.BRANDING_KIND, pool, "b1", {"ManagedLoginBrandingId": "b1",
                                                   "Assets": [{"Category": "FORM_LOGO",
                                                               "ColorMode": "LIGHT",
                                                               "Extension": "PNG",
                                                               "Bytes": "iVBORw0KGgo="}]})
    store.put(branding.BRANDING_BY_CLIENT, pool, "c2", {"id": "b1"})
    store.delete(branding.UI_KIND, pool, "ALL")
    assert branding.logo_for(store, pool, "c2") == b"\x89PNG\r\n\x1a\n"
    assert branding.branding_for_client(store, pool, "c2")["ManagedLoginBrandingId"] == "b1"
