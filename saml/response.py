"""Reading the IdP's SAML Response at the ACS (POST binding): the SP's security boundary.

Order of work: size, base64, safe parse, shape (exactly one assertion, a child of the Response),
status, signatures (xmlsec, only the IdP's certificates, strict Reference/transform checks),
decryption (xmlsec), then the assertion's conditions. Every value returned is read from an
element a verified signature covers: the signed Response (whose single child assertion is then
covered too) or the signed Assertion itself. Refusing is the only thing unsigned data can cause.
"""
import base64
import binascii
import contextlib
import datetime
import re
from dataclasses import dataclass, field
from typing import NoReturn

import xmlsec
from lxml import etree

from saml.certificates import pem_from_body
from saml.errors import SamlError
from saml.xmlsafe import parse

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
MAX_CHARS = 200_000  # base64 characters of the SAMLResponse field

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNATURE_ALGORITHMS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
}
DIGEST_ALGORITHMS = {
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
}
SHA1 = {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"}
KEY_TRANSPORT = {XENC + "rsa-oaep-mgf1p", XENC11 + "rsa-oaep"}  # never rsa-1_5 (Bleichenbacher)
DATA_ENCRYPTION = {
    XENC + "aes128-cbc", XENC + "aes192-cbc", XENC + "aes256-cbc",
    XENC11 + "aes128-gcm", XENC11 + "aes192-gcm", XENC11 + "aes256-gcm",
    # pysaml2, the independent test IdP, can only encrypt with 3DES-CBC.
    XENC + "tripledes-cbc",
}


@dataclass
class Assertion:
    id: str
    issuer: str
    name_id: str
    name_id_format: str
    session_index: str | None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    issue_instant: float = 0.0
    in_response_to: str | None = None
    # Earliest NotOnOrAfter of Conditions and the bearer confirmation: a replay cache may forget
    # the assertion id once this (plus skew) has passed.
    not_on_or_after: float | None = None


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _fail(reason: str, message: str) -> NoReturn:
    raise SamlError(reason, message)


_INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                      r"(Z|[+-]\d{2}:\d{2})?$")


def parse_instant(value: str | None, what: str) -> float:
    """xs:dateTime (SAML requires UTC) -> epoch seconds; SamlError "malformed" when unreadable."""
    match = _INSTANT.match((value or "").strip())
    if not match:
        _fail("malformed", f"The {what} time is missing or not a valid date.")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second,
                                   tzinfo=datetime.UTC)
    except ValueError:
        _fail("malformed", f"The {what} time is not a valid date.")
    offset = match.group(8)
    seconds = moment.timestamp() + float(match.group(7) or 0)
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    return seconds


def decode_message(saml_response: str, what: str = "SAML response"):
    """The base64 POST field -> safely parsed root element."""
    if not isinstance(saml_response, str) or not saml_response.strip():
        _fail("malformed", f"The {what} is missing.")
    if len(saml_response) > MAX_CHARS:
        _fail("too_large", f"The {what} is too large.")
    try:
        data = base64.b64decode("".join(saml_response.split()), validate=True)
    except (binascii.Error, ValueError):
        _fail("malformed", f"The {what} is not valid base64.")
    return parse(data)


def check_status(root, action: str = "sign the user in") -> None:
    status = root.find(_q(SAMLP, "Status"))
    code = status.find(_q(SAMLP, "StatusCode")) if status is not None else None
    if code is None:
        _fail("malformed", "The SAML response has no status.")
    value = code.get("Value") or ""
    if value != SUCCESS:
        names = [value] + [c.get("Value") or "" for c in code.findall(_q(SAMLP, "StatusCode"))]
        shown = [n.rsplit(":", 1)[-1] for n in names]
        shown = [s for s in shown if re.fullmatch(r"[A-Za-z]{1,40}", s)]
        detail = f" ({'/'.join(shown)})" if shown else ""
        _fail("status", f"The identity provider did not {action}{detail}.")


# --- signatures ------------------------------------------------------------------------------

def own_signature(element):
    """The ds:Signature that is a direct child of `element` (None when unsigned)."""
    signatures = element.findall(_q(DS, "Signature"))
    if len(signatures) > 1:
        _fail("signature", "The message carries more than one signature on the same element.")
    return signatures[0] if signatures else None


