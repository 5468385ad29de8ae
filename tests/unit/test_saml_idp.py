"""saml/idp.py, checked by independent SPs: python3-saml (OneLogin_Saml2_Response) and
pysaml2 (Saml2Client with the xmlsec1 program), plus hand-built redirect-binding requests
signed with `cryptography`."""
import base64
import time
import zlib
from urllib.parse import quote_plus, urlsplit

import pytest
import xmlsec
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_ValidationError

from saml import idp as samlidp
from saml.authn_request import authn_request_url
from saml.certificates import certificate_body, new_key_pair
from saml.errors import SamlError
from saml.idp import (
    AuthnRequest,
    IdentityProvider,
    ServiceProvider,
    build_logout_response,
    build_response,
    idp_metadata,
    parse_sp_metadata,
    read_authn_request,
    read_logout_request,
)
from saml.logout import logout_request_url, read_logout_response  # the SP library's side
from saml.response import read_response as sp_read_response

IDP_ID = "https://idp.example.test/_emulator/idp"
SP_ID = "urn:amazon:cognito:sp:us-east-1_TEST"
ACS = "https://sp.example.test/saml2/idpresponse"
SLO = "https://sp.example.test/saml2/logout"
REQUEST_DATA = {"https": "on", "http_host": "sp.example.test", "script_name": "/saml2/idpresponse"}
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
ATTRS = {EMAIL: ["alice@example.com"], "groups": ["a", "b"]}
NS = {"saml": samlidp.SAML, "samlp": samlidp.SAMLP, "ds": samlidp.DS, "xenc": samlidp.XENC}


@pytest.fixture(scope="module")
def keys():
    now = time.time() - 3600
    return {"idp": new_key_pair("idp", now), "sp": new_key_pair("sp", now),
            "sp_enc": new_key_pair("sp-enc", now), "other": new_key_pair("other", now)}


def respond(keys, *, in_response_to="_req1", **options):
    params = dict(idp_entity_id=IDP_ID, key_pem=keys["idp"].private_key_pem,
                  certificate_pem=keys["idp"].certificate_pem, name_id="alice-0001",
                  name_id_format=samlidp.NAMEID_PERSISTENT, attributes=ATTRS, audience=SP_ID,
                  acs_url=ACS, in_response_to=in_response_to, now=time.time(),
                  session_index="_session1")
    params.update(options)
    return build_response(**params)


def onelogin(keys, *, signed_messages=False, signed_assertions=False, encrypted=False,
             idp_cert=None):
    return OneLogin_Saml2_Settings({
        "strict": True, "debug": False,
        "sp": {"entityId": SP_ID,
               "assertionConsumerService": {"url": ACS, "binding": samlidp.BINDING_POST},
               "x509cert": certificate_body(keys["sp_enc"].certificate_pem),
               "privateKey": keys["sp_enc"].private_key_pem},
        "idp": {"entityId": IDP_ID,
                "singleSignOnService": {"url": "https://idp.example.test/sso",
                                        "binding": samlidp.BINDING_REDIRECT},
                "x509cert": certificate_body(idp_cert or keys["idp"].certificate_pem)},
        "security": {"wantMessagesSigned": signed_messages,
                     "wantAssertionsSigned": signed_assertions,
                     "wantAssertionsEncrypted": encrypted,
                     "rejectDeprecatedAlgorithm": True}})


def check_onelogin(settings, b64, request_id="_req1"):
    response = OneLogin_Saml2_Response(settings, b64)
    assert response.is_valid(REQUEST_DATA, request_id, raise_exceptions=True)
    return response


# --- responses, checked by python3-saml ------------------------------------------------------

@pytest.mark.parametrize("sign", ["response", "assertion", "both"])
def test_signed_response_validates_with_python3_saml(keys, sign):
    b64 = respond(keys, sign_response=sign in ("response", "both"),
                  sign_assertion=sign in ("assertion", "both"))
    settings = onelogin(keys, signed_messages=sign in ("response", "both"),
                        signed_assertions=sign in ("assertion", "both"))
    response = check_onelogin(settings, b64)
    assert response.get_nameid() == "alice-0001"
    assert response.get_nameid_format() == samlidp.NAMEID_PERSISTENT
    assert response.get_attributes() == ATTRS
    assert response.get_session_index() == "_session1"
    assert response.get_issuers() == [IDP_ID]
    assert response.get_audiences() == [SP_ID]


