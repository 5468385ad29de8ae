"""Each rejection in saml.response.read_response that no other test reached, triggered by a
response that is valid in every other respect, so the refusal proves that one check and not an
earlier one: the signature's algorithms, canonicalization and transforms, a missing audience
restriction, the assertion's issuer, the bearer confirmation and its window, an EncryptedID,
the shape checks (status, versions, IDs, subject parts, times, certificates) around them, and
every refusal of an EncryptedAssertion (saml.response.decrypt_assertion and its caller).

The responses come from tests/support/saml_producer.py, an IdP independent of the code under
test: lxml writes them (not saml.idp), signxml or the xmlsec1 program signs them with the IdP's
key, and the xmlsec1 program encrypts assertions to the SP's certificate. test_baseline_accepted
and test_encrypted_accepted are the controls: the same producer without the defect is accepted.
Each odd signature is also checked with the xmlsec1 program, so a refusal is for its shape and
never for broken maths. Every check names the SamlError's reason and its exact message."""
import base64
import copy

import pytest
from lxml import etree

from saml.certificates import certificate_body, new_key_pair
from saml.errors import SamlError
from saml.response import own_signature, read_response, verify_signature
from tests.support.clients import requires
from tests.support.saml_producer import (
    ACS_URL,
    AES128_CBC,
    AES128_GCM,
    AES256_CBC,
    AES256_GCM,
    ASSERTION_ID,
    C14N_10,
    C14N_11,
    DS,
    ENVELOPED,
    EXC_C14N,
    HMAC_SHA256,
    HOLDER_OF_KEY,
    IDP_ID,
    ISSUED,
    LIFETIME,
    NOW,
    REQUEST_ID,
    RSA_1_5,
    RSA_SHA1,
    RSA_SHA224,
    RSA_SHA512,
    SAML,
    SAMLP,
    SENDER_VOUCHES,
    SHA1,
    SHA224,
    SHA512,
    SP_ID,
    TRIPLEDES_CBC,
    XENC,
    XPATH,
    XSI,
    SignedInfo,
    b64,
    encrypt,
    encrypted_assertion,
    encrypted_id,
    find,
    instant,
    own_prefix,
    q,
    response,
    sign,
    sub,
    xmlsec1_decrypts,
    xmlsec1_verifies,
)

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
    """The SP's encryption key pair (its private key is read_response's decryption key)."""
    return new_key_pair(SP_ID, ISSUED - 86400)


@pytest.fixture(scope="module")
def other_sp():
    """Another SP's encryption key pair: a valid key, but not the one the IdP encrypted to."""
    return new_key_pair("urn:amazon:cognito:sp:us-east-1_Other", ISSUED - 86400)


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



# --- encrypted assertions ----------------------------------------------------------------------

CANNOT_DECRYPT = "The encrypted assertion cannot be decrypted with this provider's key."
# Whatever is wrong with what decryption produced, the message is the same (the reason tells
# tests and logs apart): distinct answers would be a decryption oracle (saml/response.py).
NOT_ONE_ASSERTION = CANNOT_DECRYPT
WHERE_SIGNED = ["response", "assertion", "both"]


def encrypted(idp, sp, where, root=None, edit=None, **options):
    """The producer's Response with its Assertion encrypted to `sp`: the Assertion signed before
    encryption (where "assertion" or "both"), the Response over the ciphertext after (where
    "response" or "both"); `edit` changes the EncryptedAssertion before the Response is signed,
    so a Response signature stays valid over the defect."""
    root = response() if root is None else root
    if where in ("assertion", "both"):
        root = sign(root, idp, "assertion")
    root = encrypt(root, sp, **options)
    if edit is not None:
        edit(find(root, "saml:EncryptedAssertion"))
    if where in ("response", "both"):
        root = sign(root, idp, "response")
    return root