def _id_count(root, value: str) -> int:
    count = 0
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name, attr in node.attrib.items():
            if attr == value and name in ("ID", "Id", "id", _q(XML_NS, "id")):
                count += 1
    return count


def _check_signed_info(element, signature) -> None:
    """Only what SAML profiles allow: one Reference to `element` itself by its (unique) ID,
    the enveloped transform, optionally followed by exc-c14n (SAML core 5.4.4; without it
    the default inclusive c14n applies), SHA-2 digests. Defeats signature wrapping: the
    signature we verify provably covers the very element we read."""
    bad = "The signature does not cover the signed element in the expected way."
    element_id = element.get("ID")
    if not element_id:
        _fail("signature", "The signed element has no ID.")
    signed_info = signature.findall(_q(DS, "SignedInfo"))
    if len(signed_info) != 1:
        _fail("signature", bad)
    signed_info = signed_info[0]
    c14n = signed_info.find(_q(DS, "CanonicalizationMethod"))
    method = signed_info.find(_q(DS, "SignatureMethod"))
    if c14n is None or c14n.get("Algorithm") != EXC_C14N or method is None:
        _fail("signature", bad)
    if method.get("Algorithm") in SHA1:
        _fail("signature", "SHA-1 signatures are not accepted; sign with RSA-SHA256.")
    if method.get("Algorithm") not in SIGNATURE_ALGORITHMS:
        _fail("signature", "The signature algorithm is not supported.")
    references = signed_info.findall(_q(DS, "Reference"))
    if len(references) != 1 or references[0].get("URI") != "#" + element_id:
        _fail("signature", bad)
    reference = references[0]
    transforms = reference.find(_q(DS, "Transforms"))
    algorithms = [t.get("Algorithm") for t in transforms.findall(_q(DS, "Transform"))] \
        if transforms is not None else []
    if ENVELOPED not in algorithms or any(a not in (ENVELOPED, EXC_C14N) for a in algorithms) \
            or len(algorithms) > 2:
        _fail("signature", bad)
    digest = reference.find(_q(DS, "DigestMethod"))
    if digest is None or digest.get("Algorithm") not in DIGEST_ALGORITHMS:
        if digest is not None and digest.get("Algorithm") in SHA1:
            _fail("signature", "SHA-1 signatures are not accepted; sign with RSA-SHA256.")
        _fail("signature", "The digest algorithm is not supported.")
    if _id_count(element.getroottree().getroot(), element_id) != 1:
        _fail("signature", "The signed element's ID is not unique in the message.")


def _restrict_transforms(context) -> None:
    """Belt and braces for _check_signed_info: xmlsec itself runs no other transform."""
    constants = xmlsec.constants
    for transform in (constants.TransformEnveloped, constants.TransformExclC14N,
                      constants.TransformSha256, constants.TransformSha384,
                      constants.TransformSha512):
        context.enable_reference_transform(transform)
    for transform in (constants.TransformExclC14N, constants.TransformRsaSha256,
                      constants.TransformRsaSha384, constants.TransformRsaSha512,
                      constants.TransformEcdsaSha256, constants.TransformEcdsaSha384,
                      constants.TransformEcdsaSha512):
        context.enable_signature_transform(transform)


def verify_signature(element, signature, certificates: list[str]) -> None:
    """Verify `signature` (a direct child of `element`) with xmlsec against any one of
    `certificates` (PEM). A key or certificate inside the message is never used."""
    _check_signed_info(element, signature)
    if not certificates:
        _fail("signature", "No signing certificate is configured for the identity provider.")
    for pem in certificates:
        if "-----BEGIN" not in pem:
            pem = pem_from_body(pem)
        try:
            key = xmlsec.Key.from_memory(pem.encode("ascii"),
                                         xmlsec.constants.KeyDataFormatCertPem)
        except (xmlsec.Error, UnicodeEncodeError):
            continue
        context = xmlsec.SignatureContext()
        context.register_id(element, "ID")
        _restrict_transforms(context)
        context.key = key  # fixed key: KeyInfo in the message is not consulted
        try:
            context.verify(signature)
            return
        except xmlsec.Error:
            continue
    _fail("signature",
          "The signature is not valid for any of the identity provider's certificates.")


# --- decryption ------------------------------------------------------------------------------

