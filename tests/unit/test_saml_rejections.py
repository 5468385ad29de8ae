"""Each rejection in saml.response.read_response that no other test reached, triggered by a
response that is valid in every other respect, so the refusal proves that one check and not an
earlier one: the signature's algorithms, canonicalization and transforms, a missing audience
restriction, the assertion's issuer, the bearer confirmation and its window, an EncryptedID,
and the shape checks (status, versions, IDs, subject parts, times, certificates) around them.

The responses come from tests/support/saml_producer.py, an IdP independent of the code under
test: lxml writes them (not saml.idp), signxml or the xmlsec1 program signs them with the IdP's
key. test_baseline_accepted is the control: the same producer without the defect is accepted.
Each odd signature is also checked with the xmlsec1 program, so a refusal is for its shape and
never for broken maths. Every check names the SamlError's reason and its exact message."""
import copy

import pytest
from lxml import etree

from saml.certificates import certificate_body, new_key_pair
from saml.errors import SamlError
from saml.response import read_response
from tests.support.clients import requires
from tests.support.saml_producer import (
    ACS_URL, ASSERTION_ID, C14N_10, C14N_11, DS, ENVELOPED, EXC_C14N, HMAC_SHA256,
    HOLDER_OF_KEY, IDP_ID, ISSUED, LIFETIME, NOW, REQUEST_ID, RSA_SHA1, RSA_SHA224, RSA_SHA512,
    SAML, SAMLP, SENDER_VOUCHES, SHA1, SHA224, SHA512, SP_ID, XPATH, XSI, SignedInfo, b64,
    encrypted_id, find, instant, q, response, sign, sub, xmlsec1_decrypts, xmlsec1_verifies)

needs_xmlsec1 = requires("xmlsec1")

BAD_SHAPE = "The signature does not cover the signed element in the expected way."
SHA1_REFUSED = "SHA-1 signatures are not accepted; sign with RSA-SHA256."
EXPIRED = "The SAML assertion has expired."
NOT_YET = "The SAML assertion is not valid yet."
SIGNED = ["response", "assertion"]  # where the one signature of a content defect sits


@pytest.fixture(scope="module")
def idp():
    return new_key_pair("idp.example.net", ISSUED - 86400)


@pytest.fixture(scope="module")
def sp():
    """The SP's encryption key pair: only the EncryptedID test needs it."""
    return new_key_pair(SP_ID, ISSUED - 86400)


def read(root, idp, **overrides):
    """read_response as the SP-initiated sign-in at NOW would call it."""
    args = dict(signing_certificates=[idp.certificate_pem], idp_entity_id=IDP_ID,
                sp_entity_id=SP_ID, acs_url=ACS_URL, now=NOW, in_response_to=REQUEST_ID,
                decryption_key_pem=None, require_encryption=False)
    args.update(overrides)
    return read_response(b64(root), **args)


def refusal(root, idp, **overrides) -> tuple[str, str]:
    with pytest.raises(SamlError) as error:
        read(root, idp, **overrides)
    return error.value.reason, error.value.message


def assertion_of(root):
    return find(root, "saml:Assertion")


# --- the control ------------------------------------------------------------------------------

@pytest.mark.parametrize("tool", ["signxml", pytest.param("xmlsec1", marks=needs_xmlsec1)])
@pytest.mark.parametrize("where", ["response", "assertion", "both"])
def test_baseline_accepted(idp, tool, where):
    root = sign(response(), idp, where, tool=tool)
    signed = {"response": [root], "assertion": [assertion_of(root)],
              "both": [root, assertion_of(root)]}[where]
    # the schema's place: right after the signed element's Issuer
    assert [element[1].tag for element in signed] == [q(DS, "Signature")] * len(signed)
    result = read(root, idp)
    assert (result.id, result.issuer) == (ASSERTION_ID, IDP_ID)
    assert result.name_id == "alice@example.com"
    assert result.attributes == {"email": ["alice@example.com"], "groups": ["admins", "staff"]}
    assert result.session_index == "_session-1" and result.in_response_to == REQUEST_ID
    assert result.not_on_or_after == ISSUED + LIFETIME


