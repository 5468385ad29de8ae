"""Recorded namespace layouts of the SAML responses five real identity providers send: Microsoft
Entra ID, Okta, Keycloak, AD FS and the Shibboleth IdP. The XML text of each template keeps
the vendor's prefixes and where each namespace is declared (default namespace on the
Assertion, prefixes declared on the Response root, on the EncryptedAssertion, on every element,
different prefixes inside and outside); the values are filled per sign-in (IDs, times at the
emulator's clock, audience, ACS, InResponseTo, NameID, attributes).

A layout is signed by the xmlsec1 program, which fills the vendor-shaped ds:Signature templates
written in the text (so the signature keeps the vendor's prefixes, transforms and
InclusiveNamespaces too), and encrypted by the xmlsec1 program into the vendor-shaped
xenc:EncryptedData template; the EncryptedAssertion around it is the vendor's text. Nothing
here uses the emulator's saml/ code.

    b64 = saml_layouts.response(saml_layouts.OKTA, mode="signed+encrypted", idp=keys,
                                issuer=..., audience=..., acs=..., in_response_to="_id",
                                now=emulator_now, name_id="ada@example.com",
                                attributes={EMAIL: "ada@example.com"},
                                encryption_certificate=pem)

Modes: "signed+encrypted" (what the vendor signs when it encrypts: see Layout.signs_encrypted,
then the assertion encrypted), "response" (only the Response signed, nothing encrypted),
"assertion" (only the Assertion signed, nothing encrypted).

Where each shape comes from (public samples found with the project's code search):
- Entra ID: the SAML protocol page of Microsoft's docs (MicrosoftDocs/azure-docs,
  articles/active-directory/develop/single-sign-on-saml-protocol.md) and the Assertion in
  AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet
  (test/Microsoft.IdentityModel.TestUtils/ReferenceXml.cs): samlp: declared on the Response,
  `<Issuer xmlns="...assertion">`, `<Assertion xmlns="...assertion">` and
  `<Signature xmlns="...xmldsig#">`, all with default namespaces.
- AD FS: AD FS responses quoted in third-party SP test fixtures (one from
  https://adfs.fmi.ch/adfs/services/trust, encrypted) and .NET/WCF samples: the same
  default-namespace Assertion as Entra ID, but `ds:Signature` with a default-namespace
  `<KeyInfo xmlns="...xmldsig#">`, `Consent` on the Response, and an
  `<EncryptedAssertion xmlns="...assertion">` holding `xenc:EncryptedData`, a default-namespace
  KeyInfo and `<e:EncryptedKey xmlns:e="...xmlenc#">` (WCF's prefix) whose own KeyInfo names
  the SP certificate by X509IssuerSerial.
- Okta: Okta assertions quoted in SP libraries' tests (issuer http://www.okta.com/exk...;
  OpenSAML marshalling): saml2p: and xs: on the Response, `saml2:` re-declared on every
  child of the Assertion, `ec:InclusiveNamespaces PrefixList="xs"` in the exc-c14n
  transform, `saml2:Issuer Format="...entity"`, and the OpenSAML EncryptedAssertion below.
- Keycloak: Keycloak responses in SP projects' docs and tests (realms/master, 2019-2025)
  and a signature library's regression note on this very shape: samlp: and saml: on the
  Response root, `<saml:Assertion xmlns="...assertion">` (a default namespace and the root's
  saml: prefix, both for the assertion namespace), `dsig:Signature` declaring dsig itself,
  `saml:EncryptedAssertion` using the root's prefix.
- Shibboleth IdP: an ECP response from idp.testshib.org/idp/shibboleth, a Generalitat de
  Catalunya integration guide and other captures (v3/v4): saml2p: on the Response,
  `saml2:Issuer` declaring saml2 itself, the Assertion declaring saml2, xsd and xsi, and a
  `<saml2:EncryptedAssertion xmlns:saml2=...>` whose xenc:EncryptedData, EncryptionMethod,
  ds:KeyInfo and EncryptedKey each declare their prefix again (xenc:/ds:), AES-GCM content.
"""
from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from lxml import etree

from tests.support.saml_producer import xmlsec1_encrypt, xmlsec1_sign

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
OAEP = XENC + "rsa-oaep-mgf1p"
MODES = ("signed+encrypted", "response", "assertion")
LIFETIME = 300


