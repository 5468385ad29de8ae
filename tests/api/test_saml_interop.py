"""SAML federation with real producers (issue #16): every identity provider below signs and
encrypts its responses itself, and each is run in three modes - signed and encrypted, only the
Response signed, only the Assertion signed - through the emulator's real endpoints
(/oauth2/authorize -> AuthnRequest -> the IdP's response POSTed to /saml2/idpresponse -> code
-> /oauth2/token). Each is accepted end to end (code, tokens, claims), and each tampered
variant is refused with its reason, creating no user.

Producers:
- pysaml2 with its defaults (tests/support/pysaml2_idp.py, through the rig);
- samlify as an IdP (npm, tests/node/samlify_idp.mjs), its metadata imported into the pool;
- lxml + signxml (tests/support/saml_producer.py), encrypted by the xmlsec1 program;
- the recorded namespace layouts of Entra ID, Okta, Keycloak, AD FS and Shibboleth
  (tests/support/saml_layouts.py), signed and encrypted by the xmlsec1 program.
"""
from __future__ import annotations

import base64
import json
import types
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from lxml import etree

from tests.support import saml_layouts, saml_producer
from tests.support.clients import requires, run_node
from tests.support.factories import claims, unique_name
from tests.support.saml_rig import EMAIL, ENTITY_ID, SSO_URL, SignIn, error_page, idp_keys, rigs

pytestmark = requires("xmlsec1")

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
MODES = saml_layouts.MODES  # "signed+encrypted", "response", "assertion"

INVALID = "Invalid SAML response: "
BAD_SIGNATURE = INVALID + ("The signature is not valid for any of the identity provider's "
                           "certificates.")
NOT_SIGNED = INVALID + "The SAML response is not signed."
UNDECRYPTABLE = INVALID + "The encrypted assertion cannot be decrypted with this provider's key."


# --- the producers ---------------------------------------------------------------------------

def _pysaml2(rig, mode, **sign_in) -> str:
    """pysaml2's defaults; signed+encrypted signs the Response and the Assertion."""
    attributes = {name: [value] for name, value in sign_in.pop("attributes").items()}
    return rig.response(attributes=attributes, encrypt=mode == "signed+encrypted",
                        sign_response=mode != "assertion", sign_assertion=mode != "response",
                        **sign_in)


_SAMLIFY_METADATA: list[str] = []


def _samlify_idp() -> dict:
    keys = idp_keys()
    return {"entityId": ENTITY_ID, "ssoUrl": SSO_URL, "privateKey": keys.private_key_pem,
            "certificate": keys.certificate_pem}


def _samlify_metadata() -> str:
    """samlify's own IdP metadata, imported into the pool (made once: it depends on nothing
    but the session's IdP keys)."""
    if not _SAMLIFY_METADATA:
        _SAMLIFY_METADATA.append(run_node("samlify_idp.mjs", json.dumps(
            {"command": "metadata", "idp": _samlify_idp()}))["metadata"])
    return _SAMLIFY_METADATA[0]


def _samlify(rig, mode, *, in_response_to, name_id, attributes, now, settings=None) -> str:
    """samlify's defaults; `settings` changes its algorithms (legacy ones, to be refused)."""
    made = run_node("samlify_idp.mjs", json.dumps({
        "command": "response", "idp": _samlify_idp(), "spMetadata": rig.sp_metadata(),
        "mode": mode, "inResponseTo": in_response_to, "now": now, "nameId": name_id,
        "attributes": attributes, "settings": settings or {}}))
    assert (made["acs"], made["audience"]) == (rig.acs, rig.audience)  # read from SP metadata
    return made["SAMLResponse"]


def _signxml(rig, mode, *, in_response_to, name_id, attributes, now) -> str:
    """lxml + signxml; signed+encrypted: the Assertion signed, encrypted (AES-128-CBC,
    RSA-OAEP), then the Response signed over the EncryptedAssertion."""
    root = saml_producer.response_for(
        issuer=rig.entity_id, audience=rig.audience, acs_url=rig.acs,
        in_response_to=in_response_to, issued=now, name_id=name_id,
        attributes={name: [value] for name, value in attributes.items()})
    keys = rig.keys
    if mode == "signed+encrypted":
        root = saml_producer.sign(root, keys, "assertion")
        sp = types.SimpleNamespace(certificate_pem=rig.encryption_certificate())
        root = saml_producer.sign(saml_producer.encrypt(root, sp), keys, "response")
    else:
        root = saml_producer.sign(root, keys, mode)
    return saml_producer.b64(root)


