"""saml.response.read_response against responses built by pysaml2, an independent IdP:
the accepted shapes (signed Response / Assertion / both, encrypted with 3DES by pysaml2 and with
AES-CBC/GCM by the xmlsec binding, certificate rotation) and each validation rule."""
import time

import pytest
from lxml import etree

from saml.errors import SamlError
from saml.response import Assertion
from tests.unit.saml_fixtures import (
    EMAIL_CLAIM,
    IDP_ID,
    OTHER_SP_ID,
    SP_ID,
    World,
    b64,
    encrypt_assertion,
    find,
    read,
    reason,
    serialize,
    tree,
)


@pytest.fixture(scope="module")
def world():
    return World()


def check_alice(result: Assertion):
    assert result.issuer == IDP_ID
    assert result.name_id == "alice@example.com"
    assert result.name_id_format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert result.attributes == {EMAIL_CLAIM: ["alice@example.com"], "groups": ["admins", "staff"]}
    assert result.session_index and result.id
    assert abs(result.issue_instant - time.time()) < 30
    assert result.not_on_or_after and result.not_on_or_after > time.time()


@pytest.mark.parametrize("sign_response,sign_assertion",
                         [(True, False), (False, True), (True, True)])
def test_signed_response_and_or_assertion(world, sign_response, sign_assertion):
    xml = world.response_xml(sign_response=sign_response, sign_assertion=sign_assertion)
    result = read(world, xml)
    check_alice(result)
    assert result.in_response_to == "_req1"
    assert result.id == find(tree(xml), "saml:Assertion").get("ID")


@pytest.mark.parametrize("sign_response,sign_assertion",
                         [(True, False), (False, True), (True, True)])
def test_pysaml2_encrypted_assertion(world, sign_response, sign_assertion):
    xml = world.response_xml(sign_response=sign_response, sign_assertion=sign_assertion,
                             encrypt=True)
    assert find(tree(xml), "saml:EncryptedAssertion") is not None
    check_alice(read(world, xml, require_encryption=True))


@pytest.mark.parametrize("algorithm", ["aes128-cbc", "aes256-cbc", "aes128-gcm", "aes256-gcm"])
def test_aes_encrypted_signed_assertion(world, algorithm):
    xml = encrypt_assertion(world.response_xml(sign_response=False, sign_assertion=True),
                            world.sp.certificate_pem, algorithm)
    assert algorithm.split("-")[0] in xml
    check_alice(read(world, xml, require_encryption=True))


def test_encrypted_under_signed_response(world):
    # Signed Response over an EncryptedAssertion whose plaintext is unsigned: the Response
    # signature covers the ciphertext. (Encrypt first, then sign the Response: pysaml2 does this.)
    xml = world.response_xml(sign_response=True, sign_assertion=False, encrypt=True)
    check_alice(read(world, xml, require_encryption=True))


def test_encrypted_without_key_or_with_wrong_key(world):
    xml = world.response_xml(sign_response=False, sign_assertion=True, encrypt=True)
    assert reason(world, xml, decryption_key_pem=None) == "decryption"
    assert reason(world, xml, decryption_key_pem=world.attacker.private_key_pem) == "decryption"


def test_certificate_rotation(world):
    both = [world.idp2.certificate_pem, world.idp.certificate_pem]
    check_alice(read(world, world.response_xml(), signing_certificates=both))
    check_alice(read(world, world.response_xml(pair=world.idp2), signing_certificates=both))
    assert reason(world, world.response_xml(pair=world.idp2)) == "signature"
    assert reason(world, world.response_xml(), signing_certificates=[]) == "signature"


def test_idp_initiated(world):
    xml = world.response_xml(in_response_to=None)
    assert "InResponseTo" not in xml
    result = read(world, xml, in_response_to=None, max_age=360)
    assert result.in_response_to is None and result.name_id == "alice@example.com"
    # ... but not as the answer to a request we sent
    assert reason(world, xml, in_response_to="_req1") == "in_response_to"


def test_too_old_for_idp_initiated(world):
    xml = world.response_xml(in_response_to=None)
    read(world, xml, in_response_to=None, max_age=360, now=time.time() + 200)
    assert reason(world, xml, in_response_to=None, max_age=120, now=time.time() + 200) == "too_old"


def test_attribute_values(world):
    xml = world.response_xml(attributes={"name": ["Zoë Ünïcode"], "empty": [""],
                                         "multi": ["a", "b", "c"]})
    assert read(world, xml).attributes == {"name": ["Zoë Ünïcode"], "empty": [""],
                                           "multi": ["a", "b", "c"]}


def test_attribute_with_comment_reads_full_text(world):
    root = tree(world.response_xml(sign_response=True,
                                   attributes={EMAIL_CLAIM: ["user@evil.com.example.com"]}))
    value = find(root, "saml:Assertion/saml:AttributeStatement/saml:Attribute/saml:AttributeValue")
    value.text = "user@evil.com"
    value.append(etree.Comment(""))
    value[-1].tail = ".example.com"
    assert read(world, serialize(root)).attributes[EMAIL_CLAIM] == ["user@evil.com.example.com"]


def test_four_byte_utf8_attribute_refused(world):
    xml = world.response_xml(attributes={"name": ["smile \U0001F600"]})
    assert reason(world, xml) == "malformed"


