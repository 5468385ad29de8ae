"""saml.authn_request and saml.logout: the HTTP-Redirect messages we send (decoded and their
signatures verified independently with cryptography and pysaml2) and the LogoutResponse we read
(built by pysaml2)."""
import base64
import re
import time
import zlib
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.sigver import RSACrypto, verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from saml.authn_request import authn_request_url, new_request_id
from saml.certificates import certificate_body
from saml.errors import SamlError
from saml.logout import logout_request_url, read_logout_response
from tests.unit.saml_fixtures import (
    ACS_URL,
    IDP_ID,
    NS,
    SLO_URL,
    SP_ID,
    SSO_URL,
    World,
    b64,
    find,
    serialize,
    tree,
)

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RELAY = "identity_provider=Entra&client_id=abc&state=" + "x" * 100  # > 80 bytes


@pytest.fixture(scope="module")
def world():
    return World()


def decode(url: str):
    """(query dict, request root, raw query string)."""
    query = urlsplit(url).query
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    xml = zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15)
    return params, etree.fromstring(xml), query


def verify_with_cryptography(raw_query: str, certificate_pem: str) -> bool:
    signed_part, signature = raw_query.split("&Signature=")
    key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    try:
        key.verify(base64.b64decode(unquote_plus(signature)), signed_part.encode("ascii"),
                   padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def test_new_request_id():
    ids = {new_request_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"_[0-9a-f]{40}", i) for i in ids)


def test_signed_authn_request(world):
    now = time.time()
    request_id = new_request_id()
    url = authn_request_url(idp_sso_url=SSO_URL, sp_entity_id=SP_ID, acs_url=ACS_URL,
                            request_id=request_id, now=now, relay_state=RELAY,
                            signing_key_pem=world.sp_signing.private_key_pem)
    assert url.startswith(SSO_URL + "?SAMLRequest=")
    params, root, raw = decode(url)
    assert list(params) == ["SAMLRequest", "RelayState", "SigAlg", "Signature"]
    assert params["RelayState"] == RELAY and params["SigAlg"] == RSA_SHA256
    assert root.tag == f"{{{NS['samlp']}}}AuthnRequest"
    assert root.get("ID") == request_id and root.get("Version") == "2.0"
    assert root.get("Destination") == SSO_URL
    assert root.get("AssertionConsumerServiceURL") == ACS_URL
    assert root.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert root.get("IssueInstant") == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    assert find(root, "saml:Issuer").text == SP_ID
    assert find(root, "ds:Signature") is None  # redirect binding: signature in the query
    # independent verification of the signed octets
    assert verify_with_cryptography(raw, world.sp_signing.certificate_pem)
    assert not verify_with_cryptography(raw.replace("RelayState=identity", "RelayState=identitx"),
                                        world.sp_signing.certificate_pem)
    assert not verify_with_cryptography(raw, world.idp.certificate_pem)
    # ... and pysaml2's own redirect-binding check
    assert verify_redirect_signature(params, RSACrypto(None),
                                     cert=certificate_body(world.sp_signing.certificate_pem))
    # pysaml2 as the IdP reads the request
    request = world.server().parse_authn_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
    assert request.message.id == request_id
    assert request.message.assertion_consumer_service_url == ACS_URL
    assert request.message.issuer.text == SP_ID


def test_unsigned_authn_request_and_existing_query(world):
    url = authn_request_url(idp_sso_url=SSO_URL + "?tenant=1", sp_entity_id=SP_ID, acs_url=ACS_URL,
                            request_id="_abc", now=time.time(), relay_state=None,
                            signing_key_pem=None)
    assert url.startswith(SSO_URL + "?tenant=1&SAMLRequest=")
    params, root, _ = decode(url)
    assert set(params) == {"tenant", "SAMLRequest"}
    assert root.get("ID") == "_abc"


def test_logout_request_and_pysaml2_logout_response(world):
    now = time.time()
    url = logout_request_url(idp_slo_url=SLO_URL, sp_entity_id=SP_ID, name_id="alice@example.com",
                             name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                             session_index="id-session-1", request_id="_logout1", now=now,
                             relay_state="state-1",
                             signing_key_pem=world.sp_signing.private_key_pem)
    assert url.startswith(SLO_URL + "?SAMLRequest=")
    params, root, raw = decode(url)
    assert params["SigAlg"] == RSA_SHA256 and params["RelayState"] == "state-1"
    assert root.tag == f"{{{NS['samlp']}}}LogoutRequest" and root.get("ID") == "_logout1"
    assert root.get("Destination") == SLO_URL
    assert find(root, "saml:Issuer").text == SP_ID
    assert find(root, "saml:NameID").text == "alice@example.com"
    assert find(root, "samlp:SessionIndex").text == "id-session-1"
    assert verify_with_cryptography(raw, world.sp_signing.certificate_pem)
    assert verify_redirect_signature(params, RSACrypto(None),
                                     cert=certificate_body(world.sp_signing.certificate_pem))

    server = world.server()
    request = server.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
    assert request.message.name_id.text == "alice@example.com"
    response = str(server.create_logout_response(request.message, [BINDING_HTTP_POST], sign=True,
                                                 sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256))
    args = dict(signing_certificates=[world.idp.certificate_pem], idp_entity_id=IDP_ID,
                in_response_to="_logout1", now=time.time())
    assert read_logout_response(b64(response), **args) is None

    def refused(xml, **overrides):
        with pytest.raises(SamlError) as error:
            read_logout_response(b64(xml) if xml.startswith("<") else xml, **{**args, **overrides})
        return error.value.reason

    assert refused(response, in_response_to="_other") == "in_response_to"
    assert refused(response, idp_entity_id="https://other") == "issuer"
    assert refused(response, signing_certificates=[world.attacker.certificate_pem]) == "signature"
    assert refused(response, now=time.time() + 3600) == "too_old"
    stripped = tree(response)
    stripped.remove(find(stripped, "ds:Signature"))
    assert refused(serialize(stripped)) == "unsigned"
    assert refused("A" * 200_001) == "too_large"
    failed = str(server.create_logout_response(
        request.message, [BINDING_HTTP_POST], sign=True, sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        status=__import__("saml2").samlp.Status(status_code=__import__("saml2").samlp.StatusCode(
            value="urn:oasis:names:tc:SAML:2.0:status:Responder"))))
    assert refused(failed) == "status"
    # an authn Response is not a LogoutResponse
    assert refused(world.response_xml()) == "malformed"


def test_logout_request_without_session_index(world):
    url = logout_request_url(idp_slo_url=SLO_URL, sp_entity_id=SP_ID, name_id="bob",
                             name_id_format="", session_index=None, request_id="_l2",
                             now=time.time(), relay_state=None,
                             signing_key_pem=world.sp_signing.private_key_pem)
    params, root, raw = decode(url)
    assert "RelayState" not in params
    assert find(root, "samlp:SessionIndex") is None
    assert find(root, "saml:NameID").get("Format") is None
    assert verify_with_cryptography(raw, world.sp_signing.certificate_pem)