def test_accepted_other_sha2_algorithms(idp):
    # The SHA-2 family beyond SHA-256 is accepted: the digest tests below change only that.
    root = sign(response(), idp, "assertion", SignedInfo(signature_method=RSA_SHA512,
                                                         digest_method=SHA512))
    assert read(root, idp).name_id == "alice@example.com"


# --- the signature's SignedInfo -----------------------------------------------------------------

SIGNATURE_DEFECTS = {
    # name: (SignedInfo, signer, message)
    "rsa-sha224": (SignedInfo(signature_method=RSA_SHA224), "signxml",
                   "The signature algorithm is not supported."),
    # HMAC keyed with the IdP's public certificate: anyone can make it (key confusion).
    "hmac-sha256 keyed with the certificate": (
        SignedInfo(signature_method=HMAC_SHA256), "signxml",
        "The signature algorithm is not supported."),
    "rsa-sha1 with a sha1 digest": (SignedInfo(signature_method=RSA_SHA1, digest_method=SHA1),
                                    "signxml", SHA1_REFUSED),
    "rsa-sha1 with a sha256 digest": (SignedInfo(signature_method=RSA_SHA1), "signxml",
                                      SHA1_REFUSED),
    "rsa-sha256 with a sha1 digest": (SignedInfo(digest_method=SHA1), "signxml", SHA1_REFUSED),
    "sha224 digest": (SignedInfo(digest_method=SHA224), "signxml",
                      "The digest algorithm is not supported."),
    "inclusive c14n 1.0 for SignedInfo": (SignedInfo(c14n_method=C14N_10), "signxml", BAD_SHAPE),
    "c14n 1.1 for SignedInfo": (SignedInfo(c14n_method=C14N_11), "signxml", BAD_SHAPE),
    "inclusive c14n in place of exc-c14n": (SignedInfo(transforms=(ENVELOPED, C14N_10)),
                                            "xmlsec1", BAD_SHAPE),
    "inclusive c14n after exc-c14n": (SignedInfo(transforms=(ENVELOPED, EXC_C14N, C14N_10)),
                                      "xmlsec1", BAD_SHAPE),
    "XPath beside enveloped and exc-c14n": (
        SignedInfo(transforms=(ENVELOPED, XPATH, EXC_C14N)), "xmlsec1", BAD_SHAPE),
    # An XPath filter that drops the Signature does the enveloped transform's job: no
    # enveloped-signature transform, yet a valid enveloped signature.
    "XPath filter in place of enveloped": (SignedInfo(transforms=(XPATH, EXC_C14N)), "xmlsec1",
                                           BAD_SHAPE),
    "enveloped twice (three transforms)": (
        SignedInfo(transforms=(ENVELOPED, ENVELOPED, EXC_C14N)), "xmlsec1", BAD_SHAPE),
}
PLACES = ["response", "assertion", "assertion under a good response signature"]


@needs_xmlsec1
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("defect", list(SIGNATURE_DEFECTS))
def test_signature_shape_refused(idp, defect, place):
    info, tool, message = SIGNATURE_DEFECTS[defect]
    if place == "response":
        root = sign(response(), idp, "response", info, tool=tool)
    else:
        root = sign(response(), idp, "assertion", info, tool=tool)
        if place != "assertion":
            # A valid Response signature must not excuse the assertion's own.
            root = sign(root, idp, "response")
            assert xmlsec1_verifies(root, idp, "response")
    # Genuine: the maths holds under the IdP's key, only the shape differs from the control.
    assert xmlsec1_verifies(root, idp, "response" if place == "response" else "assertion")
    assert refusal(root, idp) == ("signature", message)


@needs_xmlsec1
def test_signed_element_without_id(idp):
    # Reference URI="" (the whole document) is valid XML Signature, but not SAML's shape.
    root = response()
    del root.attrib["ID"]
    root = sign(root, idp, "response", SignedInfo(uri=""), tool="xmlsec1")
    assert xmlsec1_verifies(root, idp, "response")
    assert refusal(root, idp) == ("signature", "The signed element has no ID.")