def test_expired_and_not_yet_valid(world):
    xml = world.response_xml()
    assert reason(world, xml, now=time.time() + 3600) == "expired"
    assert reason(world, xml, now=time.time() - 3600) == "not_yet_valid"
    # within the skew either side
    read(world, xml, now=time.time() + 300 + 30)
    read(world, xml, now=time.time() - 30)
    assert reason(world, xml, now=time.time() + 300 + 30, skew=0) == "expired"


def test_wrong_issuer_audience(world):
    xml = world.response_xml()
    assert reason(world, xml, idp_entity_id="https://other-idp.example.org") == "issuer"
    assert reason(world, xml, sp_entity_id="urn:amazon:cognito:sp:us-east-1_Other") == "audience"


def test_assertion_for_another_pool(world):
    # A genuine assertion the IdP issued to another pool (same ACS URL on this emulator).
    xml = world.response_xml(audience=OTHER_SP_ID)
    audience = find(tree(xml),
                    "saml:Assertion/saml:Conditions/saml:AudienceRestriction/saml:Audience")
    assert audience.text == OTHER_SP_ID
    assert reason(world, xml) == "audience"
    assert read(world, xml, sp_entity_id=OTHER_SP_ID).name_id == "alice@example.com"


def test_wrong_destination(world):
    other = "http://localhost:9229/other/idpresponse"
    assert reason(world, world.response_xml(destination=other)) == "destination"
    assert reason(world, world.response_xml(), acs_url=other) == "destination"


def test_wrong_recipient(world):
    # Assertion-only signature, Response without Destination: the bearer Recipient decides.
    root = tree(world.response_xml(sign_response=False, sign_assertion=True,
                                   destination="http://localhost:9229/other"))
    del root.attrib["Destination"]
    assert reason(world, serialize(root)) == "recipient"


def test_in_response_to(world):
    xml = world.response_xml(in_response_to="_req1")
    assert reason(world, xml, in_response_to="_req2") == "in_response_to"
    assert reason(world, xml, in_response_to=None) == "unsolicited"


def test_in_response_to_on_response_only_mismatch(world):
    # Assertion signed; the unsigned Response's InResponseTo edited: still refused.
    root = tree(world.response_xml(sign_response=False, sign_assertion=True))
    root.set("InResponseTo", "_other")
    assert reason(world, serialize(root)) == "in_response_to"
    del root.attrib["InResponseTo"]
    assert reason(world, serialize(root)) == "in_response_to"


def test_status_not_success(world):
    root = tree(world.response_xml())
    code = find(root, "samlp:Status/samlp:StatusCode")
    code.set("Value", "urn:oasis:names:tc:SAML:2.0:status:Responder")
    etree.SubElement(code, code.tag, Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
    with pytest.raises(SamlError) as error:
        read(world, serialize(root))
    assert error.value.reason == "status"
    assert "Responder/AuthnFailed" in error.value.message


def test_not_a_response(world):
    assert reason(world, "<samlp:AuthnRequest "
                         "xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>") == "malformed"
    assert reason(world, "not base64 !!") == "malformed"
    assert reason(world, b64(b"<a><b></a>")) == "malformed"
    assert reason(world, "") == "malformed"


def test_sha1_signature_refused(world):
    from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
    from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

    from tests.unit.saml_fixtures import ACS_URL as acs
    xml = str(world.server().create_authn_response(
        {"a": ["b"]}, "_req1", acs, SP_ID,
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text="a@b"),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        sign_response=True, sign_assertion=False, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1))
    assert reason(world, xml) == "signature"


def test_message_is_short_and_plain(world):
    with pytest.raises(SamlError) as error:
        read(world, world.response_xml(), now=time.time() + 3600)
    assert error.value.message == "The SAML assertion has expired."
    assert str(error.value).startswith("expired:")


def test_encrypted_key_beside_encrypted_data(world):
    # Some IdPs put EncryptedKey next to EncryptedData and point at it with RetrievalMethod.
    root = tree(encrypt_assertion(world.response_xml(sign_response=False, sign_assertion=True),
                                  world.sp.certificate_pem, "aes256-cbc"))
    wrapper = find(root, "saml:EncryptedAssertion")
    key_info = find(wrapper, "xenc:EncryptedData/ds:KeyInfo")
    key = find(key_info, "xenc:EncryptedKey")
    key.set("Id", "_key1")
    wrapper.append(key)
    etree.SubElement(key_info, "{http://www.w3.org/2000/09/xmldsig#}RetrievalMethod",
                     URI="#_key1", Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey")
    check_alice(read(world, serialize(root), require_encryption=True))


def test_rsa_pkcs1_key_transport_refused(world):
    root = tree(encrypt_assertion(world.response_xml(sign_response=False, sign_assertion=True),
                                  world.sp.certificate_pem, "aes128-cbc"))
    method = find(root, "saml:EncryptedAssertion/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/"
                        "xenc:EncryptionMethod")
    method.set("Algorithm", "http://www.w3.org/2001/04/xmlenc#rsa-1_5")
    assert reason(world, serialize(root)) == "decryption"


def test_response_without_destination_accepted(world):
    root = tree(world.response_xml(sign_response=False, sign_assertion=True))
    del root.attrib["Destination"]
    check_alice(read(world, serialize(root)))