@dataclass(frozen=True)
class Layout:
    """One vendor's response, as text templates (str.format fields in braces).

    response: the samlp:Response; {response_signature} after its Issuer, {assertion} where
    the (Encrypted)Assertion goes. assertion: the Assertion; {assertion_signature} after its
    Issuer, {attributes} inside its AttributeStatement. attribute: one Attribute ({name},
    {value}). signature: a ds:Signature template for the element whose ID is {ref}.
    encrypted: the EncryptedAssertion around {encrypted_data}; encrypted_data: the
    xenc:EncryptedData template (its content algorithm `session_key` for xmlsec1).
    signs_encrypted: what the vendor signs by default when it encrypts."""
    name: str
    response: str
    assertion: str
    attribute: str
    signature: str
    encrypted: str
    encrypted_data: str
    session_key: str
    signs_encrypted: tuple[str, ...]
    id_prefix: str = "_"


def _signature(ds: str, declare: str, *, key_info: str | None = None,
               inclusive: str | None = None) -> str:
    """A ds:Signature template with prefix `ds` ("" for the default namespace), declared as
    `declare`; key_info replaces the KeyInfo; inclusive adds ec:InclusiveNamespaces."""
    p = f"{ds}:" if ds else ""
    exc = f'<{p}Transform Algorithm="{EXC}"/>' if inclusive is None else (
        f'<{p}Transform Algorithm="{EXC}"><ec:InclusiveNamespaces xmlns:ec="{EXC}" '
        f'PrefixList="{inclusive}"/></{p}Transform>')
    if key_info is None:
        key_info = (f"<{p}KeyInfo><{p}X509Data><{p}X509Certificate/></{p}X509Data>"
                    f"</{p}KeyInfo>")
    return (f'<{p}Signature {declare}><{p}SignedInfo>'
            f'<{p}CanonicalizationMethod Algorithm="{EXC}"/>'
            f'<{p}SignatureMethod Algorithm="{RSA_SHA256}"/>'
            f'<{p}Reference URI="#{{ref}}"><{p}Transforms>'
            f'<{p}Transform Algorithm="{ENVELOPED}"/>{exc}</{p}Transforms>'
            f'<{p}DigestMethod Algorithm="{SHA256}"/><{p}DigestValue/></{p}Reference>'
            f'</{p}SignedInfo><{p}SignatureValue/>{key_info}</{p}Signature>')


_CONFIRMATION = (f'<{{s}}SubjectConfirmation Method="{BEARER}"><{{s}}SubjectConfirmationData'
                 '{in_response_to} NotOnOrAfter="{until}" Recipient="{acs}"/>'
                 '</{s}SubjectConfirmation>')


def _conditions(s: str, declare: str = "") -> str:
    return (f'<{s}Conditions NotBefore="{{not_before}}" NotOnOrAfter="{{until}}"{declare}>'
            f'<{s}AudienceRestriction><{s}Audience>{{audience}}</{s}Audience>'
            f'</{s}AudienceRestriction></{s}Conditions>')


def _authn(s: str, class_ref: str, declare: str = "", inside: str = "") -> str:
    return (f'<{s}AuthnStatement AuthnInstant="{{authn_instant}}" SessionIndex="{{session}}"'
            f'{declare}>{inside}<{s}AuthnContext><{s}AuthnContextClassRef>{class_ref}'
            f'</{s}AuthnContextClassRef></{s}AuthnContext></{s}AuthnStatement>')


# --- Microsoft Entra ID and AD FS: default namespaces ----------------------------------------

_MS_RESPONSE = (
    '<samlp:Response ID="{response_id}" Version="2.0" IssueInstant="{issued}" '
    'Destination="{acs}"{consent}{in_response_to} xmlns:samlp="' + SAMLP + '">'
    '<Issuer xmlns="' + SAML + '">{issuer}</Issuer>{response_signature}'
    '<samlp:Status><samlp:StatusCode Value="' + SUCCESS + '"/></samlp:Status>'
    '{assertion}</samlp:Response>')


def _ms_assertion(class_ref: str) -> str:
    return (
        '<Assertion ID="{assertion_id}" IssueInstant="{issued}" Version="2.0" '
        'xmlns="' + SAML + '"><Issuer>{issuer}</Issuer>{assertion_signature}'
        '<Subject><NameID Format="' + EMAIL_FORMAT + '">{name_id}</NameID>'
        + _CONFIRMATION.replace("{s}", "") + '</Subject>' + _conditions("")
        + '<AttributeStatement>{attributes}</AttributeStatement>'
        + _authn("", class_ref) + '</Assertion>')