UNDECRYPTABLE = "The encrypted assertion cannot be decrypted with this provider's key."


@contextlib.contextmanager
def _one_answer():
    """Every refusal of what decryption produced gets the same message (the reason stays,
    for logs and tests). Distinct answers would make the SP a decryption oracle (Jager and
    Somorovsky, "How To Break XML Encryption", 2011) for anyone who alters the ciphertext
    of a response whose Response element is unsigned."""
    try:
        yield
    except SamlError as error:
        raise SamlError(error.reason, UNDECRYPTABLE) from None


def decrypt_assertion(encrypted, key_pem: str):
    """Decrypt the EncryptedAssertion `encrypted` with xmlsec, in place: the Assertion takes
    the EncryptedData's place inside `encrypted` and is returned there, never moved. Prefixes
    declared on the Response still resolve (pysaml2 and others encrypt assertions whose
    namespace declarations live on the Response), and an assertion that declares its own
    (pysaml2's default `encas0`...) keeps them exactly as signed: moving it with lxml would
    re-map them, and exclusive c14n, which is prefix-sensitive, would no longer match."""
    data = encrypted.findall(_q(XENC, "EncryptedData"))
    if len(data) != 1:
        _fail("decryption", UNDECRYPTABLE)
    data = data[0]
    method = data.find(_q(XENC, "EncryptionMethod"))
    if method is None or method.get("Algorithm") not in DATA_ENCRYPTION:
        _fail("decryption", "The assertion's encryption algorithm is not supported.")
    key_info = data.find(_q(DS, "KeyInfo"))
    if key_info is None:
        key_info = etree.Element(_q(DS, "KeyInfo"))
        data.insert(1, key_info)
    keys = key_info.findall(_q(XENC, "EncryptedKey"))
    if not keys:
        # EncryptedKey beside EncryptedData (RetrievalMethod style): move it where xmlsec looks.
        outside = encrypted.findall(_q(XENC, "EncryptedKey"))
        for retrieval in key_info.findall(_q(DS, "RetrievalMethod")):
            key_info.remove(retrieval)
        if outside:
            key_info.append(outside[0])
        keys = key_info.findall(_q(XENC, "EncryptedKey"))
    if len(keys) != 1:
        _fail("decryption", UNDECRYPTABLE)
    transport = keys[0].find(_q(XENC, "EncryptionMethod"))
    if transport is None or transport.get("Algorithm") not in KEY_TRANSPORT:
        _fail("decryption", "The key transport algorithm is not supported (use RSA-OAEP).")
    try:
        manager = xmlsec.KeysManager()
        manager.add_key(xmlsec.Key.from_memory(key_pem.encode("ascii"),
                                               xmlsec.constants.KeyDataFormatPem))
    except (xmlsec.Error, UnicodeEncodeError):
        _fail("decryption", "The provider's decryption key cannot be loaded.")
    with _one_answer():  # from here on, the outcome depends on the ciphertext
        try:
            result = xmlsec.EncryptionContext(manager).decrypt(data)
        except xmlsec.Error:
            _fail("decryption", UNDECRYPTABLE)
        if not isinstance(result, etree._Element) or result.tag != _q(SAML, "Assertion"):
            _fail("decryption", "The encrypted data is not a single assertion.")
        for node in result.iter():
            if isinstance(node, (etree._Entity, etree._ProcessingInstruction)):
                _fail("dtd", "The decrypted assertion holds entities or processing "
                             "instructions.")
        if result.getparent() is not encrypted or len(encrypted) != 1 + len(
                encrypted.findall(_q(XENC, "EncryptedKey"))):
            _fail("decryption", "The encrypted data is not a single assertion.")
    return result


# --- the response ----------------------------------------------------------------------------

def _text(element) -> str:
    """Full string value: comments never cut a value short."""
    return str(element.xpath("string()"))  # plain str: lxml's own str type can't be stored


def _check_utf8(value: str, what: str) -> None:
    if any(ord(ch) > 0xFFFF for ch in value):
        _fail("malformed", f"{what} must not contain 4-byte UTF-8 characters.")


