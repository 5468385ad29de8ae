"""SAML 2.0 service-provider library for the emulator (no HTTP, no storage, no emulator imports).

Modules: errors (SamlError), xmlsafe (parse untrusted XML), certificates (key pairs),
metadata (IdP metadata in, SP metadata out), authn_request (SP-initiated HTTP-Redirect),
response (validate the ACS POST), logout (SLO request/response). XML signatures and encryption
go through xmlsec; nothing here implements cryptography itself.
"""