# AD FS's encrypted assertion (Entra ID's token encryption is the same .NET stack's).
_MS_ENCRYPTED = '<EncryptedAssertion xmlns="' + SAML + '">{encrypted_data}</EncryptedAssertion>'
_MS_ENCRYPTED_DATA = (
    '<xenc:EncryptedData Type="' + XENC + 'Element" xmlns:xenc="' + XENC + '">'
    '<xenc:EncryptionMethod Algorithm="' + XENC + 'aes256-cbc"/>'
    '<KeyInfo xmlns="' + DS + '"><e:EncryptedKey xmlns:e="' + XENC + '">'
    '<e:EncryptionMethod Algorithm="' + OAEP + '"><DigestMethod Algorithm="' + SHA1 + '"/>'
    '</e:EncryptionMethod><KeyInfo><ds:X509Data xmlns:ds="' + DS + '"><ds:X509IssuerSerial>'
    '<ds:X509IssuerName>{sp_issuer}</ds:X509IssuerName>'
    '<ds:X509SerialNumber>{sp_serial}</ds:X509SerialNumber></ds:X509IssuerSerial>'
    '</ds:X509Data></KeyInfo><e:CipherData><e:CipherValue/></e:CipherData></e:EncryptedKey>'
    '</KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>')

ENTRA_ID = Layout(
    name="entra_id",
    response=_MS_RESPONSE,
    assertion=_ms_assertion("urn:oasis:names:tc:SAML:2.0:ac:classes:Password"),
    attribute='<Attribute Name="{name}"><AttributeValue>{value}</AttributeValue></Attribute>',
    signature=_signature("", f'xmlns="{DS}"'),
    encrypted=_MS_ENCRYPTED, encrypted_data=_MS_ENCRYPTED_DATA, session_key="aes-256",
    signs_encrypted=("assertion",))  # Entra ID's default: "Sign SAML assertion"

ADFS = Layout(
    name="adfs",
    response=_MS_RESPONSE,
    assertion=_ms_assertion("urn:federation:authentication:windows"),
    attribute='<Attribute Name="{name}"><AttributeValue>{value}</AttributeValue></Attribute>',
    signature=_signature("ds", f'xmlns:ds="{DS}"', key_info=(
        f'<KeyInfo xmlns="{DS}"><ds:X509Data><ds:X509Certificate/></ds:X509Data></KeyInfo>')),
    encrypted=_MS_ENCRYPTED, encrypted_data=_MS_ENCRYPTED_DATA, session_key="aes-256",
    signs_encrypted=("assertion",))  # AD FS's default SamlResponseSignature: AssertionOnly

# --- Okta and Shibboleth: OpenSAML -----------------------------------------------------------

_OPENSAML_ENCRYPTED_DATA = (
    '<xenc:EncryptedData Id="{data_id}" Type="' + XENC + 'Element" xmlns:xenc="' + XENC + '">'
    '<xenc:EncryptionMethod Algorithm="{content_algorithm}" xmlns:xenc="' + XENC + '"/>'
    '<ds:KeyInfo xmlns:ds="' + DS + '">'
    '<xenc:EncryptedKey Id="{key_id}" Recipient="{audience}" xmlns:xenc="' + XENC + '">'
    '<xenc:EncryptionMethod Algorithm="' + OAEP + '" xmlns:xenc="' + XENC + '">'
    '<ds:DigestMethod Algorithm="' + SHA1 + '" xmlns:ds="' + DS + '"/></xenc:EncryptionMethod>'
    '<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>'
    '<xenc:CipherData xmlns:xenc="' + XENC + '"><xenc:CipherValue/></xenc:CipherData>'
    '</xenc:EncryptedKey></ds:KeyInfo>'
    '<xenc:CipherData xmlns:xenc="' + XENC + '"><xenc:CipherValue/></xenc:CipherData>'
    '</xenc:EncryptedData>')
_SAML2_ENCRYPTED = ('<saml2:EncryptedAssertion xmlns:saml2="' + SAML + '">{encrypted_data}'
                    '</saml2:EncryptedAssertion>')
_S2 = f' xmlns:saml2="{SAML}"'