def _layout(layout: saml_layouts.Layout):
    def make(rig, mode, **sign_in) -> str:
        return saml_layouts.response(
            layout, mode=mode, idp=rig.keys, issuer=rig.entity_id, audience=rig.audience,
            acs=rig.acs, encryption_certificate=rig.encryption_certificate()
            if mode == "signed+encrypted" else None, **sign_in)
    return make


@dataclass(frozen=True)
class Producer:
    make: Callable[..., str]   # (rig, mode, *, in_response_to, name_id, attributes, now)
    metadata: Callable[[], str] | None = None  # the IdP's metadata; None: pysaml2's, same keys


PRODUCERS = {
    "pysaml2": Producer(_pysaml2),
    "samlify": Producer(_samlify, _samlify_metadata),
    "signxml": Producer(_signxml),
    **{name: Producer(_layout(layout)) for name, layout in saml_layouts.LAYOUTS.items()},
}
PRODUCER_PARAMS = [pytest.param(name, marks=requires("node_modules")) if name == "samlify"
                   else name for name in PRODUCERS]


@pytest.fixture
def federation(cognito, endpoint):
    """federation(producer, mode) -> a SamlRig whose provider imports the producer's metadata
    (EncryptedResponses on for signed+encrypted)."""
    with rigs(cognito, endpoint) as make:
        def build(producer: str, mode: str):
            metadata = PRODUCERS[producer].metadata
            return make(details={"EncryptedResponses": "true"}
                        if mode == "signed+encrypted" else {},
                        idp_metadata=metadata() if metadata else None)
        yield build


def _produce(producer: str, rig, mode: str, in_response_to: str | None, name_id: str) -> str:
    return PRODUCERS[producer].make(rig, mode, in_response_to=in_response_to, name_id=name_id,
                                    attributes={EMAIL: name_id}, now=rig.now())


def _tree(saml_response: str):
    return etree.fromstring(base64.b64decode(saml_response))


def _b64(root) -> str:
    return base64.b64encode(etree.tostring(root)).decode("ascii")


def _shape(root) -> tuple[bool, bool, bool]:
    """(Response signed, Assertion signed in the clear, assertion encrypted)."""
    assertion = root.find(f"{{{SAML}}}Assertion")
    return (root.find(f"{{{DS}}}Signature") is not None,
            assertion is not None and assertion.find(f"{{{DS}}}Signature") is not None,
            root.find(f"{{{SAML}}}EncryptedAssertion") is not None)


# --- accepted end to end ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("producer", PRODUCER_PARAMS)
def test_accepted_end_to_end(producer, mode, federation):
    rig = federation(producer, mode)
    name_id = f"{unique_name('ada')}@example.com"
    request_id, relay, _ = rig.start()
    saml_response = _produce(producer, rig, mode, request_id, name_id)
    signs_response, signs_assertion, encrypted = _shape(_tree(saml_response))
    assert encrypted == (mode == "signed+encrypted")
    if mode != "signed+encrypted":
        assert (signs_response, signs_assertion) == (mode == "response", mode == "assertion")

    done = SignIn(rig.post(saml_response, relay), rig.client_id)
    assert done.code and done.params["state"] == "xyz", (done.answer.status_code,
                                                           done.answer.text[:500])
    tokens = rig.tokens(done)
    id_claims, access = claims(tokens["id_token"]), claims(tokens["access_token"])
    assert id_claims["cognito:username"] == f"Corp_{name_id}"
    assert id_claims["email"] == name_id                      # mapped from the SAML attribute
    assert id_claims["aud"] == rig.client_id and access["client_id"] == rig.client_id
    assert access["username"] == f"Corp_{name_id}"
    [identity] = id_claims["identities"]
    assert (identity["providerName"], identity["providerType"], identity["userId"],
            identity["issuer"]) == ("Corp", "SAML", name_id, ENTITY_ID)
    [user] = rig.users()
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"


# --- tampered variants are refused ---------------------------------------------------------------

def _attribute_changed(root, **_):
    """The email attribute rewritten after signing (to someone else's address)."""
    [value] = root.xpath("//*[local-name()='AttributeValue']")
    value.text = "mallory@example.com"