def _duplicate_signed_info(signature):
    signature.insert(1, copy.deepcopy(find(signature, "ds:SignedInfo")))


def _drop(path):
    def edit(signature):
        element = find(signature, path)
        element.getparent().remove(element)
    return edit


SIGNATURE_EDITS = {
    "a second SignedInfo": (_duplicate_signed_info, BAD_SHAPE),
    "no CanonicalizationMethod": (_drop("ds:SignedInfo/ds:CanonicalizationMethod"), BAD_SHAPE),
    "no SignatureMethod": (_drop("ds:SignedInfo/ds:SignatureMethod"), BAD_SHAPE),
    "a second copy of the signature": (
        lambda signature: signature.addnext(copy.deepcopy(signature)),
        "The message carries more than one signature on the same element."),
}


@pytest.mark.parametrize("edit", list(SIGNATURE_EDITS))
def test_signature_edited_after_signing(idp, edit):
    # No valid signature has these shapes (each edit breaks the maths); the message shows the
    # shape check refuses them before xmlsec is asked, not the failed verification.
    change, message = SIGNATURE_EDITS[edit]
    root = sign(response(), idp, "assertion")
    change(find(assertion_of(root), "ds:Signature"))
    assert refusal(root, idp) == ("signature", message)


# --- the assertion's content (one signature, on the Response or the Assertion) -----------------

@pytest.mark.parametrize("where", SIGNED)
def test_no_conditions(idp, where):
    root = response()
    assertion_of(root).remove(find(root, "saml:Assertion/saml:Conditions"))
    root = sign(root, idp, where)
    assert refusal(root, idp) == ("audience", "The assertion has no audience restriction.")


@pytest.mark.parametrize("where", SIGNED)
def test_conditions_without_audience_restriction(idp, where):
    # The time window stays: only the AudienceRestriction is gone.
    root = response()
    conditions = find(root, "saml:Assertion/saml:Conditions")
    conditions.remove(find(conditions, "saml:AudienceRestriction"))
    assert conditions.get("NotOnOrAfter")
    root = sign(root, idp, where)
    assert refusal(root, idp) == ("audience", "The assertion has no audience restriction.")


@pytest.mark.parametrize("issuer", ["https://other-idp.example.net/metadata", None])
@pytest.mark.parametrize("where", ["assertion", "both"])
def test_assertion_from_another_issuer(idp, where, issuer):
    # The Response's Issuer is right; the signed assertion names another IdP (or none).
    root = response()
    element = find(root, "saml:Assertion/saml:Issuer")
    if issuer is None:
        assertion_of(root).remove(element)
    else:
        element.text = issuer
    root = sign(root, idp, where)
    assert find(root, "saml:Issuer").text == IDP_ID
    assert refusal(root, idp) == (
        "issuer", "The assertion comes from a different identity provider.")


def _holder_of_key(confirmation, idp):
    # SAML 2.0 holder-of-key: KeyInfoConfirmationDataType with the presenter's certificate.
    data = find(confirmation, "saml:SubjectConfirmationData")
    data.set(q(XSI, "type"), "saml:KeyInfoConfirmationDataType")
    x509 = sub(sub(data, DS, "KeyInfo"), DS, "X509Data")
    sub(x509, DS, "X509Certificate", certificate_body(idp.certificate_pem))
    confirmation.set("Method", HOLDER_OF_KEY)


def _sender_vouches(confirmation, idp):
    # The attesting entity is named inside the confirmation, before its data.
    confirmation.insert(0, etree.Element(q(SAML, "NameID")))
    confirmation[0].text = "https://gateway.example.net"
    confirmation.set("Method", SENDER_VOUCHES)


@pytest.mark.parametrize("method", [_holder_of_key, _sender_vouches],
                         ids=["holder-of-key", "sender-vouches"])
