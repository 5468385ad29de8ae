"""An independent SAML 2.0 IdP for tests of saml.response: it writes the Response with lxml
(not with saml.idp, the project's own IdP side) and signs it with signxml, or with the xmlsec1
program where the SignedInfo must take a shape signxml will not make (extra or missing
transforms). Every signature is genuine, made with the IdP's private key, so a test can change
exactly one thing about a response and know a refusal comes from that one thing.

Usage: build `response()` (unsigned, valid at NOW), edit the tree, then `sign()` it;
`xmlsec1_verifies()` confirms a signature is cryptographically valid whatever its shape.
`encrypt()` replaces the Assertion by an EncryptedAssertion the xmlsec1 program makes for the
SP's certificate (sign the Assertion before, the Response after)."""
import base64
import copy
import os
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

import signxml
from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS, "xenc": XENC}

IDP_ID = "https://idp.example.net/metadata"
SP_ID = "urn:amazon:cognito:sp:us-east-1_Example"
ACS_URL = "http://localhost:9229/saml2/idpresponse"
REQUEST_ID = "_req-4f0c2a"
RESPONSE_ID = "_resp-9b1e77"
ASSERTION_ID = "_assert-31d5c0"
EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
HOLDER_OF_KEY = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
SENDER_VOUCHES = "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"
ISSUED = 1_700_000_000.0  # the IdP's clock when it wrote the response
LIFETIME = 300  # Conditions and bearer confirmation: valid [ISSUED, ISSUED + LIFETIME)
NOW = ISSUED + 120  # the SP reads it two minutes later: inside every window, skew or not

# Algorithm identifiers (XML Signature 1.0/1.1, RFC 9231).
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA224 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA224 = "http://www.w3.org/2001/04/xmldsig-more#sha224"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
# The XPath filter XML Signature itself suggests for enveloped signatures (before the
# enveloped-signature transform existed): every node except the Signature subtree.
NOT_SIGNATURE = "not(ancestor-or-self::ds:Signature)"  # ds: declared on the Signature