@pytest.mark.parametrize("cipher", ["aes256-cbc", "aes128-gcm"])
@pytest.mark.parametrize("sign", ["response", "assertion", "both"])
def test_signed_encrypted_response_validates_with_python3_saml(keys, cipher, sign):
    b64 = respond(keys, sign_response=sign in ("response", "both"),
                  sign_assertion=sign in ("assertion", "both"),
                  encrypt_certificate_pem=keys["sp_enc"].certificate_pem, cipher=cipher)
    xml = etree.fromstring(base64.b64decode(b64))
    assert xml.find("saml:Assertion", NS) is None
    method = xml.find(".//xenc:EncryptedData/xenc:EncryptionMethod", NS).get("Algorithm")
    assert method.endswith(cipher)
    key_method = xml.find(".//xenc:EncryptedKey/xenc:EncryptionMethod", NS).get("Algorithm")
    assert "rsa-oaep" in key_method
    settings = onelogin(keys, signed_messages=sign in ("response", "both"),
                        signed_assertions=sign in ("assertion", "both"), encrypted=True)
    response = check_onelogin(settings, b64)
    assert response.get_nameid() == "alice-0001"
    assert response.get_attributes()[EMAIL] == ["alice@example.com"]


def test_decrypted_assertion_declares_its_own_saml_namespace(keys):
    b64 = respond(keys, encrypt_certificate_pem=keys["sp_enc"].certificate_pem)
    encrypted = etree.fromstring(base64.b64decode(b64)).find(".//xenc:EncryptedData", NS)
    # Decrypted on its own (no ancestor declares anything): it must still be well-formed.
    alone = etree.fromstring(etree.tostring(encrypted))
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(keys["sp_enc"].private_key_pem.encode(),
                                           xmlsec.constants.KeyDataFormatPem, None))
    decrypted = xmlsec.EncryptionContext(manager).decrypt(alone)
    assert decrypted.tag == f"{{{samlidp.SAML}}}Assertion"
    assert etree.tostring(decrypted).startswith(
        b'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"')
    # and a plain response: the serialized Assertion carries xmlns:saml itself
    plain = base64.b64decode(respond(keys)).decode()
    start = plain.index("<saml:Assertion")
    opening = plain[start:plain.index(">", start)]
    assert 'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' in opening


def test_assertion_and_response_ids_are_unique(keys):
    ids = set()
    for _ in range(5):
        xml = etree.fromstring(base64.b64decode(respond(keys)))
        ids.add(xml.get("ID"))
        ids.add(xml.find("saml:Assertion", NS).get("ID"))
    assert len(ids) == 10


def test_idp_initiated_response_has_no_in_response_to(keys):
    b64 = respond(keys, in_response_to=None)
    xml = base64.b64decode(b64).decode()
    assert "InResponseTo" not in xml
    check_onelogin(onelogin(keys, signed_messages=True, signed_assertions=True), b64,
                   request_id=None)


def test_python3_saml_refuses_wrong_key_and_wrong_request_id(keys):
    b64 = respond(keys)
    settings = onelogin(keys, signed_messages=True, idp_cert=keys["other"].certificate_pem)
    with pytest.raises(OneLogin_Saml2_ValidationError):
        check_onelogin(settings, b64)
    with pytest.raises(OneLogin_Saml2_ValidationError):
        check_onelogin(onelogin(keys, signed_messages=True), b64, request_id="_other")


def test_signature_sits_right_after_issuer(keys):
    xml = etree.fromstring(base64.b64decode(respond(keys)))
    for node in (xml, xml.find("saml:Assertion", NS)):
        children = list(node)
        assert children[0].tag == f"{{{samlidp.SAML}}}Issuer"
        assert children[1].tag == f"{{{samlidp.DS}}}Signature"
        sig = children[1]
        assert sig.find(".//ds:SignatureMethod", NS).get("Algorithm") == samlidp.RSA_SHA256
        assert sig.find(".//ds:DigestMethod", NS).get("Algorithm").endswith("sha256")


# --- responses, checked by pysaml2 -----------------------------------------------------------

@pytest.fixture(scope="module")
def pysaml2_sp(keys, tmp_path_factory):
    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig
    folder = tmp_path_factory.mktemp("pysaml2")
    files = {}
    for name in ("sp", "sp_enc"):
        (folder / f"{name}.key").write_text(keys[name].private_key_pem)
        (folder / f"{name}.crt").write_text(keys[name].certificate_pem)
        files[name] = (str(folder / f"{name}.key"), str(folder / f"{name}.crt"))
    metadata = idp_metadata(entity_id=IDP_ID, sso_url="https://idp.example.test/sso",
                            slo_url="https://idp.example.test/slo",
                            certificate_pem=keys["idp"].certificate_pem)
    config = SPConfig()
    config.load({
        "entityid": SP_ID, "xmlsec_binary": "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "key_file": files["sp"][0], "cert_file": files["sp"][1],
        "encryption_keypairs": [{"key_file": files["sp_enc"][0],
                                 "cert_file": files["sp_enc"][1]}],
        "metadata": {"inline": [metadata]},
        "service": {"sp": {"endpoints": {"assertion_consumer_service": [(ACS, BINDING_HTTP_POST)]},
                           "want_response_signed": False, "want_assertions_signed": True,
                           "allow_unsolicited": True}},
    })
    return Saml2Client(config=config)