@pytest.mark.parametrize("where", SIGNED)
def test_no_bearer_confirmation(idp, where, method):
    root = response()
    confirmation = find(root, "saml:Assertion/saml:Subject/saml:SubjectConfirmation")
    method(confirmation, idp)
    assert find(confirmation, "saml:SubjectConfirmationData").get("Recipient") == ACS_URL
    root = sign(root, idp, where)
    assert refusal(root, idp) == ("subject", "The assertion has no bearer subject confirmation.")


def _confirmation_data(root):
    return find(root, "saml:Assertion/saml:Subject/saml:SubjectConfirmation/"
                      "saml:SubjectConfirmationData")


@pytest.mark.parametrize("where", SIGNED)
def test_bearer_expired_while_conditions_valid(idp, where):
    # Conditions run to ISSUED + LIFETIME; the bearer window closed 90 s before NOW (past skew).
    root = response()
    _confirmation_data(root).set("NotOnOrAfter", instant(NOW - 90))
    root = sign(root, idp, where)
    assert refusal(root, idp) == ("expired", EXPIRED)
    assert read(root, idp, now=NOW - 60).name_id  # the same response, still inside its window


@pytest.mark.parametrize("where", SIGNED)
def test_bearer_not_yet_valid_while_conditions_valid(idp, where):
    # Conditions began at ISSUED; the bearer window opens 90 s after NOW (past skew).
    root = response()
    _confirmation_data(root).set("NotBefore", instant(NOW + 90))
    root = sign(root, idp, where)
    assert refusal(root, idp) == ("not_yet_valid", NOT_YET)
    assert read(root, idp, now=NOW + 60).name_id


@needs_xmlsec1
@pytest.mark.parametrize("where", SIGNED)
def test_encrypted_name_id(idp, sp, where):
    # A real EncryptedID for the SP's key, in place of the NameID.
    root = response()
    subject = find(root, "saml:Assertion/saml:Subject")
    name_id = find(subject, "saml:NameID")
    encrypted = encrypted_id(name_id, sp)
    assert b"alice@example.com" in xmlsec1_decrypts(encrypted, sp)
    subject.replace(name_id, encrypted)
    root = sign(root, idp, where)
    assert refusal(root, idp, decryption_key_pem=sp.private_key_pem) == \
        ("subject", "Encrypted NameIDs are not supported.")


# --- other shape checks no test reached -------------------------------------------------------

def _remove(path):
    def edit(root):
        element = find(root, path)
        element.getparent().remove(element)
    return edit


def _set(path, name, value):
    def edit(root):
        element = root if path == "." else find(root, path)
        if value is None:
            del element.attrib[name]
        else:
            element.set(name, value)
    return edit


def _text(path, value):
    def edit(root):
        find(root, path).text = value
    return edit


def _assertion_in_extensions(root):
    # samlp:Extensions takes elements of other namespaces: schema-valid, but not the place.
    assertion = assertion_of(root)
    extensions = etree.Element(q(SAMLP, "Extensions"))
    root.insert(1, extensions)
    extensions.append(assertion)