def decrypting(sp, **overrides):
    """read_response's arguments for an SP that holds `sp`'s key and requires encryption."""
    return {"decryption_key_pem": sp.private_key_pem, "require_encryption": True, **overrides}


def check_alice(result):
    assert (result.id, result.issuer, result.name_id) == (ASSERTION_ID, IDP_ID,
                                                          "alice@example.com")
    assert result.attributes == {"email": ["alice@example.com"], "groups": ["admins", "staff"]}


@needs_xmlsec1
@pytest.mark.parametrize("method", [AES128_CBC, AES256_CBC, AES128_GCM, AES256_GCM,
                                    TRIPLEDES_CBC], ids=lambda uri: uri.split("#")[1])
@pytest.mark.parametrize("where", WHERE_SIGNED)
def test_encrypted_accepted(idp, sp, where, method):
    # The control for every refusal below: the same producer, nothing wrong.
    root = encrypted(idp, sp, where, method=method)
    assert b"alice@example.com" not in etree.tostring(root)
    assert b"alice@example.com" in xmlsec1_decrypts(root, sp)
    check_alice(read(root, idp, **decrypting(sp)))
    check_alice(read(root, idp, **decrypting(sp, require_encryption=False)))


@needs_xmlsec1
@pytest.mark.parametrize("key", ["retrieval", "beside"])
@pytest.mark.parametrize("where", WHERE_SIGNED)
def test_encrypted_key_beside_data_accepted(idp, sp, where, key):
    # EncryptedKey a sibling of EncryptedData (SAML core 6.2 allows it), found through a
    # ds:RetrievalMethod or with no KeyInfo on the EncryptedData at all.
    root = encrypted(idp, sp, where, key=key)
    wrapper = find(root, "saml:EncryptedAssertion")
    assert [child.tag for child in wrapper] == [q(XENC, "EncryptedData"), q(XENC, "EncryptedKey")]
    key_info = find(wrapper, "xenc:EncryptedData/ds:KeyInfo")
    assert (key_info is None) == (key == "beside")
    check_alice(read(root, idp, **decrypting(sp)))


def _drop_data(wrapper):
    wrapper.remove(find(wrapper, "xenc:EncryptedData"))


def _second_data(wrapper):
    find(wrapper, "xenc:EncryptedData").addnext(copy.deepcopy(find(wrapper,
                                                                   "xenc:EncryptedData")))


def _data_method(algorithm):
    def edit(wrapper):
        method = find(wrapper, "xenc:EncryptedData/xenc:EncryptionMethod")
        if algorithm is None:
            method.getparent().remove(method)
        else:
            method.set("Algorithm", algorithm)
    return edit


def _key_name_only(wrapper):
    # A KeyInfo that names a key instead of carrying one: no EncryptedKey anywhere.
    key_info = find(wrapper, "xenc:EncryptedData/ds:KeyInfo")
    key_info.replace(find(key_info, "xenc:EncryptedKey"), etree.Element(q(DS, "KeyName")))
    key_info[0].text = SP_ID


def _drop_key_beside(wrapper):
    wrapper.remove(find(wrapper, "xenc:EncryptedKey"))


def _second_key(wrapper):
    key = find(wrapper, "xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey")
    key.addnext(copy.deepcopy(key))


def _drop_transport(wrapper):
    key = find(wrapper, "xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey")
    key.remove(find(key, "xenc:EncryptionMethod"))


