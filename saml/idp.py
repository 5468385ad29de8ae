"""The identity-provider side of SAML 2.0: what an IdP sends and what it reads.

Used by the emulator's built-in test IdP (emulator/web/test_idp.py) and by tests that need
an IdP. No HTTP, no storage: every function takes the keys, certificates and `now` (epoch
seconds) it needs.

Builds
- idp_metadata(...) -> EntityDescriptor XML (IDPSSODescriptor, HTTP-Redirect SSO and SLO).
- build_response(...) -> base64 SAMLResponse for the POST binding: the Response and/or the
  Assertion signed (rsa-sha256, sha256 digests, exclusive c14n, the certificate in KeyInfo),
  optionally the Assertion encrypted for an SP certificate (EncryptedAssertion: rsa-oaep-mgf1p
  key transport, aes256-cbc or aes128-gcm content). The Assertion always declares its own
  xmlns:saml (and xs/xsi), so it stays well-formed when decrypted on its own.
- build_logout_request(...) / build_logout_response(...) -> base64, signed, POST binding.

Reads (HTTP-Redirect binding, the raw query string as the browser sent it)
- read_authn_request(query, certificates=..., require_signature=...) -> AuthnRequest
- read_logout_request(query, certificates=..., require_signature=...) -> LogoutRequest
  The DEFLATEd message is inflated with a size limit and parsed by saml.xmlsafe.parse (no DTD,
  no entities). A Signature is checked over the exact octets of
  `SAMLRequest=..[&RelayState=..]&SigAlg=..` as they appear in the query (SAML bindings 3.4.4.1)
  with the sender's certificate(s): a list of PEMs, or a function issuer -> list of PEMs|None.

Plain data
- ServiceProvider: what an IdP knows about an SP (from its metadata: parse_sp_metadata) plus
  how to answer it (encrypt, sign = "response"|"assertion"|"both", require_signed_requests).
- IdentityProvider: entity id, SSO/SLO URLs, key and certificate, with .metadata(),
  .response(sp, ...), .logout_response(sp, ...), .logout_request(sp, ...) that apply the SP's
  options to the functions above.
"""
from __future__ import annotations

import base64
import binascii
import calendar
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote_plus

import signxml
import xmlsec
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from .certificates import certificate_body, pem_from_body
from .errors import SamlError
from .xmlsafe import parse

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"saml": SAML, "samlp": SAMLP, "md": MD, "ds": DS, "xenc": XENC}

BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
ATTRNAME_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
AC_PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
# Redirect-binding signature algorithms we accept (rsa-sha1 is refused: too weak), each to the
# concrete hash class that makes its digest.
SIG_ALGS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    RSA_SHA256: hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512}
AES256_CBC = "aes256-cbc"
AES128_GCM = "aes128-gcm"
CIPHERS = {AES256_CBC: (xmlsec.constants.TransformAes256Cbc, 256),
            AES128_GCM: (xmlsec.constants.TransformAes128Gcm, 128),
            "aes128-cbc": (xmlsec.constants.TransformAes128Cbc, 128),
            "aes256-gcm": (xmlsec.constants.TransformAes256Gcm, 256)}
SIGN_CHOICES = ("response", "assertion", "both")

MAX_INFLATED = 200_000      # bytes of XML a redirect-binding message may inflate to
MAX_QUERY = 64_000          # characters of query string we look at


# --- small helpers ---------------------------------------------------------------------------

def new_id() -> str:
    """A fresh XML ID (NCName: starts with "_"), unique per message and per assertion."""
    return "_" + secrets.token_hex(20)


