"""Parsing untrusted XML: no DTD, no entities, no network, no huge trees.

A SAML message never needs a document type declaration, so any DTD is refused outright
(that covers XXE, parameter entities and entity-expansion bombs) rather than merely not
expanded. Comments are kept: the caller must see them (a comment inside NameID is an attack).
"""
import re

from lxml import etree

from saml.errors import SamlError

_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False,
                           no_network=True, huge_tree=False, remove_comments=False,
                           remove_pis=False, collect_ids=True)


def parse(data: bytes | str):
    """Parse `data` into an lxml root element; SamlError "dtd" or "malformed" on refusal."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise SamlError("malformed", "The XML document is not text.")
    # Checked on the raw bytes as well (UTF-16 input is covered by the tree check below).
    if _DTD_MARKERS.search(data):
        raise SamlError("dtd", "XML with a document type declaration or entities is not accepted.")
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError:
        raise SamlError("malformed", "The XML document is not well-formed.") from None
    except ValueError:
        raise SamlError("malformed", "The XML document is not well-formed.") from None
    if root is None:
        raise SamlError("malformed", "The XML document is empty.")
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise SamlError("dtd", "XML with a document type declaration or entities is not accepted.")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise SamlError("dtd",
                            "XML with a document type declaration or entities is not accepted.")
    return root
