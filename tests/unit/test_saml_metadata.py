"""saml.metadata: IdP metadata from pysaml2 and an Entra-ID-like document, refusals, and the
SP metadata we hand out (read back by pysaml2)."""
import time

import pytest
from lxml import etree

from saml.certificates import certificate_body, new_key_pair, pem_from_body
from saml.errors import SamlError
from saml.metadata import IdpMetadata, parse_idp_metadata, sp_metadata
from tests.unit.saml_fixtures import (
    ACS_URL,
    IDP_ID,
    LOGOUT_URL,
    SLO_URL,
    SP_ID,
    SSO_POST_URL,
    SSO_URL,
    World,
)

NOW = time.time()


@pytest.fixture(scope="module")
def world():
    return World()


def entra_like(certs: list[str], *, sso=True, extra="") -> str:
    keys = "".join(
        f'<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">'
        f'<X509Data><X509Certificate>{certificate_body(c)}</X509Certificate></X509Data>'
        f'</KeyInfo></KeyDescriptor>' for c in certs)
    services = ('<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
                'Location="https://login.microsoftonline.com/tenant-id/saml2"/>'
                '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
                'Location="https://login.microsoftonline.com/tenant-id/saml2"/>') if sso else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_3bd1e2e2-2b2a-4d7b-a1b3-3c0a1b2c3d4e" entityID="https://sts.windows.net/tenant-id/"
    xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/><SignatureValue>AAAA</SignatureValue></Signature>
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    {keys}
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {keys}
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://login.microsoftonline.com/tenant-id/saml2"/>
    {services}
    {extra}
  </IDPSSODescriptor>
</EntityDescriptor>"""


def refused(xml, now=NOW) -> str:
    with pytest.raises(SamlError) as error:
        parse_idp_metadata(xml, now=now)
    assert error.value.reason == "metadata"
    return error.value.message


def test_pysaml2_idp_metadata(world):
    from saml2.metadata import entity_descriptor
    xml = str(entity_descriptor(world.server().config))
    metadata = parse_idp_metadata(xml, now=NOW)
    assert metadata.entity_id == IDP_ID
    assert metadata.sso_redirect_url == SSO_URL
    assert metadata.sso_post_url == SSO_POST_URL
    assert metadata.slo_redirect_url == SLO_URL and metadata.slo_post_url is None
    assert metadata.signing_certificates == [world.idp.certificate_pem]
    assert metadata.want_authn_requests_signed is False
    assert IdpMetadata.from_dict(metadata.to_dict()) == metadata


def test_entra_like_metadata_with_rotation_certificates():
    a = new_key_pair("Microsoft Azure Federated SSO Certificate", NOW - 86400)
    b = new_key_pair("Microsoft Azure Federated SSO Certificate", NOW - 10, days=365 * 3)
    metadata = parse_idp_metadata(entra_like([a.certificate_pem, b.certificate_pem]).encode(),
                                  now=NOW)
    assert metadata.entity_id == "https://sts.windows.net/tenant-id/"
    assert metadata.sso_redirect_url == metadata.sso_post_url == \
        "https://login.microsoftonline.com/tenant-id/saml2"
    assert metadata.slo_redirect_url == "https://login.microsoftonline.com/tenant-id/saml2"
    assert metadata.signing_certificates == [a.certificate_pem, b.certificate_pem]
    d = metadata.to_dict()
    assert d["signing_certificates"] == [a.certificate_pem, b.certificate_pem]
    assert IdpMetadata.from_dict(d) == metadata


def test_expired_certificate_refused():
    old = new_key_pair("old", NOW - 400 * 86400, days=30)
    good = new_key_pair("good", NOW - 86400)
    assert "expired" in refused(entra_like([good.certificate_pem, old.certificate_pem]))


def test_no_sso_refused():
    good = new_key_pair("good", NOW - 86400)
    assert "SingleSignOnService" in refused(entra_like([good.certificate_pem], sso=False))


def test_no_signing_certificate_refused():
    assert "signing certificate" in refused(entra_like([]))


def test_no_idp_descriptor_refused():
    assert "IDPSSODescriptor" in refused(
        '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">'
        '<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
        '</EntityDescriptor>')


def test_garbage_and_dtd_refused():
    refused("not xml")
    refused("<html/>")
    message = refused('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
                      'entityID="&x;"/>')
    assert "document type" in message


def test_overlong_certificate_refused():
    assert "4096" in refused(entra_like(["A" * 5000]))


def test_sp_metadata_read_by_pysaml2(world):
    xml = world.sp_metadata
    root = etree.fromstring(xml.encode())
    ns = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
    assert root.get("entityID") == SP_ID
    acs = root.find("md:SPSSODescriptor/md:AssertionConsumerService", ns)
    assert acs.get("Location") == ACS_URL and acs.get("Binding").endswith("HTTP-POST")
    assert {s.get("Location")
            for s in root.findall("md:SPSSODescriptor/md:SingleLogoutService", ns)} == {LOGOUT_URL}
    uses = {k.get("use"): k.find(".//ds:X509Certificate", ns).text
            for k in root.findall("md:SPSSODescriptor/md:KeyDescriptor", ns)}
    assert uses == {"signing": certificate_body(world.sp_signing.certificate_pem),
                    "encryption": certificate_body(world.sp.certificate_pem)}
    # pysaml2 (the IdP) found our encryption certificate and ACS in it
    server = world.server()
    certs = server.metadata.certs(SP_ID, "any", "encryption")
    assert [certificate_body(c) for _, c in certs] == [certificate_body(world.sp.certificate_pem)]
    assert server.metadata.assertion_consumer_service(SP_ID)[0]["location"] == ACS_URL


def test_sp_metadata_without_encryption_certificate(world):
    xml = sp_metadata(entity_id=SP_ID, acs_url=ACS_URL, logout_url=LOGOUT_URL,
                      signing_certificate_pem=world.sp_signing.certificate_pem,
                      encryption_certificate_pem=None)
    assert 'use="encryption"' not in xml and 'use="signing"' in xml


def test_certificate_helpers():
    pair = new_key_pair("helpers", NOW)
    body = certificate_body(pair.certificate_pem)
    assert "\n" not in body and "BEGIN" not in body
    assert pem_from_body(body) == pair.certificate_pem
    assert "PRIVATE KEY" in pair.private_key_pem
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(pair.certificate_pem.encode())
    assert abs(cert.not_valid_before_utc.timestamp() - int(NOW)) < 1
    assert round((cert.not_valid_after_utc - cert.not_valid_before_utc).days) == 3650