def _single_assertion(root, encrypted=None):
    """Exactly one (Encrypted)Assertion anywhere in the document, and it is a child of the
    Response: every wrapping variant needs a second copy somewhere. After decryption
    (`encrypted` given) the one Assertion is the one inside that EncryptedAssertion."""
    found = list(root.iter(_q(SAML, "Assertion"), _q(SAML, "EncryptedAssertion")))
    if encrypted is not None:
        found = [f for f in found if f is not encrypted]
    if len(found) != 1:
        _fail("malformed", "The SAML response must contain exactly one assertion.")
    if found[0].getparent() is not (root if encrypted is None else encrypted):
        _fail("malformed", "The assertion is not where the SAML response schema puts it.")
    return found[0]


def _subject(assertion, *, acs_url, now, skew, in_response_to):
    subject = assertion.find(_q(SAML, "Subject"))
    if subject is None:
        _fail("subject", "The assertion has no subject.")
    if subject.find(_q(SAML, "EncryptedID")) is not None:
        _fail("subject", "Encrypted NameIDs are not supported.")
    name_id = subject.find(_q(SAML, "NameID"))
    if name_id is None:
        _fail("subject", "The assertion has no NameID.")
    if len(name_id):
        # Comments (or anything else) inside NameID: a truncation attack on naive readers.
        _fail("subject", "The NameID must be plain text.")
    value = (name_id.text or "").strip()
    if not value:
        _fail("subject", "The NameID is empty.")
    _check_utf8(value, "The NameID")
    confirmations = [c for c in subject.findall(_q(SAML, "SubjectConfirmation"))
                     if c.get("Method") == BEARER]
    if not confirmations:
        _fail("subject", "The assertion has no bearer subject confirmation.")
    first_error = None
    for confirmation in confirmations:
        try:
            until = _confirmation(confirmation, acs_url=acs_url, now=now, skew=skew,
                                  in_response_to=in_response_to)
            return value, name_id.get("Format") or UNSPECIFIED, until
        except SamlError as error:
            first_error = first_error or error
    raise first_error


def _confirmation(confirmation, *, acs_url, now, skew, in_response_to) -> float:
    data = confirmation.find(_q(SAML, "SubjectConfirmationData"))
    if data is None:
        _fail("subject", "The subject confirmation has no data.")
    if data.get("Recipient") != acs_url:
        _fail("recipient", "The assertion is meant for a different recipient.")
    until = parse_instant(data.get("NotOnOrAfter"), "subject confirmation expiry")
    if now - skew >= until:
        _fail("expired", "The SAML assertion has expired.")
    if (data.get("NotBefore") is not None
            and now + skew < parse_instant(data.get("NotBefore"), "subject confirmation start")):
        _fail("not_yet_valid", "The SAML assertion is not valid yet.")
    _check_in_response_to(data.get("InResponseTo"), in_response_to)
    return until


def _check_in_response_to(actual: str | None, expected: str | None) -> None:
    if expected is None:
        if actual is not None:
            _fail("unsolicited", "The response answers a request, but none was sent for it.")
    elif actual != expected:
        _fail("in_response_to", "The response does not answer the sign-in request.")


def _conditions(assertion, *, sp_entity_id, now, skew) -> float | None:
    conditions = assertion.findall(_q(SAML, "Conditions"))
    if len(conditions) != 1:
        _fail("audience", "The assertion has no audience restriction.")
    conditions = conditions[0]
    if conditions.get("NotBefore") is not None and \
            now + skew < parse_instant(conditions.get("NotBefore"), "assertion start"):
        _fail("not_yet_valid", "The SAML assertion is not valid yet.")
    until = None
    if conditions.get("NotOnOrAfter") is not None:
        until = parse_instant(conditions.get("NotOnOrAfter"), "assertion expiry")
        if now - skew >= until:
            _fail("expired", "The SAML assertion has expired.")
    restrictions = conditions.findall(_q(SAML, "AudienceRestriction"))
    if not restrictions:
        _fail("audience", "The assertion has no audience restriction.")
    for restriction in restrictions:  # each restriction must be satisfied (SAML core 2.5.1.4)
        audiences = [(a.text or "").strip() for a in restriction.findall(_q(SAML, "Audience"))]
        if sp_entity_id not in audiences:
            _fail("audience", "The assertion is meant for a different audience.")
    return until


