"""SAML metadata: reading an IdP's EntityDescriptor and writing the pool's SP metadata."""
from dataclasses import asdict, dataclass, field
from typing import NoReturn

from lxml import etree

from saml import certificates
from saml.errors import SamlError
from saml.xmlsafe import parse

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_CERTIFICATE_CHARS = 4096  # Cognito's limit per IdP certificate


@dataclass
class IdpMetadata:
    entity_id: str
    sso_redirect_url: str | None
    sso_post_url: str | None
    slo_redirect_url: str | None
    slo_post_url: str | None
    signing_certificates: list[str] = field(default_factory=list)  # PEM
    want_authn_requests_signed: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "IdpMetadata":
        return cls(entity_id=d["entity_id"], sso_redirect_url=d.get("sso_redirect_url"),
                   sso_post_url=d.get("sso_post_url"), slo_redirect_url=d.get("slo_redirect_url"),
                   slo_post_url=d.get("slo_post_url"),
                   signing_certificates=list(d.get("signing_certificates") or []),
                   want_authn_requests_signed=bool(d.get("want_authn_requests_signed")))


def _fail(message: str) -> NoReturn:
    raise SamlError("metadata", message)


def _entity(root):
    if root.tag == f"{{{MD}}}EntityDescriptor":
        return root
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        # An aggregate: take the (first) entity that is an IdP.
        for entity in root.iter(f"{{{MD}}}EntityDescriptor"):
            if entity.find(f"{{{MD}}}IDPSSODescriptor") is not None:
                return entity
        _fail("The metadata has no IDPSSODescriptor.")
    _fail("The metadata is not a SAML EntityDescriptor.")


def _location(descriptor, element: str, binding: str) -> str | None:
    for service in descriptor.findall(f"{{{MD}}}{element}"):
        if service.get("Binding") == binding and (service.get("Location") or "").strip():
            return service.get("Location").strip()
    return None


def parse_idp_metadata(xml: bytes | str, *, now: float) -> IdpMetadata:
    """Read an IdP's metadata; SamlError("metadata") when it cannot be used for sign-in."""
    try:
        root = parse(xml)
    except SamlError as e:
        if e.reason == "dtd":
            _fail("Metadata with a document type declaration or entities is not accepted.")
        _fail("The metadata is not well-formed XML.")
    entity = _entity(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        _fail("The metadata has no entityID.")
    idps = [d for d in entity.findall(f"{{{MD}}}IDPSSODescriptor")
            if PROTOCOL in (d.get("protocolSupportEnumeration") or "").split()]
    if not idps:
        _fail("The metadata has no SAML 2.0 IDPSSODescriptor.")
    idp = idps[0]
    sso_redirect = _location(idp, "SingleSignOnService", REDIRECT)
    sso_post = _location(idp, "SingleSignOnService", POST)
    if not sso_redirect and not sso_post:
        _fail("The metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST "
              "binding.")
    signing: list[str] = []
    for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for cert in descriptor.iter(f"{{{DS}}}X509Certificate"):
            body = "".join((cert.text or "").split())
            if not body:
                continue
            if len(body) > MAX_CERTIFICATE_CHARS:
                _fail(f"A signing certificate is longer than {MAX_CERTIFICATE_CHARS} characters.")
            try:
                expiry = certificates.certificate_expiry(body)
            except ValueError:
                _fail("A signing certificate in the metadata cannot be read.")
            if expiry <= now:
                _fail("A signing certificate in the metadata has expired.")
            pem = certificates.pem_from_body(body)
            if pem not in signing:
                signing.append(pem)
    if not signing:
        _fail("The metadata has no signing certificate.")
    return IdpMetadata(
        entity_id=entity_id, sso_redirect_url=sso_redirect, sso_post_url=sso_post,
        slo_redirect_url=_location(idp, "SingleLogoutService", REDIRECT),
        slo_post_url=_location(idp, "SingleLogoutService", POST),
        signing_certificates=signing,
        want_authn_requests_signed=(idp.get("WantAuthnRequestsSigned") or "").strip().lower()
        in ("true", "1"))


def _key_descriptor(parent, use: str, certificate_pem: str):
    key = etree.SubElement(parent, f"{{{MD}}}KeyDescriptor", use=use)
    info = etree.SubElement(key, f"{{{DS}}}KeyInfo")
    data = etree.SubElement(info, f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = \
        certificates.certificate_body(certificate_pem)
    return key


def sp_metadata(*, entity_id: str, acs_url: str, logout_url: str, signing_certificate_pem: str,
                encryption_certificate_pem: str | None) -> str:
    """The pool's SP metadata (what an administrator imports into the IdP), as XML text."""
    root = etree.Element(f"{{{MD}}}EntityDescriptor", nsmap={"md": MD, "ds": DS},
                         entityID=entity_id)
    sp = etree.SubElement(root, f"{{{MD}}}SPSSODescriptor", AuthnRequestsSigned="true",
                          WantAssertionsSigned="true", protocolSupportEnumeration=PROTOCOL)
    _key_descriptor(sp, "signing", signing_certificate_pem)
    if encryption_certificate_pem:
        key = _key_descriptor(sp, "encryption", encryption_certificate_pem)
        for algorithm in ("http://www.w3.org/2009/xmlenc11#aes256-gcm",
                          "http://www.w3.org/2009/xmlenc11#aes128-gcm",
                          "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                          "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                          "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"):
            etree.SubElement(key, f"{{{MD}}}EncryptionMethod", Algorithm=algorithm)
    # Cognito's /saml2/logout takes the IdP's LogoutResponse by POST only (reference 8.5).
    etree.SubElement(sp, f"{{{MD}}}SingleLogoutService", Binding=POST, Location=logout_url)
    for name_format in ("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
                        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
                        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"):
        etree.SubElement(sp, f"{{{MD}}}NameIDFormat").text = name_format
    etree.SubElement(sp, f"{{{MD}}}AssertionConsumerService", Binding=POST, Location=acs_url,
                     index="1", isDefault="true")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