SUBJECT = "saml:Assertion/saml:Subject"
DATA = SUBJECT + "/saml:SubjectConfirmation/saml:SubjectConfirmationData"
CONTENT_DEFECTS = {
    # name: (edit of the unsigned response, where it may be signed, (reason, message))
    "no Status": (_remove("samlp:Status"), SIGNED,
                  ("malformed", "The SAML response has no status.")),
    "Response Version 2.1": (_set(".", "Version", "2.1"), SIGNED,
                             ("malformed", "The SAML response is not version 2.0.")),
    # A signed Assertion needs its ID (see test_signed_element_without_id): Response-signed.
    "Assertion Version 2.1": (_set("saml:Assertion", "Version", "2.1"), ["response"],
                              ("malformed", "The assertion is not a SAML 2.0 assertion.")),
    "Assertion without ID": (_set("saml:Assertion", "ID", None), ["response"],
                             ("malformed", "The assertion is not a SAML 2.0 assertion.")),
    "the one assertion inside Extensions": (
        _assertion_in_extensions, ["response"],
        ("malformed", "The assertion is not where the SAML response schema puts it.")),
    "no Subject": (_remove(SUBJECT), SIGNED, ("subject", "The assertion has no subject.")),
    "Subject without NameID": (_remove(SUBJECT + "/saml:NameID"), SIGNED,
                               ("subject", "The assertion has no NameID.")),
    "blank NameID": (_text(SUBJECT + "/saml:NameID", "  "), SIGNED,
                     ("subject", "The NameID is empty.")),
    "bearer confirmation without data": (
        _remove(DATA), SIGNED, ("subject", "The subject confirmation has no data.")),
    "bearer data without NotOnOrAfter": (
        _set(DATA, "NotOnOrAfter", None), SIGNED,
        ("malformed", "The subject confirmation expiry time is missing or not a valid date.")),
    "Conditions NotOnOrAfter on 30 February": (
        _set("saml:Assertion/saml:Conditions", "NotOnOrAfter", "2023-02-30T00:00:00Z"), SIGNED,
        ("malformed", "The assertion expiry time is not a valid date.")),
    # IssueInstant is fine; only the Conditions window opens 90 s after NOW (past skew).
    "Conditions NotBefore after NOW": (
        _set("saml:Assertion/saml:Conditions", "NotBefore", instant(NOW + 90)), SIGNED,
        ("not_yet_valid", NOT_YET)),
}
CONTENT_CASES = [(name, where) for name, (_, places, _) in CONTENT_DEFECTS.items()
                 for where in places]


@pytest.mark.parametrize("defect,where", CONTENT_CASES)
def test_content_defect_refused(idp, defect, where):
    edit, _, expected = CONTENT_DEFECTS[defect]
    root = response()
    edit(root)
    root = sign(root, idp, where)
    assert refusal(root, idp) == expected


# --- accepted variants on paths no test took ---------------------------------------------------

@pytest.mark.parametrize("offset", [120, -330])
def test_times_with_utc_offsets(idp, offset):
    # SAML asks for UTC, but an offset must move the instant the right way: the bearer window
    # written as local time still closes at ISSUED + 30 (expired at NOW), the Conditions at
    # ISSUED + LIFETIME. Ignoring or inverting the offset would shift both by hours.
    root = response()
    find(root, "saml:Assertion/saml:Conditions").set(
        "NotOnOrAfter", instant(ISSUED + LIFETIME, offset))
    _confirmation_data(root).set("NotOnOrAfter", instant(ISSUED + LIFETIME, offset))
    signed = sign(copy.deepcopy(root), idp, "assertion")
    assert read(signed, idp).not_on_or_after == ISSUED + LIFETIME
    _confirmation_data(root).set("NotOnOrAfter", instant(ISSUED + 30, offset))
    assert refusal(sign(root, idp, "assertion"), idp) == ("expired", EXPIRED)


def test_certificate_as_metadata_body(idp):
    # IdP metadata carries the bare base64 DER, without PEM armour.
    root = sign(response(), idp, "assertion")
    body = certificate_body(idp.certificate_pem)
    assert read(root, idp, signing_certificates=[body]).name_id == "alice@example.com"


def test_unreadable_certificates_are_skipped(idp):
    root = sign(response(), idp, "assertion")
    junk = ["not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "certificat é"]
    assert read(root, idp, signing_certificates=junk + [idp.certificate_pem]).name_id
    assert refusal(root, idp, signing_certificates=junk) == (
        "signature", "The signature is not valid for any of the identity provider's certificates.")


def test_attribute_without_name_is_ignored(idp):
    root = response()
    statement = find(root, "saml:Assertion/saml:AttributeStatement")
    sub(sub(statement, SAML, "Attribute"), SAML, "AttributeValue", "orphan")
    result = read(sign(root, idp, "assertion"), idp)
    assert result.attributes == {"email": ["alice@example.com"], "groups": ["admins", "staff"]}