def instant(t: float) -> str:
    """SAML dateTime in UTC, whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def parse_instant(text: str | None) -> float | None:
    if not text:
        return None
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1]
    fraction = 0.0
    if "." in value:
        value, frac = value.split(".", 1)
        digits = "".join(ch for ch in frac if ch.isdigit())
        fraction = float("0." + digits) if digits else 0.0
    try:
        parsed = time.strptime(value, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    return calendar.timegm(parsed) + fraction


def _pem(cert: str) -> str:
    """A certificate as PEM, whether given as PEM or as a metadata-style base64 body."""
    cert = cert.strip()
    return cert if cert.startswith("-----BEGIN") else pem_from_body(cert)


def _el(parent, ns: str, name: str, text: str | None = None, nsmap: dict | None = None,
        **attrs) -> etree._Element:
    tag = f"{{{ns}}}{name}"
    node = (etree.SubElement(parent, tag, nsmap=nsmap) if parent is not None
            else etree.Element(tag, nsmap=nsmap))
    for key, value in attrs.items():
        if value is not None:
            node.set(key, value)
    if text is not None:
        node.text = text
    return node


def _b64(root: etree._Element) -> str:
    return base64.b64encode(etree.tostring(root, xml_declaration=False, encoding="UTF-8")).decode()


# --- XML signature (signxml) and encryption (xmlsec) ----------------------------------------

def sign_element(node: etree._Element, key_pem: str, certificate_pem: str) -> etree._Element:
    """`node` (which has an ID) with an enveloped signature over it, placed right after its
    Issuer as the SAML schema wants: rsa-sha256, sha256 digest, exclusive c14n, the
    certificate in KeyInfo. signxml signs a copy: use the element returned (`node` itself is
    left as it was)."""
    # The IdP's own key (saml.certificates made it): skip the primality checks that make each
    # load cost ~50 ms, as xmlsec's loader did.
    key = serialization.load_pem_private_key(key_pem.encode(), None,
                                             unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the IdP signs with rsa-sha256: its key must be RSA")
    signer = signxml.XMLSigner(method=signxml.methods.enveloped, signature_algorithm="rsa-sha256",
                               digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
    # signxml puts the signature where a placeholder stands (else it would go last).
    placeholder = etree.Element(f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    issuer = node.find(f"{{{SAML}}}Issuer")
    node.insert(0 if issuer is None else node.index(issuer) + 1, placeholder)
    try:
        return signer.sign(node, key=key, cert=_pem(certificate_pem),
                           reference_uri="#" + node.get("ID", ""))
    finally:
        node.remove(placeholder)


def encrypt_assertion(assertion: etree._Element, certificate_pem: str,
                      cipher: str = AES256_CBC) -> etree._Element:
    """<saml:EncryptedAssertion> holding `assertion` encrypted for the certificate's key:
    a fresh AES session key, itself wrapped with RSA-OAEP (mgf1p) in an EncryptedKey."""
    if cipher not in CIPHERS:
        raise ValueError(f"unknown cipher {cipher!r}; use one of {sorted(CIPHERS)}")
    transform, bits = CIPHERS[cipher]
    wrapper = _el(None, SAML, "EncryptedAssertion", nsmap={"saml": SAML})
    data = xmlsec.template.encrypted_data_create(wrapper, transform,
                                                 type=xmlsec.constants.TypeEncElement, ns="xenc")
    xmlsec.template.encrypted_data_ensure_cipher_value(data)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(data, ns="ds")
    enc_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.constants.TransformRsaOaep)
    xmlsec.template.encrypted_data_ensure_cipher_value(enc_key)
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(_pem(certificate_pem).encode(),
                                           xmlsec.constants.KeyDataFormatCertPem, None))
    ctx = xmlsec.EncryptionContext(manager)
    ctx.key = xmlsec.Key.generate(xmlsec.constants.KeyDataAes, bits,
                                  xmlsec.constants.KeyDataTypeSession)
    # The assertion is serialized on its own (as a root it writes every namespace it uses,
    # xmlns:saml included) and those bytes encrypted: moving it under EncryptedAssertion first
    # would let lxml drop its now-redundant xmlns:saml, and the decrypted text would not parse.
    plain = etree.tostring(assertion, encoding="UTF-8", xml_declaration=False)
    wrapper.append(ctx.encrypt_binary(data, plain))
    return wrapper


# --- metadata --------------------------------------------------------------------------------

def idp_metadata(*, entity_id: str, sso_url: str, certificate_pem: str, slo_url: str | None = None,
                 sso_post_url: str | None = None, want_authn_requests_signed: bool = False,
                 name_id_formats: tuple = (NAMEID_PERSISTENT, NAMEID_EMAIL, NAMEID_UNSPECIFIED)
                 ) -> str:
    """IdP metadata (EntityDescriptor/IDPSSODescriptor) with the signing certificate."""
    root = _el(None, MD, "EntityDescriptor", nsmap={"md": MD, "ds": DS}, entityID=entity_id)
    idp = _el(root, MD, "IDPSSODescriptor",
              protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol",
              WantAuthnRequestsSigned="true" if want_authn_requests_signed else "false")
    key = _el(idp, MD, "KeyDescriptor", use="signing")
    _el(_el(_el(key, DS, "KeyInfo"), DS, "X509Data"), DS, "X509Certificate",
        certificate_body(_pem(certificate_pem)))
    if slo_url:
        _el(idp, MD, "SingleLogoutService", Binding=BINDING_REDIRECT, Location=slo_url)
    for fmt in name_id_formats:
        _el(idp, MD, "NameIDFormat", fmt)
    _el(idp, MD, "SingleSignOnService", Binding=BINDING_REDIRECT, Location=sso_url)
    if sso_post_url:
        _el(idp, MD, "SingleSignOnService", Binding=BINDING_POST, Location=sso_post_url)
    return etree.tostring(root, pretty_print=True, xml_declaration=True,
                          encoding="UTF-8").decode()


@dataclass
class ServiceProvider:
    """An SP as an IdP registers it: from its metadata, plus how to answer it."""
    entity_id: str
    acs_url: str
    slo_url: str | None = None
    signing_certificates: list[str] = field(default_factory=list)   # PEM
    encryption_certificate: str | None = None                        # PEM
    authn_requests_signed: bool = False                              # as the metadata says
    # Options of the registration:
    encrypt: bool = False
    sign: str = "both"                    # "response" | "assertion" | "both"
    require_signed_requests: bool = False
    cipher: str = AES256_CBC

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ServiceProvider:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


def _certificates(descriptor, use: str, strict: bool = False) -> list[str]:
    found = []
    for key in descriptor.findall(f"{{{MD}}}KeyDescriptor"):
        if key.get("use") not in ((use,) if strict else (None, "", use)):
            continue
        for cert in key.iterfind(f".//{{{DS}}}X509Certificate"):
            body = "".join((cert.text or "").split())
            if body:
                try:
                    x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
                except (ValueError, binascii.Error):
                    raise SamlError("metadata", "A certificate in the SP metadata is not a "
                                                "valid X.509 certificate.") from None
                found.append(pem_from_body(body))
    return found


def parse_sp_metadata(xml: bytes | str) -> ServiceProvider:
    """The SP in SP metadata (EntityDescriptor/SPSSODescriptor): entity id, the first
    HTTP-POST AssertionConsumerService (lowest index / isDefault), the HTTP-POST or
    HTTP-Redirect SingleLogoutService, signing and encryption certificates."""
    root = parse(xml)
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        root = root.find(f"{{{MD}}}EntityDescriptor")
    if root is None or root.tag != f"{{{MD}}}EntityDescriptor" or not root.get("entityID"):
        raise SamlError("metadata", "Not SAML metadata: no EntityDescriptor with an entityID.")
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    if sp is None:
        raise SamlError("metadata", "The metadata has no SPSSODescriptor.")
    acs = [a for a in sp.findall(f"{{{MD}}}AssertionConsumerService")
           if a.get("Binding") == BINDING_POST and a.get("Location")]
    if not acs:
        raise SamlError("metadata", "The SP metadata has no HTTP-POST AssertionConsumerService.")
    default = [a for a in acs if a.get("isDefault") == "true"]

    def index(a):
        try:
            return int(a.get("index", "0"))
        except ValueError:
            return 0
    chosen = default[0] if default else min(acs, key=index)
    slo = None
    for binding in (BINDING_POST, BINDING_REDIRECT):
        for s in sp.findall(f"{{{MD}}}SingleLogoutService"):
            if slo is None and s.get("Binding") == binding and s.get("Location"):
                slo = s.get("Location")
    # A KeyDescriptor without `use` serves both purposes; an explicit encryption one wins.
    encryption = (_certificates(sp, "encryption", strict=True)
                  or _certificates(sp, "encryption"))
    return ServiceProvider(
        entity_id=root.get("entityID"), acs_url=chosen.get("Location"), slo_url=slo,
        signing_certificates=_certificates(sp, "signing"),
        encryption_certificate=encryption[0] if encryption else None,
        authn_requests_signed=sp.get("AuthnRequestsSigned") == "true")


# --- the response ----------------------------------------------------------------------------

def _assertion(*, idp_entity_id, name_id, name_id_format, attributes, audience, acs_url,
               in_response_to, now, session_index, lifetime) -> etree._Element:
    # Its own namespace declarations, so it reads the same alone (decrypted) or in a Response.
    a = _el(None, SAML, "Assertion", nsmap={"saml": SAML, "xs": XS, "xsi": XSI},
            ID=new_id(), Version="2.0", IssueInstant=instant(now))
    _el(a, SAML, "Issuer", idp_entity_id)
    subject = _el(a, SAML, "Subject")
    _el(subject, SAML, "NameID", name_id, Format=name_id_format or NAMEID_UNSPECIFIED)
    confirmation = _el(subject, SAML, "SubjectConfirmation", Method=CM_BEARER)
    _el(confirmation, SAML, "SubjectConfirmationData", InResponseTo=in_response_to,
        NotOnOrAfter=instant(now + lifetime), Recipient=acs_url)
    conditions = _el(a, SAML, "Conditions", NotBefore=instant(now - 5),
                     NotOnOrAfter=instant(now + lifetime))
    _el(_el(conditions, SAML, "AudienceRestriction"), SAML, "Audience", audience)
    authn = _el(a, SAML, "AuthnStatement", AuthnInstant=instant(now),
                SessionIndex=session_index, SessionNotOnOrAfter=instant(now + 8 * 3600))
    _el(_el(authn, SAML, "AuthnContext"), SAML, "AuthnContextClassRef", AC_PASSWORD)
    if attributes:
        statement = _el(a, SAML, "AttributeStatement")
        for name, values in attributes.items():
            if isinstance(values, str):
                values = [values]
            attr = _el(statement, SAML, "Attribute", Name=name,
                       NameFormat=ATTRNAME_URI if ":" in name else ATTRNAME_UNSPECIFIED)
            for value in values:
                node = _el(attr, SAML, "AttributeValue", str(value))
                node.set(f"{{{XSI}}}type", "xs:string")
    return a


def build_response(*, idp_entity_id: str, key_pem: str, certificate_pem: str, name_id: str,
                   name_id_format: str | None, attributes: dict[str, list[str]], audience: str,
                   acs_url: str, in_response_to: str | None, now: float, session_index: str,
                   sign_response: bool = True, sign_assertion: bool = True,
                   encrypt_certificate_pem: str | None = None, lifetime: float = 300,
                   cipher: str = AES256_CBC, status: str = STATUS_SUCCESS) -> str:
    """A SAML Response for the POST binding, base64 (the SAMLResponse form field).

    in_response_to None = IdP-initiated (no InResponseTo anywhere). The Assertion is signed
    first (sign_assertion), then encrypted for encrypt_certificate_pem (if given), then the
    Response is signed around it (sign_response)."""
    assertion = _assertion(idp_entity_id=idp_entity_id, name_id=name_id,
                           name_id_format=name_id_format, attributes=attributes,
                           audience=audience, acs_url=acs_url, in_response_to=in_response_to,
                           now=now, session_index=session_index, lifetime=lifetime)
    if sign_assertion:
        assertion = sign_element(assertion, key_pem, certificate_pem)
    if encrypt_certificate_pem:
        assertion = encrypt_assertion(assertion, encrypt_certificate_pem, cipher)
    # The Response declares only samlp: a saml prefix declared here would make lxml drop
    # the Assertion's own declaration when it is appended.
    response = _el(None, SAMLP, "Response", nsmap={"samlp": SAMLP}, ID=new_id(),
                   Version="2.0", IssueInstant=instant(now), Destination=acs_url,
                   InResponseTo=in_response_to)
    _el(response, SAML, "Issuer", idp_entity_id, nsmap={"saml": SAML})
    _el(_el(response, SAMLP, "Status"), SAMLP, "StatusCode", Value=status)
    response.append(assertion)
    if sign_response:
        response = sign_element(response, key_pem, certificate_pem)
    return _b64(response)


# --- logout ----------------------------------------------------------------------------------

def build_logout_request(*, idp_entity_id: str, key_pem: str, certificate_pem: str,
                         destination: str, name_id: str, name_id_format: str | None,
                         session_index: str | None, now: float, lifetime: float = 300,
                         request_id: str | None = None) -> str:
    """A signed LogoutRequest from the IdP for the POST binding, base64."""
    req = _el(None, SAMLP, "LogoutRequest", nsmap={"samlp": SAMLP, "saml": SAML},
              ID=request_id or new_id(), Version="2.0", IssueInstant=instant(now),
              Destination=destination, NotOnOrAfter=instant(now + lifetime))
    _el(req, SAML, "Issuer", idp_entity_id)
    _el(req, SAML, "NameID", name_id, Format=name_id_format or NAMEID_UNSPECIFIED)
    if session_index:
        _el(req, SAMLP, "SessionIndex", session_index)
    req = sign_element(req, key_pem, certificate_pem)
    return _b64(req)


def build_logout_response(*, idp_entity_id: str, key_pem: str, certificate_pem: str,
                          destination: str, in_response_to: str | None, now: float,
                          status: str = STATUS_SUCCESS) -> str:
    """A signed LogoutResponse for the POST binding, base64."""
    res = _el(None, SAMLP, "LogoutResponse", nsmap={"samlp": SAMLP, "saml": SAML},
              ID=new_id(), Version="2.0", IssueInstant=instant(now), Destination=destination,
              InResponseTo=in_response_to)
    _el(res, SAML, "Issuer", idp_entity_id)
    _el(_el(res, SAMLP, "Status"), SAMLP, "StatusCode", Value=status)
    res = sign_element(res, key_pem, certificate_pem)
    return _b64(res)


# --- reading redirect-binding messages -------------------------------------------------------

Certificates = list[str] | Callable[[str], list[str] | None] | None


@dataclass
class AuthnRequest:
    id: str
    issuer: str
    acs_url: str | None              # AssertionConsumerServiceURL (None: use the registered one)
    destination: str | None
    issue_instant: float | None
    relay_state: str | None
    signed: bool                     # carried a Signature that verified
    force_authn: bool = False
    protocol_binding: str | None = None
    name_id_format: str | None = None


@dataclass
class LogoutRequest:
    id: str
    issuer: str
    name_id: str | None
    name_id_format: str | None
    session_indexes: list[str]
    destination: str | None
    issue_instant: float | None
    relay_state: str | None
    signed: bool


def _raw_params(query: str) -> dict[str, str]:
    """name -> raw (still percent-encoded) value, first occurrence; repeats are refused."""
    if len(query) > MAX_QUERY:
        raise SamlError("too_large", "The request's query string is too long.")
    raw: dict[str, str] = {}
    for part in query.lstrip("?").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = unquote_plus(name)
        if name in raw:
            raise SamlError("malformed", f"The parameter {name} is given more than once.")
        raw[name] = value
    return raw


def _inflate(encoded: str) -> bytes:
    try:
        deflated = base64.b64decode(encoded, validate=False)
    except (ValueError, binascii.Error):
        raise SamlError("malformed", "The SAML message is not valid base64.") from None
    inflater = zlib.decompressobj(-15)
    try:
        xml = inflater.decompress(deflated, MAX_INFLATED + 1)
    except zlib.error:
        raise SamlError("malformed", "The SAML message is not DEFLATE-compressed "
                                     "(HTTP-Redirect binding).") from None
    if len(xml) > MAX_INFLATED or inflater.unconsumed_tail:
        raise SamlError("too_large", "The SAML message is too large.")
    return xml


def _verify_query_signature(raw: dict[str, str], message_param: str,
                            certificates: list[str]) -> None:
    sig_alg = unquote_plus(raw.get("SigAlg", ""))
    if sig_alg not in SIG_ALGS:
        raise SamlError("signature", f"Unsupported signature algorithm {sig_alg or '(none)'}; "
                                     f"use {RSA_SHA256}.")
    try:
        signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=False)
    except (ValueError, binascii.Error):
        raise SamlError("signature", "The Signature parameter is not valid base64.") from None
    # The exact octets the sender signed, in the order the binding fixes.
    signed = f"{message_param}={raw[message_param]}"
    if "RelayState" in raw:
        signed += f"&RelayState={raw['RelayState']}"
    signed += f"&SigAlg={raw['SigAlg']}"
    digest = SIG_ALGS[sig_alg]()
    for pem in certificates:
        try:
            public_key = x509.load_pem_x509_certificate(_pem(pem).encode()).public_key()
        except ValueError:
            continue
        if not isinstance(public_key, rsa.RSAPublicKey):
            continue
        try:
            public_key.verify(signature, signed.encode("ascii", "replace"), padding.PKCS1v15(),
                              digest)
            return
        except InvalidSignature:
            continue
    raise SamlError("signature", "The request's signature does not verify with the "
                                 "service provider's certificate.")


def _read_redirect(query: str, message_param: str, root_tag: str, certificates: Certificates,
                   require_signature: bool):
    raw = _raw_params(query)
    if message_param not in raw:
        raise SamlError("malformed", f"No {message_param} in the request.")
    root = parse(_inflate(unquote_plus(raw[message_param])))
    if root.tag != f"{{{SAMLP}}}{root_tag}":
        raise SamlError("malformed", f"The {message_param} is not a {root_tag}.")
    if not root.get("ID"):
        raise SamlError("malformed", f"The {root_tag} has no ID.")
    issuer_node = root.find(f"{{{SAML}}}Issuer")
    if issuer_node is not None and len(issuer_node):
        # Only text: a comment or element inside Issuer is a trick, not an entity id.
        raise SamlError("malformed", f"The {root_tag}'s Issuer must be plain text.")
    issuer = (issuer_node.text or "").strip() if issuer_node is not None else ""
    if not issuer:
        raise SamlError("issuer", f"The {root_tag} has no Issuer.")
    signed = False
    if "Signature" in raw or "SigAlg" in raw:
        if "Signature" not in raw or "SigAlg" not in raw:
            raise SamlError("signature", "The request has only one of SigAlg and Signature.")
        certs = certificates(issuer) if callable(certificates) else certificates
        if certs:
            _verify_query_signature(raw, message_param, certs)
            signed = True
        elif require_signature:
            raise SamlError("signature", f"No certificate known for {issuer} to verify the "
                                         "request's signature.")
    if require_signature and not signed:
        raise SamlError("unsigned", f"The {root_tag} is not signed, and signed requests "
                                    "are required.")
    relay = unquote_plus(raw["RelayState"]) if "RelayState" in raw else None
    return root, issuer, signed, relay


def read_authn_request(query: str, *, certificates: Certificates = None,
                       require_signature: bool = False) -> AuthnRequest:
    """An HTTP-Redirect AuthnRequest from the raw query string (raises SamlError).

    A request that carries SigAlg/Signature is verified whenever a certificate is known
    (a bad signature is always an error); require_signature refuses unsigned requests."""
    root, issuer, signed, relay = _read_redirect(query, "SAMLRequest", "AuthnRequest",
                                                 certificates, require_signature)
    policy = root.find(f"{{{SAMLP}}}NameIDPolicy")
    return AuthnRequest(
        id=root.get("ID"), issuer=issuer, acs_url=root.get("AssertionConsumerServiceURL"),
        destination=root.get("Destination"), issue_instant=parse_instant(root.get("IssueInstant")),
        relay_state=relay, signed=signed,
        force_authn=root.get("ForceAuthn") in ("true", "1"),
        protocol_binding=root.get("ProtocolBinding"),
        name_id_format=policy.get("Format") if policy is not None else None)


def read_logout_request(query: str, *, certificates: Certificates = None,
                        require_signature: bool = True) -> LogoutRequest:
    """An HTTP-Redirect LogoutRequest from the raw query string (raises SamlError)."""
    root, issuer, signed, relay = _read_redirect(query, "SAMLRequest", "LogoutRequest",
                                                 certificates, require_signature)
    name_id = root.find(f"{{{SAML}}}NameID")
    if root.find(f"{{{SAML}}}EncryptedID") is not None:
        raise SamlError("subject", "Encrypted NameIDs in LogoutRequests are not supported.")
    return LogoutRequest(
        id=root.get("ID"), issuer=issuer,
        name_id="".join(name_id.itertext()).strip() if name_id is not None else None,
        name_id_format=name_id.get("Format") if name_id is not None else None,
        session_indexes=[(s.text or "").strip() for s in root.findall(f"{{{SAMLP}}}SessionIndex")],
        destination=root.get("Destination"), issue_instant=parse_instant(root.get("IssueInstant")),
        relay_state=relay, signed=signed)


# --- the IdP as one object -------------------------------------------------------------------

@dataclass
class IdentityProvider:
    entity_id: str
    sso_url: str
    slo_url: str | None
    key_pem: str
    certificate_pem: str

    def metadata(self, *, want_authn_requests_signed: bool = False) -> str:
        return idp_metadata(entity_id=self.entity_id, sso_url=self.sso_url,
                            slo_url=self.slo_url, certificate_pem=self.certificate_pem,
                            want_authn_requests_signed=want_authn_requests_signed)

    def response(self, sp: ServiceProvider, *, name_id: str, attributes: dict, now: float,
                 in_response_to: str | None = None, name_id_format: str | None = None,
                 session_index: str | None = None, acs_url: str | None = None,
                 lifetime: float = 300) -> str:
        """The SAMLResponse for `sp`, signed/encrypted as its registration says."""
        if sp.sign not in SIGN_CHOICES:
            raise ValueError(f"sign must be one of {SIGN_CHOICES}")
        encrypt_for = None
        if sp.encrypt:
            encrypt_for = sp.encryption_certificate
            if not encrypt_for:
                raise SamlError("metadata", "The SP asks for encrypted assertions but its "
                                            "metadata has no encryption certificate.")
        return build_response(
            idp_entity_id=self.entity_id, key_pem=self.key_pem,
            certificate_pem=self.certificate_pem, name_id=name_id,
            name_id_format=name_id_format or NAMEID_PERSISTENT, attributes=attributes,
            audience=sp.entity_id, acs_url=acs_url or sp.acs_url, in_response_to=in_response_to,
            now=now, session_index=session_index or new_id(),
            sign_response=sp.sign in ("response", "both"),
            sign_assertion=sp.sign in ("assertion", "both"),
            encrypt_certificate_pem=encrypt_for, lifetime=lifetime, cipher=sp.cipher)

    def logout_response(self, sp: ServiceProvider, *, in_response_to: str | None,
                        now: float, status: str = STATUS_SUCCESS) -> str:
        return build_logout_response(idp_entity_id=self.entity_id, key_pem=self.key_pem,
                                     certificate_pem=self.certificate_pem,
                                     destination=sp.slo_url or sp.acs_url,
                                     in_response_to=in_response_to, now=now, status=status)

    def logout_request(self, sp: ServiceProvider, *, name_id: str, now: float,
                       name_id_format: str | None = None,
                       session_index: str | None = None) -> str:
        return build_logout_request(idp_entity_id=self.entity_id, key_pem=self.key_pem,
                                    certificate_pem=self.certificate_pem,
                                    destination=sp.slo_url or sp.acs_url, name_id=name_id,
                                    name_id_format=name_id_format or NAMEID_PERSISTENT,
                                    session_index=session_index, now=now)