def _signature_value_altered(root, **_):
    """One bit of the signature value flipped."""
    [signature] = root.xpath("//*[local-name()='SignatureValue']")
    raw = bytearray(base64.b64decode(signature.text))
    raw[len(raw) // 2] ^= 0x01
    signature.text = base64.b64encode(bytes(raw)).decode("ascii")


def _signature_removed(root, **_):
    [signature] = root.xpath(f"//*[local-name()='Signature' and namespace-uri()='{DS}']")
    signature.getparent().remove(signature)


def _ciphertext_altered(root, **_):
    """One bit flipped in the middle of the assertion's ciphertext."""
    value = root.find(f"{{{SAML}}}EncryptedAssertion/{{{XENC}}}EncryptedData/"
                      f"{{{XENC}}}CipherData/{{{XENC}}}CipherValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[len(raw) // 2] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode("ascii")


def _other_sps_assertion(root, *, other):
    """The EncryptedAssertion swapped for the one the same IdP made for another pool (whose
    key this provider does not hold)."""
    mine = root.find(f"{{{SAML}}}EncryptedAssertion")
    root.replace(mine, other.find(f"{{{SAML}}}EncryptedAssertion"))


TAMPERS = {
    # name: (modes it applies to, the change, what the page says: None = by the shape below)
    "attribute changed after signing": (("response", "assertion"), _attribute_changed,
                                        BAD_SIGNATURE),
    "signature value altered": (("response", "assertion"), _signature_value_altered,
                                BAD_SIGNATURE),
    "signature removed": (("response", "assertion"), _signature_removed, NOT_SIGNED),
    "ciphertext altered": (("signed+encrypted",), _ciphertext_altered, None),
    "another SP's encrypted assertion": (("signed+encrypted",), _other_sps_assertion, None),
}
TAMPER_CASES = [(tamper, mode) for tamper, (modes, _, _) in TAMPERS.items() for mode in modes]


@pytest.mark.parametrize("tamper, mode", TAMPER_CASES,
                         ids=[f"{t}-{m}" for t, m in TAMPER_CASES])
@pytest.mark.parametrize("producer", PRODUCER_PARAMS)
def test_tampered_variants_are_refused(producer, tamper, mode, federation):
    """A change to a signed part breaks its signature; a changed or foreign ciphertext cannot
    be decrypted (one answer for every decryption failure) - unless the Response is signed
    over the EncryptedAssertion (Okta, Keycloak, Shibboleth, pysaml2, signxml here), whose
    signature then refuses it first."""
    rig = federation(producer, mode)
    name_id = f"{unique_name('eve')}@example.com"
    request_id, relay, _ = rig.start()
    root = _tree(_produce(producer, rig, mode, request_id, name_id))
    _, change, text = TAMPERS[tamper]
    other = None
    if change is _other_sps_assertion:
        other_rig = federation(producer, mode)
        other = _tree(_produce(producer, other_rig, mode, request_id, name_id))
    change(root, other=other)
    if text is None:
        text = BAD_SIGNATURE if _shape(root)[0] else UNDECRYPTABLE
    error_page(rig.post(_b64(root), relay), text)
    assert rig.users() == []


def test_the_untouched_round_trip_is_accepted(federation):
    """The tampering helpers re-serialize with lxml: that alone changes nothing that matters."""
    rig = federation("okta", "response")
    request_id, relay, _ = rig.start()
    root = _tree(_produce("okta", rig, "response", request_id, "zoe@example.com"))
    done = SignIn(rig.post(_b64(root), relay), rig.client_id)
    assert done.code, done.answer.text[:500]


# --- samlify set to legacy algorithms ---------------------------------------------------------

LEGACY = {
    # samlify's defaults (RSA-SHA256, AES-256-CBC, RSA-OAEP-MGF1P) are all accepted above; an
    # IdP still set to SHA-1 signatures or to RSA PKCS#1 v1.5 key transport is refused, each
    # with its own reason.
    "RSA-SHA1 signature": ("assertion",
                           {"requestSignatureAlgorithm":
                            "http://www.w3.org/2000/09/xmldsig#rsa-sha1"},
                           INVALID + "SHA-1 signatures are not accepted; sign with RSA-SHA256."),
    "RSA-1_5 key transport": ("signed+encrypted",
                              {"keyEncryptionAlgorithm": XENC + "rsa-1_5"},
                              INVALID + "The key transport algorithm is not supported "
                                        "(use RSA-OAEP)."),
}


@requires("node_modules")
@pytest.mark.parametrize("legacy", list(LEGACY))
def test_samlify_with_a_legacy_algorithm_is_refused(legacy, federation):
    mode, settings, text = LEGACY[legacy]
    rig = federation("samlify", mode)
    request_id, relay, _ = rig.start()
    saml_response = _samlify(rig, mode, in_response_to=request_id, name_id="old@example.com",
                             attributes={EMAIL: "old@example.com"}, now=rig.now(),
                             settings=settings)
    assert next(iter(settings.values())).encode() in base64.b64decode(saml_response)
    error_page(rig.post(saml_response, relay), text)
    assert rig.users() == []