@pytest.mark.parametrize("encrypt", [False, True])
def test_pysaml2_sp_accepts_response(keys, pysaml2_sp, encrypt):
    from saml2 import BINDING_HTTP_POST
    b64 = respond(keys, in_response_to="_pysaml2req",
                  encrypt_certificate_pem=keys["sp_enc"].certificate_pem if encrypt else None)
    parsed = pysaml2_sp.parse_authn_request_response(b64, BINDING_HTTP_POST,
                                                     outstanding={"_pysaml2req": "/"})
    assert parsed is not None
    assert parsed.name_id.text == "alice-0001"
    assert parsed.ava["groups"] == ["a", "b"]
    assert parsed.ava[EMAIL] == ["alice@example.com"]
    assert parsed.session_info()["session_index"] == "_session1"


# --- metadata --------------------------------------------------------------------------------

def test_idp_metadata_is_read_by_the_sp_library(keys):
    from saml.metadata import parse_idp_metadata
    xml = idp_metadata(entity_id=IDP_ID, sso_url="https://idp.example.test/sso",
                       slo_url="https://idp.example.test/slo",
                       certificate_pem=keys["idp"].certificate_pem)
    meta = parse_idp_metadata(xml, now=time.time())
    assert meta.entity_id == IDP_ID
    assert meta.sso_redirect_url == "https://idp.example.test/sso"
    assert meta.slo_redirect_url == "https://idp.example.test/slo"
    assert [certificate_body(c) for c in meta.signing_certificates] == [
        certificate_body(keys["idp"].certificate_pem)]
    assert meta.want_authn_requests_signed is False


def test_sp_metadata_is_parsed(keys):
    from saml.metadata import sp_metadata
    xml = sp_metadata(entity_id=SP_ID, acs_url=ACS, logout_url=SLO,
                      signing_certificate_pem=keys["sp"].certificate_pem,
                      encryption_certificate_pem=keys["sp_enc"].certificate_pem)
    sp = parse_sp_metadata(xml)
    assert (sp.entity_id, sp.acs_url, sp.slo_url) == (SP_ID, ACS, SLO)
    assert [certificate_body(c) for c in sp.signing_certificates] == [
        certificate_body(keys["sp"].certificate_pem)]
    assert certificate_body(sp.encryption_certificate) == certificate_body(
        keys["sp_enc"].certificate_pem)
    assert ServiceProvider.from_dict(sp.to_dict()) == sp


@pytest.mark.parametrize("xml", ["<x/>", "<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:"
                                 "SAML:2.0:metadata' entityID='e'/>", "not xml",
                                 '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'])
def test_bad_sp_metadata_is_refused(xml):
    with pytest.raises(SamlError) as err:
        parse_sp_metadata(xml)
    assert err.value.reason in ("metadata", "malformed", "dtd")


# --- redirect-binding AuthnRequests ----------------------------------------------------------

def _authn_xml(request_id="_r1", issuer=SP_ID, acs=ACS) -> bytes:
    return (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{request_id}" '
            f'Version="2.0" IssueInstant="2026-01-01T00:00:00Z" '
            f'AssertionConsumerServiceURL="{acs}"><saml:Issuer>{issuer}</saml:Issuer>'
            f'</samlp:AuthnRequest>').encode()


def _deflate(xml: bytes) -> str:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(xml) + c.flush()).decode()


SHA256 = hashes.SHA256()


def hand_signed_query(key_pem, xml=None, relay="state 1&x=y", alg=samlidp.RSA_SHA256,
                      digest=SHA256):
    query = f"SAMLRequest={quote_plus(_deflate(xml or _authn_xml()))}"
    if relay is not None:
        query += f"&RelayState={quote_plus(relay)}"
    query += f"&SigAlg={quote_plus(alg)}"
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    signature = key.sign(query.encode(), padding.PKCS1v15(), digest)
    return query + f"&Signature={quote_plus(base64.b64encode(signature).decode())}"