OKTA = Layout(
    name="okta",
    response=(
        '<saml2p:Response Destination="{acs}" ID="{response_id}"{in_response_to} '
        'IssueInstant="{issued}" Version="2.0" xmlns:saml2p="' + SAMLP + '" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"' + _S2 + '>'
        '{issuer}</saml2:Issuer>{response_signature}'
        '<saml2p:Status xmlns:saml2p="' + SAMLP + '"><saml2p:StatusCode Value="' + SUCCESS
        + '"/></saml2p:Status>{assertion}</saml2p:Response>'),
    assertion=(
        '<saml2:Assertion ID="{assertion_id}" IssueInstant="{issued}" Version="2.0"' + _S2
        + ' xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"' + _S2 + '>'
        '{issuer}</saml2:Issuer>{assertion_signature}'
        '<saml2:Subject' + _S2 + '><saml2:NameID Format="' + EMAIL_FORMAT + '">{name_id}'
        '</saml2:NameID>' + _CONFIRMATION.replace("{s}", "saml2:") + '</saml2:Subject>'
        + _conditions("saml2:", _S2)
        + _authn("saml2:", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                 _S2)
        + '<saml2:AttributeStatement' + _S2 + '>{attributes}</saml2:AttributeStatement>'
        '</saml2:Assertion>'),
    attribute=(
        '<saml2:Attribute Name="{name}" '
        'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">'
        '<saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="xs:string">{value}</saml2:AttributeValue></saml2:Attribute>'),
    signature=_signature("ds", f'xmlns:ds="{DS}"', inclusive="xs"),
    encrypted=_SAML2_ENCRYPTED,
    encrypted_data=_OPENSAML_ENCRYPTED_DATA.replace("{content_algorithm}", XENC + "aes256-cbc"),
    session_key="aes-256",
    signs_encrypted=("assertion", "response"),  # Okta's defaults: both signed
    id_prefix="id")

SHIBBOLETH = Layout(
    name="shibboleth",
    response=(
        '<saml2p:Response Destination="{acs}" ID="{response_id}"{in_response_to} '
        'IssueInstant="{issued}" Version="2.0" xmlns:saml2p="' + SAMLP + '">'
        '<saml2:Issuer' + _S2 + '>{issuer}</saml2:Issuer>{response_signature}'
        '<saml2p:Status><saml2p:StatusCode Value="' + SUCCESS + '"/></saml2p:Status>'
        '{assertion}</saml2p:Response>'),
    assertion=(
        '<saml2:Assertion ID="{assertion_id}" IssueInstant="{issued}" Version="2.0"' + _S2
        + ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<saml2:Issuer>{issuer}</saml2:Issuer>{assertion_signature}'
        '<saml2:Subject><saml2:NameID Format="' + EMAIL_FORMAT + '" NameQualifier="{issuer}" '
        'SPNameQualifier="{audience}">{name_id}</saml2:NameID>'
        + _CONFIRMATION.replace("{s}", "saml2:").replace(
            "<saml2:SubjectConfirmationData", '<saml2:SubjectConfirmationData Address="127.0.0.1"')
        + '</saml2:Subject>' + _conditions("saml2:")
        + _authn("saml2:", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                 inside='<saml2:SubjectLocality Address="127.0.0.1"/>')
        + '<saml2:AttributeStatement>{attributes}</saml2:AttributeStatement>'
        '</saml2:Assertion>'),
    attribute=(
        '<saml2:Attribute Name="{name}" '
        'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
        '<saml2:AttributeValue xsi:type="xsd:string">{value}</saml2:AttributeValue>'
        '</saml2:Attribute>'),
    signature=_signature("ds", f'xmlns:ds="{DS}"', inclusive="xsd"),
    encrypted=_SAML2_ENCRYPTED,
    encrypted_data=_OPENSAML_ENCRYPTED_DATA.replace(
        "{content_algorithm}", "http://www.w3.org/2009/xmlenc11#aes128-gcm"),
    session_key="aes-128",
    signs_encrypted=("response",))  # the Shibboleth IdP's defaults: sign the Response only

# --- Keycloak --------------------------------------------------------------------------------

KEYCLOAK = Layout(
    name="keycloak",
    response=(
        '<samlp:Response xmlns:samlp="' + SAMLP + '" xmlns:saml="' + SAML + '" '
        'Destination="{acs}" ID="{response_id}"{in_response_to} IssueInstant="{issued}" '
        'Version="2.0"><saml:Issuer>{issuer}</saml:Issuer>{response_signature}'
        '<samlp:Status><samlp:StatusCode Value="' + SUCCESS + '"/></samlp:Status>'
        '{assertion}</samlp:Response>'),
    assertion=(
        '<saml:Assertion xmlns="' + SAML + '" ID="{assertion_id}" IssueInstant="{issued}" '
        'Version="2.0"><saml:Issuer>{issuer}</saml:Issuer>{assertion_signature}'
        '<saml:Subject><saml:NameID Format="' + EMAIL_FORMAT + '">{name_id}</saml:NameID>'
        + _CONFIRMATION.replace("{s}", "saml:") + '</saml:Subject>' + _conditions("saml:")
        + _authn("saml:", "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified")
        + '<saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion>'),
    attribute=(
        '<saml:Attribute Name="{name}" '
        'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">'
        '<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{value}'
        '</saml:AttributeValue></saml:Attribute>'),
    signature=_signature("dsig", f'xmlns:dsig="{DS}"'),
    encrypted='<saml:EncryptedAssertion>{encrypted_data}</saml:EncryptedAssertion>',
    encrypted_data=(
        '<xenc:EncryptedData xmlns:xenc="' + XENC + '" Type="' + XENC + 'Element">'
        '<xenc:EncryptionMethod Algorithm="' + XENC + 'aes128-cbc"/>'
        '<ds:KeyInfo xmlns:ds="' + DS + '"><xenc:EncryptedKey>'
        '<xenc:EncryptionMethod Algorithm="' + OAEP + '"/>'
        '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey>'
        '</ds:KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData>'
        '</xenc:EncryptedData>'),
    session_key="aes-128",
    # Keycloak's client defaults: "Sign documents" on, "Sign assertions" off.
    signs_encrypted=("response",),
    id_prefix="ID_")