UNSUPPORTED_DATA = "The assertion's encryption algorithm is not supported."
UNSUPPORTED_TRANSPORT = "The key transport algorithm is not supported (use RSA-OAEP)."
ENCRYPTION_DEFECTS = {
    # name: (producer options, edit of the EncryptedAssertion, message of the "decryption" refusal)
    "no EncryptedData (its key beside)": ({"key": "retrieval"}, _drop_data, CANNOT_DECRYPT),
    "two EncryptedData": ({}, _second_data, CANNOT_DECRYPT),
    "a made-up data algorithm": ({}, _data_method("urn:example:cipher:rot13"), UNSUPPORTED_DATA),
    "key wrap as data algorithm": ({}, _data_method(XENC + "kw-aes128"), UNSUPPORTED_DATA),
    "no data EncryptionMethod": ({}, _data_method(None), UNSUPPORTED_DATA),
    "KeyInfo with only a KeyName": ({}, _key_name_only, CANNOT_DECRYPT),
    "RetrievalMethod to no key": ({"key": "retrieval"}, _drop_key_beside, CANNOT_DECRYPT),
    "no KeyInfo and no key beside": ({"key": "beside"}, _drop_key_beside, CANNOT_DECRYPT),
    "two EncryptedKeys in KeyInfo": ({}, _second_key, CANNOT_DECRYPT),
    # PKCS#1 v1.5 key transport is open to Bleichenbacher's oracle: refused before decrypting.
    "rsa-1_5 key transport": ({"transport": RSA_1_5}, None, UNSUPPORTED_TRANSPORT),
    "no key transport EncryptionMethod": ({}, _drop_transport, UNSUPPORTED_TRANSPORT),
    # SAML core 6.1: Type, when present, MUST be Element; with Content xmlsec answers the
    # EncryptedAssertion itself, not an assertion.
    "Type=Content around the one assertion": ({"data_type": "Content"}, None, NOT_ONE_ASSERTION),
}


@needs_xmlsec1
@pytest.mark.parametrize("where", ["assertion", "both"])
@pytest.mark.parametrize("defect", list(ENCRYPTION_DEFECTS))
def test_encryption_defect_refused(idp, sp, defect, where):
    options, edit, message = ENCRYPTION_DEFECTS[defect]
    root = encrypted(idp, sp, where, edit=edit, **options)
    if where == "both":
        assert xmlsec1_verifies(root, idp, "response")  # the defect is signed: not the cause
    assert refusal(root, idp, **decrypting(sp)) == ("decryption", message)


EMPTY_PEM = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


@needs_xmlsec1
@pytest.mark.parametrize("key_pem", ["garbage", EMPTY_PEM, "clé privée"],
                         ids=["garbage", "PEM armour around nothing", "not ASCII"])
def test_unloadable_decryption_key(idp, sp, key_pem):
    root = encrypted(idp, sp, "assertion")
    assert refusal(root, idp, **decrypting(sp, decryption_key_pem=key_pem)) == (
        "decryption", "The provider's decryption key cannot be loaded.")


@needs_xmlsec1
@pytest.mark.parametrize("where", ["assertion", "both"])
def test_encrypted_for_another_sp(idp, sp, other_sp, where):
    # A valid key, but not the one the IdP encrypted to.
    root = encrypted(idp, sp, where)
    assert xmlsec1_decrypts(root, other_sp) == b""
    assert refusal(root, idp, **decrypting(other_sp)) == ("decryption", CANNOT_DECRYPT)


@needs_xmlsec1
@pytest.mark.parametrize("key_pem", [None, ""])
def test_encrypted_without_decryption_key(idp, sp, key_pem):
    root = encrypted(idp, sp, "assertion")
    assert refusal(root, idp, decryption_key_pem=key_pem) == (
        "decryption", "The assertion is encrypted but no decryption key is configured.")


@pytest.mark.parametrize("where", WHERE_SIGNED)
def test_plain_assertion_when_encryption_required(idp, sp, where):
    root = sign(response(), idp, where)
    assert read(root, idp, **decrypting(sp, require_encryption=False)).name_id
    assert refusal(root, idp, **decrypting(sp)) == (
        "encryption_required", "This identity provider must encrypt its assertions.")


def _other_assertion(idp):
    """A second genuine assertion, signed by the IdP, for another user and with its own ID."""
    root = response()
    assertion_of(root).set("ID", "_assert-other")
    find(root, "saml:Assertion/saml:Subject/saml:NameID").text = "mallory@example.com"
    return assertion_of(sign(root, idp, "assertion"))