def test_hand_signed_request_is_verified(keys):
    query = hand_signed_query(keys["sp"].private_key_pem)
    req = read_authn_request(query, certificates=[keys["sp"].certificate_pem],
                             require_signature=True)
    assert isinstance(req, AuthnRequest)
    assert (req.id, req.issuer, req.acs_url, req.signed) == ("_r1", SP_ID, ACS, True)
    assert req.relay_state == "state 1&x=y"


def test_sp_library_request_is_verified_with_issuer_lookup(keys):
    url = authn_request_url(idp_sso_url="https://idp.example.test/sso", sp_entity_id=SP_ID,
                            acs_url=ACS, request_id="_sp1", now=time.time(),
                            relay_state="r" * 120, signing_key_pem=keys["sp"].private_key_pem)
    query = urlsplit(url).query
    seen = []

    def lookup(issuer):
        seen.append(issuer)
        return [keys["sp"].certificate_pem]
    req = read_authn_request(query, certificates=lookup, require_signature=True)
    assert seen == [SP_ID]
    assert (req.id, req.issuer, req.acs_url, req.signed, req.relay_state) == (
        "_sp1", SP_ID, ACS, True, "r" * 120)
    assert req.destination == "https://idp.example.test/sso"


def test_pysaml2_signed_request_is_verified(keys, pysaml2_sp):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.xmldsig import SIG_RSA_SHA256
    request_id, info = pysaml2_sp.prepare_for_authenticate(
        entityid=IDP_ID, relay_state="rs", binding=BINDING_HTTP_REDIRECT, sign=True,
        sigalg=SIG_RSA_SHA256)
    location = dict(info["headers"])["Location"]
    req = read_authn_request(urlsplit(location).query,
                             certificates=[keys["sp"].certificate_pem], require_signature=True)
    assert req.id == request_id and req.issuer == SP_ID and req.signed
    assert req.relay_state == "rs"


def test_unsigned_request_read_unless_signature_required(keys):
    query = f"SAMLRequest={quote_plus(_deflate(_authn_xml()))}&RelayState=x"
    assert read_authn_request(query).signed is False
    with pytest.raises(SamlError) as err:
        read_authn_request(query, certificates=[keys["sp"].certificate_pem],
                           require_signature=True)
    assert err.value.reason == "unsigned"


def test_bad_signatures_are_refused(keys):
    certs = [keys["sp"].certificate_pem]
    # signed by another key
    query = hand_signed_query(keys["other"].private_key_pem)
    with pytest.raises(SamlError) as err:
        read_authn_request(query, certificates=certs)
    assert err.value.reason == "signature"
    # RelayState changed after signing
    good = hand_signed_query(keys["sp"].private_key_pem, relay="abc")
    with pytest.raises(SamlError) as err:
        read_authn_request(good.replace("RelayState=abc", "RelayState=abd"), certificates=certs)
    assert err.value.reason == "signature"
    # the same values re-encoded differently: the signature covers the exact octets
    with pytest.raises(SamlError):
        read_authn_request(good.replace("RelayState=abc", "RelayState=%61bc"),
                           certificates=certs)
    # rsa-sha1 is refused
    sha1 = hand_signed_query(keys["sp"].private_key_pem,
                             alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                             digest=hashes.SHA1())
    with pytest.raises(SamlError) as err:
        read_authn_request(sha1, certificates=certs)
    assert err.value.reason == "signature"
    # Signature without SigAlg
    with pytest.raises(SamlError):
        read_authn_request(good.split("&SigAlg=")[0] + "&Signature=AAAA", certificates=certs)


@pytest.mark.parametrize("xml,reason", [
    (_authn_xml(issuer="urn:a<!-- x -->b"), "malformed"),
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "dtd"),
    (b"<samlp:LogoutRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' ID='a'/>",
     "malformed"),
    (b"<<<", "malformed"),
])
def test_hostile_or_wrong_requests_are_refused(xml, reason):
    with pytest.raises(SamlError) as err:
        read_authn_request(f"SAMLRequest={quote_plus(_deflate(xml))}")
    assert err.value.reason == reason


def test_inflate_bomb_and_garbage_are_refused():
    bomb = _deflate(b"<a>" + b" " * 5_000_000 + b"</a>")
    with pytest.raises(SamlError) as err:
        read_authn_request(f"SAMLRequest={quote_plus(bomb)}")
    assert err.value.reason == "too_large"
    with pytest.raises(SamlError) as err:
        read_authn_request("SAMLRequest=notdeflate")
    assert err.value.reason == "malformed"
    with pytest.raises(SamlError):
        read_authn_request("RelayState=x")