def _attributes(assertion) -> dict[str, list[str]]:
    attributes: dict[str, list[str]] = {}
    for statement in assertion.findall(_q(SAML, "AttributeStatement")):
        for attribute in statement.findall(_q(SAML, "Attribute")):
            name = attribute.get("Name")
            if not name:
                continue
            values = [_text(v) for v in attribute.findall(_q(SAML, "AttributeValue"))]
            for value in values:
                _check_utf8(value, "Attribute values")
            attributes.setdefault(name, []).extend(values)
    return attributes


def read_response(saml_response: str, *, signing_certificates: list[str], idp_entity_id: str,
                  sp_entity_id: str, acs_url: str, now: float, in_response_to: str | None,
                  decryption_key_pem: str | None, require_encryption: bool,
                  max_age: float | None = None, skew: float = 60) -> Assertion:
    """Validate a base64 SAMLResponse and return its assertion; SamlError on any refusal.

    in_response_to: the AuthnRequest id for SP-initiated sign-in; None for IdP-initiated (then
    InResponseTo must be absent). max_age: seconds an assertion may have existed (IdP-initiated).
    """
    root = decode_message(saml_response)
    if root.tag != _q(SAMLP, "Response"):
        _fail("malformed", "The message is not a SAML response.")
    if root.get("Version") != "2.0":
        _fail("malformed", "The SAML response is not version 2.0.")
    check_status(root)
    element = _single_assertion(root)
    encrypted = element.tag == _q(SAML, "EncryptedAssertion")
    if not encrypted and require_encryption:
        _fail("encryption_required", "This identity provider must encrypt its assertions.")

    response_signature = own_signature(root)
    if response_signature is not None:
        verify_signature(root, response_signature, signing_certificates)
    if encrypted:
        if not decryption_key_pem:
            _fail("decryption", "The assertion is encrypted but no decryption key is configured.")
        assertion = decrypt_assertion(element, decryption_key_pem)
    else:
        assertion = element
    with _one_answer() if encrypted else contextlib.nullcontext():
        if encrypted:
            # The plaintext must not smuggle in a second assertion; the signature below is
            # verified on the Assertion where it was decrypted, as the IdP signed it.
            _single_assertion(root, element)
        assertion_signature = own_signature(assertion)
        if assertion_signature is not None:
            verify_signature(assertion, assertion_signature, signing_certificates)
        elif response_signature is None:
            _fail("unsigned", "The SAML response is not signed.")

    # Response-level checks (covered by the signature when the Response is signed; otherwise
    # they can only add refusals).
    response_issuer = root.find(_q(SAML, "Issuer"))
    if response_issuer is not None and (response_issuer.text or "").strip() != idp_entity_id:
        _fail("issuer", "The response comes from a different identity provider.")
    destination = root.get("Destination")
    if destination is not None and destination != acs_url:
        _fail("destination", "The response is addressed to a different destination.")
    _check_in_response_to(root.get("InResponseTo"), in_response_to)

    # Everything below is read from the verified assertion only.
    if assertion.get("Version") != "2.0" or not assertion.get("ID"):
        _fail("malformed", "The assertion is not a SAML 2.0 assertion.")
    issuer = assertion.find(_q(SAML, "Issuer"))
    if issuer is None or (issuer.text or "").strip() != idp_entity_id:
        _fail("issuer", "The assertion comes from a different identity provider.")
    issued = parse_instant(assertion.get("IssueInstant"), "assertion issue")
    if issued > now + skew:
        _fail("not_yet_valid", "The SAML assertion is not valid yet.")
    if max_age is not None and now - issued > max_age:
        _fail("too_old", "The SAML assertion is too old.")
    conditions_until = _conditions(assertion, sp_entity_id=sp_entity_id, now=now, skew=skew)
    name_id, name_id_format, confirmation_until = _subject(
        assertion, acs_url=acs_url, now=now, skew=skew, in_response_to=in_response_to)
    statement = assertion.find(_q(SAML, "AuthnStatement"))
    session_index = statement.get("SessionIndex") if statement is not None else None
    untils = [t for t in (conditions_until, confirmation_until) if t is not None]
    return Assertion(id=assertion.get("ID"), issuer=idp_entity_id, name_id=name_id,
                     name_id_format=name_id_format, session_index=session_index,
                     attributes=_attributes(assertion), issue_instant=issued,
                     in_response_to=in_response_to,  # checked equal on Response and confirmation
                     not_on_or_after=min(untils) if untils else None)