def _in_place_of_assertion(idp, sp, plaintext, **options):
    """A signed Response whose EncryptedAssertion holds `plaintext`: anyone can encrypt to the
    SP's certificate, and the IdP's signature around it changes nothing."""
    root = response()
    root.replace(assertion_of(root), encrypted_assertion(plaintext, sp, **options))
    return sign(root, idp, "response")


@needs_xmlsec1
@pytest.mark.parametrize("plaintext", ["NameID", "Response"])
def test_plaintext_not_an_assertion(idp, sp, plaintext):
    # The NameID an EncryptedID would hold; a whole signed Response (its assertion inside).
    element = find(response(), "saml:Assertion/saml:Subject/saml:NameID") \
        if plaintext == "NameID" else sign(response(), idp, "both")
    root = _in_place_of_assertion(idp, sp, element)
    assert b"alice@example.com" in xmlsec1_decrypts(root, sp)
    assert refusal(root, idp, **decrypting(sp)) == ("decryption", NOT_ONE_ASSERTION)


@needs_xmlsec1
@pytest.mark.parametrize("data_type", ["Content", "Element"])
@pytest.mark.parametrize("extra", ["a second assertion", "an Advice element"])
def test_plaintext_assertion_and_more(idp, sp, extra, data_type):
    # The signed assertion followed by a second element: Type=Content says so; under
    # Type=Element both elements are decrypted in place all the same. Either way it is refused
    # inside decrypt_assertion, before the count of assertions in the Response.
    second = _other_assertion(idp) if extra == "a second assertion" \
        else etree.Element(q(SAML, "Advice"))
    plaintext = [assertion_of(sign(response(), idp, "assertion")), second]
    root = _in_place_of_assertion(idp, sp, plaintext, data_type=data_type)
    assert len(find(etree.fromstring(xmlsec1_decrypts(root, sp)), "saml:EncryptedAssertion")) == 2
    assert refusal(root, idp, **decrypting(sp)) == ("decryption", NOT_ONE_ASSERTION)


@needs_xmlsec1
def test_plaintext_second_assertion_inside_the_first(idp, sp):
    # The second assertion nested in the signed one's Advice (where SAML lets assertions go):
    # one Assertion passes decrypt_assertion; the count in the Response refuses it.
    root = response()
    advice = etree.Element(q(SAML, "Advice"))
    find(root, "saml:Assertion/saml:Conditions").addnext(advice)
    advice.append(_other_assertion(idp))
    root = encrypted(idp, sp, "both", root=root)
    assert xmlsec1_verifies(etree.fromstring(xmlsec1_decrypts(root, sp)), idp, "decrypted")
    assert refusal(root, idp, **decrypting(sp)) == ("malformed", CANNOT_DECRYPT)


@needs_xmlsec1
@pytest.mark.parametrize("where", ["assertion", "both"])
def test_plaintext_with_processing_instruction(idp, sp, where):
    # The PI is inside the signed Assertion: the signature holds, the PI alone is refused.
    root = response()
    assertion_of(root).append(etree.ProcessingInstruction("idp-trace", "hop=1"))
    root = encrypted(idp, sp, where, root=root)
    decrypted = xmlsec1_decrypts(root, sp)
    assert b"<?idp-trace hop=1?>" in decrypted
    assert xmlsec1_verifies(etree.fromstring(decrypted), idp, "decrypted")
    assert refusal(root, idp, **decrypting(sp)) == ("dtd", CANNOT_DECRYPT)