LAYOUTS = {layout.name: layout for layout in (ENTRA_ID, OKTA, KEYCLOAK, ADFS, SHIBBOLETH)}


# --- filling, signing, encrypting ------------------------------------------------------------

def _instant(seconds: float) -> str:
    millis = int(round((seconds % 1) * 1000)) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _xpath(where: str) -> str:
    signature = f"*[local-name()='Signature' and namespace-uri()='{DS}']"
    if where == "response":
        return "/*/" + signature
    return f"/*/*[local-name()='Assertion' and namespace-uri()='{SAML}']/" + signature


def signed_parts(layout: Layout, mode: str) -> tuple[str, ...]:
    """Which elements `layout` signs in `mode`."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return layout.signs_encrypted if mode == "signed+encrypted" else (mode,)


def response(layout: Layout, *, mode: str, idp, issuer: str, audience: str, acs: str,
             in_response_to: str | None, now: float, name_id: str, attributes: dict[str, str],
             encryption_certificate: str | None = None) -> str:
    """A SAMLResponse (base64) in `layout`'s shape, made at `now` by the IdP whose key pair
    is `idp`, for the SP `audience` at `acs`; encrypted (mode "signed+encrypted") to the
    PEM `encryption_certificate`."""
    signs = signed_parts(layout, mode)

    def fresh() -> str:
        return layout.id_prefix + uuid.uuid4().hex

    values = {
        "response_id": fresh(), "assertion_id": fresh(), "issued": _instant(now),
        "not_before": _instant(now), "until": _instant(now + LIFETIME),
        "authn_instant": _instant(now - 5), "session": fresh(),
        "issuer": escape(issuer), "audience": escape(audience), "acs": escape(acs),
        "name_id": escape(name_id), "consent": "",
        "in_response_to": "" if in_response_to is None
        else " InResponseTo=" + quoteattr(in_response_to),
    }
    if layout is ADFS:
        values["consent"] = ' Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified"'
    values["attributes"] = "".join(layout.attribute.format(name=escape(n), value=escape(v))
                                   for n, v in attributes.items())

    def sign(part: str, ref: str) -> str:  # the signature template, where `part` is signed
        return layout.signature.format(ref=ref) if part in signs else ""

    assertion = layout.assertion.format(
        **values, assertion_signature=sign("assertion", values["assertion_id"]))

    def whole(inner: str):
        return etree.fromstring(layout.response.format(
            **values, response_signature=sign("response", values["response_id"]),
            assertion=inner).encode("utf-8"))

    root = whole(assertion)
    if "assertion" in signs:
        root = xmlsec1_sign(root, idp, _xpath("assertion"))
    if mode == "signed+encrypted":
        # The signed Assertion as the IdP serializes it (it carries the namespaces it uses),
        # encrypted into the vendor's EncryptedData, inside the vendor's EncryptedAssertion.
        signed = root.find(f"{{{SAML}}}Assertion")
        data = xmlsec1_encrypt(
            _encrypted_data_template(layout, audience, encryption_certificate),
            etree.tostring(signed, with_tail=False), encryption_certificate,
            layout.session_key)
        root = whole(layout.encrypted.format(
            encrypted_data=etree.tostring(data).decode("utf-8")))
    if "response" in signs:
        root = xmlsec1_sign(root, idp, _xpath("response"))
    return base64.b64encode(etree.tostring(root)).decode("ascii")


def _encrypted_data_template(layout: Layout, audience: str, certificate_pem: str) -> bytes:
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    return layout.encrypted_data.format(
        data_id="_" + uuid.uuid4().hex, key_id="_" + uuid.uuid4().hex,
        audience=escape(audience), sp_issuer=escape(certificate.issuer.rfc4514_string()),
        sp_serial=str(certificate.serial_number)).encode("utf-8")