def instant(seconds: float, offset_minutes: int = 0) -> str:
    """xs:dateTime for epoch `seconds`: UTC with "Z", or local time at a "+hh:mm" offset."""
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds + offset_minutes * 60))
    if not offset_minutes:
        return text + "Z"
    sign, minutes = ("+" if offset_minutes > 0 else "-"), abs(offset_minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def find(root, path: str):
    return root.find(path, NS)


def sub(parent, ns: str, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, q(ns, name), attributes)
    element.text = text
    return element


def response(*, in_response_to: str | None = REQUEST_ID) -> etree._Element:
    """An unsigned samlp:Response, valid at NOW for SP_ID at ACS_URL (SAML core 2.0 order:
    Issuer first, where the signature goes, then Status; in the assertion Issuer, Subject,
    Conditions, AuthnStatement, AttributeStatement)."""
    return response_for(issuer=IDP_ID, audience=SP_ID, acs_url=ACS_URL,
                        in_response_to=in_response_to, issued=ISSUED,
                        name_id="alice@example.com",
                        attributes={"email": ["alice@example.com"],
                                    "groups": ["admins", "staff"]},
                        response_id=RESPONSE_ID, assertion_id=ASSERTION_ID)


def response_for(*, issuer: str, audience: str, acs_url: str, in_response_to: str | None,
                 issued: float, name_id: str, attributes: dict[str, list[str]],
                 response_id: str | None = None, assertion_id: str | None = None
                 ) -> etree._Element:
    """response() for one sign-in: this IdP, SP (audience) and ACS, made at `issued` (the
    emulator's clock), valid LIFETIME seconds; fresh IDs unless given."""
    optional = {"InResponseTo": in_response_to} if in_response_to else {}
    root = etree.Element(q(SAMLP, "Response"), nsmap={"samlp": SAMLP, "saml": SAML},
                         ID=response_id or "_" + uuid.uuid4().hex, Version="2.0",
                         IssueInstant=instant(issued), Destination=acs_url, **optional)
    sub(root, SAML, "Issuer", issuer)
    sub(sub(root, SAMLP, "Status"), SAMLP, "StatusCode",
        Value="urn:oasis:names:tc:SAML:2.0:status:Success")
    assertion = etree.SubElement(root, q(SAML, "Assertion"), nsmap={"xs": XS, "xsi": XSI},
                                 ID=assertion_id or "_" + uuid.uuid4().hex, Version="2.0",
                                 IssueInstant=instant(issued))
    sub(assertion, SAML, "Issuer", issuer)
    subject = sub(assertion, SAML, "Subject")
    sub(subject, SAML, "NameID", name_id, Format=EMAIL)
    confirmation = sub(subject, SAML, "SubjectConfirmation", Method=BEARER)
    sub(confirmation, SAML, "SubjectConfirmationData", Recipient=acs_url,
        NotOnOrAfter=instant(issued + LIFETIME), **optional)
    conditions = sub(assertion, SAML, "Conditions", NotBefore=instant(issued),
                     NotOnOrAfter=instant(issued + LIFETIME))
    sub(sub(conditions, SAML, "AudienceRestriction"), SAML, "Audience", audience)
    statement = sub(assertion, SAML, "AuthnStatement", AuthnInstant=instant(issued - 5),
                    SessionIndex="_session-1")
    sub(sub(statement, SAML, "AuthnContext"), SAML, "AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
    statement = sub(assertion, SAML, "AttributeStatement")
    for name, values in attributes.items():
        attribute = sub(statement, SAML, "Attribute", Name=name,
                        NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic")
        for value in values:
            sub(attribute, SAML, "AttributeValue", value, **{q(XSI, "type"): "xs:string"})
    return root


# --- signing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignedInfo:
    """The algorithms a signature's SignedInfo names; the defaults are the accepted shape."""
    signature_method: str = RSA_SHA256
    digest_method: str = SHA256
    c14n_method: str = EXC_C14N
    transforms: tuple[str, ...] = (ENVELOPED, EXC_C14N)
    uri: str | None = None  # the Reference's URI; None: "#" + the signed element's ID


ACCEPTED = SignedInfo()


class _AnySigner(signxml.XMLSigner):
    """signxml refuses to make SHA-1 signatures; an IdP that still does is what we test."""

    def check_deprecated_methods(self):
        pass


def _target(root, where: str):
    if where == "decrypted":  # an Assertion decrypted in place, inside its EncryptedAssertion
        return find(root, "saml:EncryptedAssertion/saml:Assertion")
    return root if where == "response" else find(root, "saml:Assertion")


def _with_signxml(root, where: str, pair, info: SignedInfo):
    transforms = info.transforms
    if len(transforms) != 2 or transforms[0] != ENVELOPED or info.uri is not None:
        raise ValueError("signxml only writes enveloped + one canonicalization transform, "
                         "with a Reference to the element's ID")
    target = _target(root, where)
    # signxml fills a placeholder where it stands: after Issuer, as the SAML schema says.
    target.insert(1, etree.Element(q(DS, "Signature"), Id="placeholder", nsmap={"ds": DS}))
    signer = _AnySigner(method=signxml.SignatureConstructionMethod.enveloped,
                        signature_algorithm=info.signature_method,
                        digest_algorithm=info.digest_method, c14n_algorithm=info.c14n_method)
    reference = signxml.SignatureReference(URI="#" + target.get("ID"),
                                           c14n_method=signxml.CanonicalizationMethod(
                                               transforms[1]))
    if info.signature_method.split("#")[1].startswith("hmac-"):
        # HMAC keyed with the IdP's public certificate: the classic key-confusion forgery,
        # which anyone holding the (public) metadata can make.
        return signer.sign(root, key=pair.certificate_pem.encode("ascii"),
                           reference_uri=[reference])
    return signer.sign(root, key=pair.private_key_pem, cert=pair.certificate_pem,
                       reference_uri=[reference])


def _signature_template(element_id: str | None, info: SignedInfo):
    signature = etree.Element(q(DS, "Signature"), nsmap={"ds": DS})
    signed_info = sub(signature, DS, "SignedInfo")
    sub(signed_info, DS, "CanonicalizationMethod", Algorithm=info.c14n_method)
    sub(signed_info, DS, "SignatureMethod", Algorithm=info.signature_method)
    uri = "#" + element_id if info.uri is None else info.uri
    reference = sub(signed_info, DS, "Reference", URI=uri)
    transforms = sub(reference, DS, "Transforms")
    for algorithm in info.transforms:
        transform = sub(transforms, DS, "Transform", Algorithm=algorithm)
        if algorithm == XPATH:
            sub(transform, DS, "XPath", NOT_SIGNATURE)
    sub(reference, DS, "DigestMethod", Algorithm=info.digest_method)
    sub(reference, DS, "DigestValue")
    sub(signature, DS, "SignatureValue")
    sub(sub(sub(signature, DS, "KeyInfo"), DS, "X509Data"), DS, "X509Certificate")
    return signature


def _signature_xpath(where: str) -> str:
    """The enveloped signature of the Response or of its Assertion, found by place (the
    element may have no ID)."""
    signature = f"*[local-name()='Signature' and namespace-uri()='{DS}']"
    if where == "response":
        return "/*/" + signature
    assertion = f"*[local-name()='Assertion' and namespace-uri()='{SAML}']/"
    if where == "decrypted":
        return f"/*/*[local-name()='EncryptedAssertion' and namespace-uri()='{SAML}']/" \
            + assertion + signature
    return "/*/" + assertion + signature


ID_ATTRIBUTES = ["--id-attr:ID", f"{SAMLP}:Response", "--id-attr:ID", f"{SAML}:Assertion"]


def _xmlsec1(arguments: list[str], xml: bytes, files: dict[str, str]):
    """Run the xmlsec1 program on `xml` with `files` beside it ("@/name" in `arguments`);
    stdout holds the output document when the command writes "@/out.xml"."""
    with tempfile.TemporaryDirectory() as directory:
        for name, text in files.items():
            with open(os.path.join(directory, name), "w") as f:
                f.write(text)
        with open(os.path.join(directory, "in.xml"), "wb") as f:
            f.write(xml)
        arguments = [a.replace("@/", directory + "/") for a in arguments]
        result = subprocess.run(["/usr/bin/xmlsec1", *arguments, *ID_ATTRIBUTES,
                                 os.path.join(directory, "in.xml")],
                                capture_output=True, timeout=30, check=False)
        if os.path.exists(os.path.join(directory, "out.xml")):
            with open(os.path.join(directory, "out.xml"), "rb") as f:
                result.stdout = f.read()
        return result


def _with_xmlsec1(root, where: str, pair, info: SignedInfo):
    target = _target(root, where)
    target.insert(1, _signature_template(target.get("ID"), info))
    return xmlsec1_sign(root, pair, _signature_xpath(where))


def xmlsec1_sign(root, pair, node_xpath: str):
    """The xmlsec1 program fills the ds:Signature template at `node_xpath` (its prefixes and
    algorithms as written) with the IdP's key pair -> the new root."""
    result = _xmlsec1(["--sign", "--privkey-pem", "@/key.pem,@/cert.pem",
                       "--node-xpath", node_xpath, "--output", "@/out.xml"],
                      etree.tostring(root),
                      {"key.pem": pair.private_key_pem, "cert.pem": pair.certificate_pem})
    if result.returncode != 0:
        raise RuntimeError("xmlsec1 --sign failed: " + result.stderr.decode(errors="replace"))
    return etree.fromstring(result.stdout)


def sign(root, pair, where: str, info: SignedInfo = ACCEPTED, *, tool: str = "signxml"):
    """Sign the Response (where="response") or its Assertion (where="assertion") with the
    IdP's key pair, an enveloped signature right after the element's Issuer. Returns the new
    root; `root` itself is left as it was. where="both" signs the assertion,
    then the Response over it, both with `info`."""
    if where == "both":
        return sign(sign(root, pair, "assertion", info, tool=tool), pair, "response", info,
                    tool=tool)
    signer = {"signxml": _with_signxml, "xmlsec1": _with_xmlsec1}[tool]
    return signer(copy.deepcopy(root), where, pair, info)  # the caller's tree stays unsigned


def xmlsec1_verifies(root, pair, where: str) -> bool:
    """Whether the xmlsec1 program, with no algorithm restrictions, finds the signature on the
    Response or Assertion ("decrypted": the Assertion inside its EncryptedAssertion) valid
    under the IdP's certificate (HMAC: keyed with the certificate text). A sanity check that a
    refused signature is refused for its shape, not its maths."""
    signature = find(_target(root, where), "ds:Signature")
    method = find(signature, "ds:SignedInfo/ds:SignatureMethod").get("Algorithm")
    # Only the key given here: with x509 key data disabled, the certificate in KeyInfo is
    # neither used nor chain-checked.
    key = ["--hmackey", "@/cert.pem"] if "#hmac-" in method else \
        ["--pubkey-cert-pem", "@/cert.pem", "--enabled-key-data", "rsa,hmac"]
    result = _xmlsec1(["--verify", *key, "--node-xpath", _signature_xpath(where)],
                      etree.tostring(root), {"cert.pem": pair.certificate_pem})
    return result.returncode == 0


# --- encryption -------------------------------------------------------------------------------

XENC11 = "http://www.w3.org/2009/xmlenc11#"
AES128_CBC = XENC + "aes128-cbc"
AES256_CBC = XENC + "aes256-cbc"
AES128_GCM = XENC11 + "aes128-gcm"
AES256_GCM = XENC11 + "aes256-gcm"
TRIPLEDES_CBC = XENC + "tripledes-cbc"
RSA_OAEP_MGF1P = XENC + "rsa-oaep-mgf1p"
RSA_1_5 = XENC + "rsa-1_5"
# xmlsec1's --session-key for each content algorithm (the key the EncryptedKey carries).
SESSION_KEYS = {AES128_CBC: "aes-128", AES256_CBC: "aes-256", AES128_GCM: "aes-128",
                AES256_GCM: "aes-256", TRIPLEDES_CBC: "des-192"}
DATA_ID, KEY_ID = "_enc-data-1", "_enc-key-1"  # for the EncryptedKey-beside-the-data shapes


def _encrypted_data(plaintext: bytes, pair, *, method: str, transport: str, data_type: str):
    """xenc:EncryptedData of Type `data_type` ("Element" or "Content") holding `plaintext` (XML
    text), made by the xmlsec1 program for `pair`'s certificate (the SP's): a fresh session key
    for `method`, carried in ds:KeyInfo by an xenc:EncryptedKey under `transport`, as SAML core
    6.2 describes."""
    template = etree.Element(q(XENC, "EncryptedData"), nsmap={"xenc": XENC},
                             Type=XENC + data_type)
    sub(template, XENC, "EncryptionMethod", Algorithm=method)
    key = sub(etree.SubElement(template, q(DS, "KeyInfo"), nsmap={"ds": DS}),
              XENC, "EncryptedKey")
    sub(key, XENC, "EncryptionMethod", Algorithm=transport)
    sub(sub(key, XENC, "CipherData"), XENC, "CipherValue")
    sub(sub(template, XENC, "CipherData"), XENC, "CipherValue")
    return xmlsec1_encrypt(etree.tostring(template), plaintext, pair.certificate_pem,
                           SESSION_KEYS[method])


def xmlsec1_encrypt(template: bytes, plaintext: bytes, certificate_pem: str,
                    session_key: str) -> etree._Element:
    """The xmlsec1 program fills the xenc:EncryptedData `template` (XML text, any prefixes:
    they are kept) with `plaintext` under a fresh `session_key` ("aes-128"...), the key
    transported to `certificate_pem`'s public key."""
    result = _xmlsec1(["--encrypt", "--pubkey-cert-pem", "@/cert.pem", "--session-key",
                       session_key, "--binary-data", "@/data.xml", "--output", "@/out.xml"],
                      template,
                      {"cert.pem": certificate_pem, "data.xml": plaintext.decode("utf-8")})
    if result.returncode != 0:
        raise RuntimeError("xmlsec1 --encrypt failed: " + result.stderr.decode(errors="replace"))
    return etree.fromstring(result.stdout)


def _serialized(plaintext) -> bytes:
    """Each element's own serialization: it keeps exactly the namespace declarations it was
    signed with (lxml, moving it into a wrapper, would re-map a prefix declared above)."""
    if isinstance(plaintext, bytes):
        return plaintext
    nodes = plaintext if isinstance(plaintext, list) else [plaintext]
    return b"".join(etree.tostring(node, with_tail=False) for node in nodes)


def encrypted_id(name_id, pair) -> etree._Element:
    """saml:EncryptedID holding `name_id` encrypted to `pair`'s certificate (the SP's) by the
    xmlsec1 program: AES-128-CBC content, RSA-OAEP key transport, as SAML core 6.2 describes."""
    wrapper = etree.Element(q(SAML, "EncryptedID"), nsmap={"saml": SAML})
    wrapper.append(_encrypted_data(_serialized(name_id), pair, method=AES128_CBC,
                                   transport=RSA_OAEP_MGF1P, data_type="Element"))
    return wrapper


def encrypted_assertion(plaintext, pair, *, method: str = AES128_CBC,
                        transport: str = RSA_OAEP_MGF1P, key: str = "inside",
                        data_type: str = "Element"):
    """saml:EncryptedAssertion holding `plaintext` encrypted to `pair`'s certificate: an
    element (normally the Assertion, signed or not), a list of elements, or XML text.

    key: "inside" (the EncryptedKey in the EncryptedData's KeyInfo), "retrieval" (beside the
    EncryptedData, which points to it with ds:RetrievalMethod, as Shibboleth and others do)
    or "beside" (beside it, and the EncryptedData has no KeyInfo at all)."""
    wrapper = etree.Element(q(SAML, "EncryptedAssertion"), nsmap={"saml": SAML})
    data = _encrypted_data(_serialized(plaintext), pair, method=method, transport=transport,
                           data_type=data_type)
    wrapper.append(data)
    if key != "inside":
        key_info = find(data, "ds:KeyInfo")
        encrypted_key = find(key_info, "xenc:EncryptedKey")
        data.set("Id", DATA_ID)
        encrypted_key.set("Id", KEY_ID)
        sub(sub(encrypted_key, XENC, "ReferenceList"), XENC, "DataReference", URI="#" + DATA_ID)
        wrapper.append(encrypted_key)
        if key == "retrieval":
            sub(key_info, DS, "RetrievalMethod", URI="#" + KEY_ID, Type=XENC + "EncryptedKey")
        else:
            data.remove(key_info)
    return wrapper


def encrypt(root, pair, **options):
    """A copy of the Response `root` whose Assertion (as it stands: sign it first, or sign the
    Response after) is replaced by encrypted_assertion(Assertion, pair, **options)."""
    root = copy.deepcopy(root)
    assertion = find(root, "saml:Assertion")
    root.replace(assertion, encrypted_assertion(assertion, pair, **options))
    return root


def own_prefix(root, prefix: str):
    """A copy of the (unsigned) Response whose Assertion declares the SAML namespace itself,
    under `prefix`, and uses it throughout (pysaml2's default `encas0`...), while the Response
    keeps `saml`. Built as text: lxml would re-map the prefix to the Response's `saml`."""
    text = etree.tostring(root).decode("utf-8")
    start, end = text.index("<saml:Assertion "), text.index("</saml:Assertion>")
    inner = text[start:end + len("</saml:Assertion>")]
    inner = inner.replace("<saml:", f"<{prefix}:").replace("</saml:", f"</{prefix}:")
    inner = inner.replace(f"<{prefix}:Assertion ",
                          f'<{prefix}:Assertion xmlns:{prefix}="{SAML}" ', 1)
    return etree.fromstring(text[:start] + inner + text[end + len("</saml:Assertion>"):])


def xmlsec1_decrypts(encrypted, pair) -> bytes:
    """What the xmlsec1 program recovers with `pair`'s key from `encrypted` (an EncryptedID, or
    a Response with an EncryptedAssertion): the document with the plaintext in the
    EncryptedData's place; b"" when it cannot decrypt."""
    result = _xmlsec1(["--decrypt", "--privkey-pem", "@/key.pem"],
                      etree.tostring(encrypted), {"key.pem": pair.private_key_pem})
    return result.stdout if result.returncode == 0 else b""


def b64(root) -> str:
    return base64.b64encode(etree.tostring(root)).decode("ascii")