@needs_xmlsec1
def test_response_signature_covers_the_ciphertext(idp, sp, monkeypatch):
    # One byte of the CipherValue changed after the Response was signed: the signature refuses
    # it before anything is decrypted.
    root = encrypted(idp, sp, "response")
    check_alice(read(root, idp, **decrypting(sp)))
    value = find(root, "saml:EncryptedAssertion/xenc:EncryptedData/xenc:CipherData/"
                       "xenc:CipherValue")
    text = value.text
    value.text = text[:40] + ("B" if text[40] != "B" else "C") + text[41:]

    def never(*args):
        raise AssertionError("decrypted before the Response signature was checked")
    monkeypatch.setattr("saml.response.decrypt_assertion", never)
    assert refusal(root, idp, **decrypting(sp)) == (
        "signature", "The signature is not valid for any of the identity provider's certificates.")


@needs_xmlsec1
@pytest.mark.parametrize("where", ["assertion", "both"])
def test_assertion_with_its_own_prefix(idp, sp, where):
    # Regression: pysaml2 encrypts an Assertion that declares the SAML namespace itself under
    # another prefix than the Response's. Verified where it was decrypted, it is accepted.
    root = own_prefix(response(), "enc0")
    signed = sign(root, idp, "assertion")
    assert (assertion_of(signed).prefix, find(signed, "saml:Issuer").prefix) == ("enc0", "saml")
    assert xmlsec1_verifies(signed, idp, "assertion")
    root = encrypted(idp, sp, where, root=root)
    check_alice(read(root, idp, **decrypting(sp)))
    # What read_response did before the fix: move the decrypted Assertion into the Response.
    # lxml re-maps enc0 to the Response's saml, and exclusive c14n, prefix-sensitive, no longer
    # matches: the very signature that holds in place fails once moved.
    decrypted = etree.fromstring(xmlsec1_decrypts(root, sp))
    assert xmlsec1_verifies(decrypted, idp, "decrypted")
    wrapper = find(decrypted, "saml:EncryptedAssertion")
    moved = find(wrapper, "saml:Assertion")
    decrypted.replace(wrapper, moved)
    assert moved.prefix == "saml"
    assert not xmlsec1_verifies(decrypted, idp, "assertion")
    with pytest.raises(SamlError) as error:
        verify_signature(moved, own_signature(moved), [idp.certificate_pem])
    assert error.value.reason == "signature"


@needs_xmlsec1
@pytest.mark.parametrize("method", [AES128_CBC, TRIPLEDES_CBC])
def test_altered_ciphertext_always_gets_the_same_answer(idp, sp, method):
    """No decryption oracle: with only the Assertion signed, anyone can alter the encrypted
    assertion and post it. Whether the change breaks the padding, the XML, the element or
    the signature inside, the page shows one message (Jager and Somorovsky's attack on CBC
    needs two)."""
    root = encrypted(idp, sp, "assertion", method=method)
    data = find(root, "saml:EncryptedAssertion/xenc:EncryptedData")
    value = find(data, "xenc:CipherData/xenc:CipherValue")
    cipher = base64.b64decode(value.text)
    block = 8 if method == TRIPLEDES_CBC else 16

    def flipped(at: int) -> bytes:
        return cipher[:at] + bytes([cipher[at] ^ 0x01]) + cipher[at + 1:]

    variants = {
        "last byte (padding)": flipped(len(cipher) - 1),
        "next-to-last block (plaintext end)": flipped(len(cipher) - block - 1),
        "first ciphertext block (plaintext start)": flipped(block),
        "middle of the assertion": flipped(len(cipher) // 2),
        "a block short": cipher[:-block],
    }
    answers = set()
    for altered in variants.values():
        value.text = base64.b64encode(altered).decode()
        answers.add(refusal(root, idp, **decrypting(sp))[1])
    # The ciphertext intact, its Type (outside the ciphertext) changed: the plaintext parses,
    # but not as one element.
    value.text = base64.b64encode(cipher).decode()
    data.set("Type", XENC + "Content")
    answers.add(refusal(root, idp, **decrypting(sp))[1])
    assert answers == {CANNOT_DECRYPT}
