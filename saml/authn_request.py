"""SP-initiated sign-in: the AuthnRequest sent by the HTTP-Redirect binding."""
import base64
import datetime
import secrets
import zlib
from urllib.parse import quote_plus

import xmlsec
from lxml import etree

from saml.errors import SamlError

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


def new_request_id() -> str:
    """A fresh message ID: "_" + 40 hex chars (an NCName, as xs:ID requires)."""
    return "_" + secrets.token_hex(20)


def instant(now: float) -> str:
    """An xs:dateTime in UTC as SAML writes it."""
    return datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def redirect_url(base_url: str, parameter: str, xml: bytes, relay_state: str | None,
                 signing_key_pem: str | None) -> str:
    """`base_url` with the message deflated + base64 in `parameter` (SAMLRequest/SAMLResponse),
    RelayState, and when a key is given SigAlg + Signature over the query octets (SAML bindings
    3.4.4.1), signed with xmlsec."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    encoded = base64.b64encode(compressor.compress(xml) + compressor.flush()).decode("ascii")
    query = f"{parameter}={quote_plus(encoded)}"
    if relay_state is not None:
        query += f"&RelayState={quote_plus(relay_state)}"
    if signing_key_pem:
        query += f"&SigAlg={quote_plus(RSA_SHA256)}"
        try:
            key = xmlsec.Key.from_memory(signing_key_pem.encode("ascii"),
                                         xmlsec.constants.KeyDataFormatPem)
        except xmlsec.Error:
            raise SamlError("signature", "The SAML signing key cannot be loaded.") from None
        context = xmlsec.SignatureContext()
        context.key = key
        signature = context.sign_binary(query.encode("ascii"), xmlsec.constants.TransformRsaSha256)
        query += f"&Signature={quote_plus(base64.b64encode(signature).decode('ascii'))}"
    return base_url + ("&" if "?" in base_url else "?") + query


def authn_request_xml(*, idp_sso_url: str, sp_entity_id: str, acs_url: str, request_id: str,
                      now: float) -> bytes:
    request = etree.Element(f"{{{SAMLP}}}AuthnRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    request.set("ID", request_id)
    request.set("Version", "2.0")
    request.set("IssueInstant", instant(now))
    request.set("Destination", idp_sso_url)
    request.set("ProtocolBinding", POST)
    request.set("AssertionConsumerServiceURL", acs_url)
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = sp_entity_id
    etree.SubElement(request, f"{{{SAMLP}}}NameIDPolicy", Format=UNSPECIFIED, AllowCreate="true")
    return etree.tostring(request)


def authn_request_url(*, idp_sso_url: str, sp_entity_id: str, acs_url: str, request_id: str,
                      now: float, relay_state: str | None, signing_key_pem: str | None) -> str:
    """The IdP SSO URL carrying our AuthnRequest (HTTP-Redirect), signed rsa-sha256 when a key
    is given."""
    xml = authn_request_xml(idp_sso_url=idp_sso_url, sp_entity_id=sp_entity_id, acs_url=acs_url,
                            request_id=request_id, now=now)
    return redirect_url(idp_sso_url, "SAMLRequest", xml, relay_state, signing_key_pem)
