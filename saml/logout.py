"""SAML single logout, SP side: our signed LogoutRequest (HTTP-Redirect) and the IdP's
LogoutResponse (HTTP-POST)."""
from lxml import etree

from saml.authn_request import SAML, SAMLP, instant, redirect_url
from saml.errors import SamlError
from saml.response import (
    _check_in_response_to,
    check_status,
    decode_message,
    own_signature,
    parse_instant,
    verify_signature,
)

MAX_AGE = 600  # a LogoutResponse is answered within seconds; older ones are replays


def logout_request_url(*, idp_slo_url: str, sp_entity_id: str, name_id: str, name_id_format: str,
                       session_index: str | None, request_id: str, now: float,
                       relay_state: str | None, signing_key_pem: str) -> str:
    """The IdP's SingleLogoutService URL carrying our signed LogoutRequest (rsa-sha256)."""
    request = etree.Element(f"{{{SAMLP}}}LogoutRequest", nsmap={"samlp": SAMLP, "saml": SAML})
    request.set("ID", request_id)
    request.set("Version", "2.0")
    request.set("IssueInstant", instant(now))
    request.set("Destination", idp_slo_url)
    etree.SubElement(request, f"{{{SAML}}}Issuer").text = sp_entity_id
    name = etree.SubElement(request, f"{{{SAML}}}NameID")
    if name_id_format:
        name.set("Format", name_id_format)
    name.text = name_id
    if session_index:
        etree.SubElement(request, f"{{{SAMLP}}}SessionIndex").text = session_index
    return redirect_url(idp_slo_url, "SAMLRequest", etree.tostring(request), relay_state,
                        signing_key_pem)


def read_logout_response(saml_response: str, *, signing_certificates: list[str],
                         idp_entity_id: str, in_response_to: str, now: float) -> None:
    """Validate the IdP's signed LogoutResponse (base64 POST field); SamlError on refusal."""
    root = decode_message(saml_response, "SAML logout response")
    if root.tag != f"{{{SAMLP}}}LogoutResponse" or root.get("Version") != "2.0":
        raise SamlError("malformed", "The message is not a SAML logout response.")
    signature = own_signature(root)
    if signature is None:
        raise SamlError("unsigned", "The SAML logout response is not signed.")
    verify_signature(root, signature, signing_certificates)
    issuer = root.find(f"{{{SAML}}}Issuer")
    if issuer is None or (issuer.text or "").strip() != idp_entity_id:
        raise SamlError("issuer", "The logout response comes from a different identity provider.")
    if in_response_to is None:
        raise SamlError("in_response_to", "No logout request is waiting for an answer.")
    _check_in_response_to(root.get("InResponseTo"), in_response_to)
    issued = parse_instant(root.get("IssueInstant"), "logout response issue")
    if issued > now + 60:
        raise SamlError("not_yet_valid", "The SAML logout response is not valid yet.")
    if now - issued > MAX_AGE:
        raise SamlError("too_old", "The SAML logout response is too old.")
    check_status(root, "sign the user out")
