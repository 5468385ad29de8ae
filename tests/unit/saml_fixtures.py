"""pysaml2 as an independent IdP for the saml/ unit tests, plus helpers to edit its output.

Keys come from saml.certificates.new_key_pair and are written to a temporary directory;
pysaml2 signs (rsa-sha256 / sha256) and encrypts with the xmlsec1 program."""
import base64
import copy
import os
import tempfile
import time

from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from saml.certificates import new_key_pair
from saml.metadata import sp_metadata

IDP_ID = "https://idp.example.org/saml"
SSO_URL = "https://idp.example.org/sso/redirect"
SSO_POST_URL = "https://idp.example.org/sso/post"
SLO_URL = "https://idp.example.org/slo/redirect"
POOL_ID = "us-east-1_SamlTest1"
SP_ID = f"urn:amazon:cognito:sp:{POOL_ID}"
OTHER_SP_ID = "urn:amazon:cognito:sp:us-east-1_OtherPool"  # another pool on the same emulator
ACS_URL = "http://localhost:9229/saml2/idpresponse"
LOGOUT_URL = "http://localhost:9229/saml2/logout"
EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"

NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#",
      "xenc": "http://www.w3.org/2001/04/xmlenc#"}


def write(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class World:
    """Keys for one test module: the IdP's signing key (and a second one for rotation), the
    SP's encryption key, an attacker's key, and a pysaml2 Server per IdP key."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        now = time.time()
        self.idp = new_key_pair("idp.example.org", now - 86400)
        self.idp2 = new_key_pair("idp.example.org rotated", now - 86400)
        self.sp = new_key_pair(SP_ID, now - 86400)
        self.sp_signing = new_key_pair(SP_ID + " signing", now - 86400)
        self.attacker = new_key_pair("idp.example.org", now - 86400)
        self.sp_metadata = sp_metadata(entity_id=SP_ID, acs_url=ACS_URL, logout_url=LOGOUT_URL,
                                       signing_certificate_pem=self.sp_signing.certificate_pem,
                                       encryption_certificate_pem=self.sp.certificate_pem)
        self.other_sp_metadata = sp_metadata(
            entity_id=OTHER_SP_ID, acs_url=ACS_URL, logout_url=LOGOUT_URL,
            signing_certificate_pem=self.sp_signing.certificate_pem,
            encryption_certificate_pem=self.sp.certificate_pem)
        self.sp_cert_file = write(self.tmp.name, "sp.crt", self.sp.certificate_pem)
        self._servers = {}

    def server(self, pair=None) -> Server:
        pair = pair or self.idp
        key = id(pair)
        if key not in self._servers:
            name = f"k{len(self._servers)}"
            key_file = write(self.tmp.name, name + ".key", pair.private_key_pem)
            cert_file = write(self.tmp.name, name + ".crt", pair.certificate_pem)
            config = IdPConfig().load({
                "entityid": IDP_ID,
                "service": {"idp": {
                    "endpoints": {
                        "single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT),
                                                   (SSO_POST_URL, BINDING_HTTP_POST)],
                        "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)]},
                    "policy": {"default": {"lifetime": {"minutes": 5},
                                           "attribute_restrictions": None}},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                }},
                "key_file": key_file, "cert_file": cert_file,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "metadata": {"inline": [self.sp_metadata, self.other_sp_metadata]},
                "delete_tmpfiles": True,
            })
            self._servers[key] = Server(config=config)
        return self._servers[key]

    def response_xml(self, *, in_response_to="_req1", name="alice@example.com",
                     attributes=None, sign_response=True, sign_assertion=False,
                     encrypt=False, pair=None, destination=ACS_URL, audience=SP_ID) -> str:
        """A pysaml2 Response (XML text) to our ACS."""
        server = self.server(pair)
        identity = attributes if attributes is not None else {
            EMAIL_CLAIM: ["alice@example.com"], "groups": ["admins", "staff"]}
        extra = {}
        if encrypt:
            extra = dict(encrypt_assertion=True, encrypt_cert_assertion=self.sp.certificate_pem,
                         # pysaml2 breaks a signed assertion unless not self-contained, and
                         # cannot encrypt an unsigned one unless self-contained.
                         encrypt_assertion_self_contained=not sign_assertion)
        response = server.create_authn_response(
            identity, in_response_to, destination, audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name),
            authn={"class_ref": saml.AUTHN_PASSWORD, "authn_auth": IDP_ID},
            sign_response=sign_response, sign_assertion=sign_assertion,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, **extra)
        return str(response)


def b64(xml) -> str:
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    elif not isinstance(xml, bytes):
        xml = etree.tostring(xml)
    return base64.b64encode(xml).decode("ascii")


def tree(xml: str):
    return etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)


def find(root, path: str):
    return root.find(path, NS)


def encrypt_assertion(xml: str, certificate_pem: str, algorithm: str) -> str:
    """Replace the Response's Assertion by an EncryptedAssertion made with the python xmlsec
    binding (pysaml2 only encrypts with 3DES): RSA-OAEP-MGF1P key transport and `algorithm`
    ("aes128-cbc", "aes256-cbc", "aes128-gcm", "aes256-gcm")."""
    import xmlsec
    transforms = {"aes128-cbc": (xmlsec.constants.TransformAes128Cbc, 128),
                  "aes256-cbc": (xmlsec.constants.TransformAes256Cbc, 256),
                  "aes128-gcm": (xmlsec.constants.TransformAes128Gcm, 128),
                  "aes256-gcm": (xmlsec.constants.TransformAes256Gcm, 256)}
    transform, bits = transforms[algorithm]
    root = tree(xml)
    assertion = find(root, "saml:Assertion")
    wrapper = etree.Element(f"{{{NS['saml']}}}EncryptedAssertion")
    assertion.addprevious(wrapper)
    wrapper.append(assertion)
    data = xmlsec.template.encrypted_data_create(root, transform,
                                                 type=xmlsec.EncryptionType.ELEMENT, ns="xenc")
    xmlsec.template.encrypted_data_ensure_cipher_value(data)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(data, ns="dsig")
    encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.constants.TransformRsaOaep)
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(certificate_pem.encode(), xmlsec.KeyFormat.CERT_PEM))
    context = xmlsec.EncryptionContext(manager)
    context.key = xmlsec.Key.generate(xmlsec.constants.KeyDataAes, bits,
                                      xmlsec.constants.KeyDataTypeSession)
    context.encrypt_xml(data, assertion)
    return etree.tostring(root).decode("utf-8")


def read(world: World, xml, **overrides):
    """read_response with the test SP's settings (SP-initiated, request id "_req1")."""
    from saml.response import read_response
    args = dict(signing_certificates=[world.idp.certificate_pem], idp_entity_id=IDP_ID,
                sp_entity_id=SP_ID, acs_url=ACS_URL, now=time.time(), in_response_to="_req1",
                decryption_key_pem=world.sp.private_key_pem, require_encryption=False)
    args.update(overrides)
    body = xml if isinstance(xml, str) and not xml.lstrip().startswith("<") else b64(xml)
    return read_response(body, **args)


def reason(world: World, xml, **overrides) -> str:
    """The SamlError reason read_response gives (fails the test when it accepts)."""
    from saml.errors import SamlError
    try:
        result = read(world, xml, **overrides)
    except SamlError as error:
        assert error.message and len(error.message) < 120 and "<" not in error.message
        return error.reason
    raise AssertionError(f"accepted: {result}")


def serialize(root) -> str:
    return etree.tostring(root).decode("utf-8")


def deep(element):
    return copy.deepcopy(element)