# --- logout ----------------------------------------------------------------------------------

def test_logout_request_from_sp_library_and_logout_response(keys):
    url = logout_request_url(idp_slo_url="https://idp.example.test/slo", sp_entity_id=SP_ID,
                             name_id="alice-0001", name_id_format=samlidp.NAMEID_PERSISTENT,
                             session_index="_session1", request_id="_lo1", now=time.time(),
                             relay_state="back", signing_key_pem=keys["sp"].private_key_pem)
    req = read_logout_request(urlsplit(url).query, certificates=[keys["sp"].certificate_pem])
    assert (req.id, req.issuer, req.name_id, req.session_indexes, req.signed) == (
        "_lo1", SP_ID, "alice-0001", ["_session1"], True)
    b64 = build_logout_response(idp_entity_id=IDP_ID, key_pem=keys["idp"].private_key_pem,
                                certificate_pem=keys["idp"].certificate_pem, destination=SLO,
                                in_response_to=req.id, now=time.time())
    read_logout_response(b64, signing_certificates=[keys["idp"].certificate_pem],
                         idp_entity_id=IDP_ID, in_response_to="_lo1", now=time.time())


def test_logout_request_must_be_signed(keys):
    xml = (b"<samlp:LogoutRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
           b"xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' ID='_l' Version='2.0' "
           b"IssueInstant='2026-01-01T00:00:00Z'><saml:Issuer>" + SP_ID.encode() +
           b"</saml:Issuer><saml:NameID>alice</saml:NameID></samlp:LogoutRequest>")
    with pytest.raises(SamlError) as err:
        read_logout_request(f"SAMLRequest={quote_plus(_deflate(xml))}",
                            certificates=[keys["sp"].certificate_pem])
    assert err.value.reason == "unsigned"


# --- the IdentityProvider object -------------------------------------------------------------

def test_identity_provider_applies_sp_options(keys):
    provider = IdentityProvider(entity_id=IDP_ID, sso_url="https://idp.example.test/sso",
                                slo_url="https://idp.example.test/slo",
                                key_pem=keys["idp"].private_key_pem,
                                certificate_pem=keys["idp"].certificate_pem)
    sp = ServiceProvider(entity_id=SP_ID, acs_url=ACS, slo_url=SLO,
                         signing_certificates=[keys["sp"].certificate_pem],
                         encryption_certificate=keys["sp_enc"].certificate_pem,
                         encrypt=True, sign="assertion")
    b64 = provider.response(sp, name_id="bob", attributes={"x": ["1"]}, now=time.time(),
                            in_response_to="_req1")
    xml = etree.fromstring(base64.b64decode(b64))
    assert xml.find("ds:Signature", NS) is None
    assert xml.find("saml:EncryptedAssertion", NS) is not None
    response = check_onelogin(onelogin(keys, signed_assertions=True, encrypted=True), b64)
    assert response.get_nameid() == "bob"
    assert "WantAuthnRequestsSigned=\"false\"" in provider.metadata()
    sp.encryption_certificate = None
    with pytest.raises(SamlError):
        provider.response(sp, name_id="bob", attributes={}, now=time.time())


# --- the SP library of this project reads what the IdP builds --------------------------------

@pytest.mark.parametrize("sign,encrypt,cipher,in_response_to", [
    ("both", True, "aes256-cbc", "_req1"), ("response", True, "aes128-gcm", "_req1"),
    ("assertion", False, "aes256-cbc", None), ("assertion", True, "aes256-cbc", None)])
def test_sp_library_reads_responses(keys, sign, encrypt, cipher, in_response_to):
    b64 = respond(keys, sign_response=sign in ("response", "both"),
                  sign_assertion=sign in ("assertion", "both"), cipher=cipher,
                  in_response_to=in_response_to,
                  encrypt_certificate_pem=keys["sp_enc"].certificate_pem if encrypt else None)
    assertion = sp_read_response(
        b64, signing_certificates=[keys["idp"].certificate_pem], idp_entity_id=IDP_ID,
        sp_entity_id=SP_ID, acs_url=ACS, now=time.time(), in_response_to=in_response_to,
        decryption_key_pem=keys["sp_enc"].private_key_pem, require_encryption=encrypt,
        max_age=None if in_response_to else 360)
    assert (assertion.issuer, assertion.name_id, assertion.session_index) == (
        IDP_ID, "alice-0001", "_session1")
    assert assertion.attributes == ATTRS
    assert assertion.in_response_to == in_response_to
