"""Identity providers through boto3: Create/Describe/Update/Delete/ListIdentityProviders,
GetIdentityProviderByIdentifier, GetSigningCertificate, SAML metadata from a file or a URL
(served here by a small http.server), the IdP-initiated app-client rule, and the pool's SP
metadata document (checked with pysaml2)."""
import base64
import concurrent.futures
import http.server
import socket
import threading
import time
import uuid

import boto3
import httpx
import pytest
from botocore.config import Config
from cryptography import x509

from saml.certificates import new_key_pair
from saml.idp import idp_metadata
from tests.support.factories import error

SSO = "https://idp.example.com/sso"
SLO = "https://idp.example.com/slo"
ENTITY = "https://idp.example.com/entity"


@pytest.fixture(scope="module")
def idp_key():
    return new_key_pair("test-idp", time.time())


def metadata_xml(key, *, sso=SSO, slo=SLO, entity=ENTITY) -> str:
    return idp_metadata(entity_id=entity, sso_url=sso, certificate_pem=key.certificate_pem,
                        slo_url=slo)


def saml(cognito, pool_id, name, key, *, identifiers=None, mapping=None, **details):
    if "MetadataURL" not in details:
        details.setdefault("MetadataFile", metadata_xml(key))
    extra = {}
    if identifiers is not None:
        extra["IdpIdentifiers"] = identifiers
    if mapping is not None:
        extra["AttributeMapping"] = mapping
    return cognito.create_identity_provider(UserPoolId=pool_id, ProviderName=name,
                                            ProviderType="SAML", ProviderDetails=details,
                                            **extra)["IdentityProvider"]


def cert_of(body: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(body))


# --- a metadata web server for MetadataURL ------------------------------------------------------

class MetadataSite:
    """http://127.0.0.1:<port>/...: /metadata serves `document`; /held/<key> (see hold())
    answers only once the test lets it; /huge and /huge-stream are 2.5 MiB (with and without
    Content-Length); /missing is 404; /moved redirects to /metadata, /to-file to a file: URL."""

    def __init__(self):
        site = self
        self.document = b""
        self.hits = 0
        self.held: dict[str, tuple[threading.Event, threading.Event]] = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/metadata":
                    site.hits += 1
                    self._send(200, site.document)
                elif self.path in site.held:
                    arrived, release = site.held[self.path]
                    arrived.set()
                    release.wait(60)  # until the test lets go (a bound, so no thread leaks)
                    self._send(200, site.document)
                elif self.path == "/huge":
                    self._send(200, b"<x>" + b"a" * (5 * 512 * 1024) + b"</x>")
                elif self.path == "/huge-stream":  # no Content-Length: read until closed
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(40):
                            self.wfile.write(b"a" * 65536)
                    except OSError:
                        pass
                elif self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/metadata")
                    self.end_headers()
                elif self.path == "/to-file":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                else:
                    self._send(404, b"not found")

            def _send(self, status, body):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the emulator gave up on us
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> tuple[str, threading.Event, threading.Event]:
        """A fresh URL that answers only when `release` is set; `arrived` is set as soon as
        a request for it comes in. -> (url, arrived, release)"""
        path = f"/held/{uuid.uuid4().hex}"
        arrived, release = threading.Event(), threading.Event()
        self.held[path] = (arrived, release)
        return self.base + path, arrived, release

    def close(self):
        for _, release in self.held.values():
            release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site():
    running = MetadataSite()
    yield running
    running.close()


# --- create / describe ------------------------------------------------------------------------

def test_create_saml_from_file_and_describe(cognito, pool_id, idp_key):
    before = time.time()
    created = saml(cognito, pool_id, "Corp", idp_key, IDPInit="True", IDPSignout="false",
                   EncryptedResponses="true", RequestSigningAlgorithm="rsa-sha256",
                   identifiers=["corp.example.com", "corp"],
                   mapping={"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
                                     "emailaddress"})
    assert created["UserPoolId"] == pool_id
    assert created["ProviderName"] == "Corp" and created["ProviderType"] == "SAML"
    details = created["ProviderDetails"]
    assert details["IDPInit"] == "true" and details["IDPSignout"] == "false"
    assert details["EncryptedResponses"] == "true"
    assert details["RequestSigningAlgorithm"] == "rsa-sha256"
    assert details["SSORedirectBindingURI"] == SSO
    assert details["SLORedirectBindingURI"] == SLO
    assert details["MetadataFile"].startswith("<?xml")
    assert "MetadataURL" not in details
    encryption = cert_of(details["ActiveEncryptionCertificate"])
    assert encryption.not_valid_after_utc.timestamp() > time.time() + 9 * 365 * 86400
    assert created["IdpIdentifiers"] == ["corp.example.com", "corp"]
    assert created["AttributeMapping"]["email"].endswith("emailaddress")
    assert created["CreationDate"] == created["LastModifiedDate"]
    assert created["CreationDate"].timestamp() >= before - 5

    described = cognito.describe_identity_provider(UserPoolId=pool_id,
                                                   ProviderName="Corp")["IdentityProvider"]
    assert described == created


def test_each_provider_gets_its_own_encryption_certificate(cognito, pool_id, idp_key):
    one = saml(cognito, pool_id, "One", idp_key)["ProviderDetails"]
    two = saml(cognito, pool_id, "Two", idp_key)["ProviderDetails"]
    assert one["ActiveEncryptionCertificate"] != two["ActiveEncryptionCertificate"]
    # Metadata without a SingleLogoutService: no SLORedirectBindingURI.
    three = saml(cognito, pool_id, "Three", idp_key,
                 MetadataFile=metadata_xml(idp_key, slo=None))["ProviderDetails"]
    assert "SLORedirectBindingURI" not in three


def test_unknown_pool_and_provider(cognito, pool_id, idp_key):
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as exc:
        cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Nope")
    assert error(exc) == ("ResourceNotFoundException",
                          f"Identity provider Nope does not exist in user pool {pool_id}.")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as exc:
        saml(cognito, "us-east-1_missing0", "Corp", idp_key)
    assert error(exc) == ("ResourceNotFoundException",
                          "User pool us-east-1_missing0 does not exist.")
    for call in (cognito.delete_identity_provider, cognito.update_identity_provider):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call(UserPoolId=pool_id, ProviderName="Nope")


def test_duplicate_and_reserved_names(cognito, pool_id, idp_key):
    saml(cognito, pool_id, "Corp", idp_key)
    with pytest.raises(cognito.exceptions.DuplicateProviderException) as exc:
        saml(cognito, pool_id, "Corp", idp_key)
    assert error(exc) == ("DuplicateProviderException",
                          f"Corp already exists in user pool {pool_id}")
    for name in ("Cognito", "COGNITO", "cognito"):
        with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
            saml(cognito, pool_id, name, idp_key)
        assert error(exc)[1] == f"The provider name {name} is reserved."
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Google", idp_key)
    assert error(exc)[1] == "The provider name Google is reserved for provider type Google."
    # The model's pattern: no leading underscore.
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        saml(cognito, pool_id, "_Corp", idp_key)


# --- SAML ProviderDetails validation ------------------------------------------------------------

@pytest.mark.parametrize("details, message", [
    ({"IDPInit": "true"},
     "At least one of the MetadataURL or MetadataFile should be provided."),
    ({"MetadataFile": "x", "MetadataURL": "https://idp.example.com/md"},
     "Specify either MetadataFile or MetadataURL, not both."),
    ({"IDPInit": "yes"}, "IDPInit must be true or false."),
    ({"EncryptedResponses": "1"}, "EncryptedResponses must be true or false."),
    ({"RequestSigningAlgorithm": "rsa-sha1"},
     "Unsupported RequestSigningAlgorithm rsa-sha1: only rsa-sha256 is supported."),
    ({"Colour": "blue"}, "Colour is not a valid ProviderDetails key for provider type SAML."),
])
def test_saml_details_are_checked(cognito, pool_id, idp_key, details, message):
    if "MetadataURL" not in details and details != {"IDPInit": "true"}:
        details = {"MetadataFile": metadata_xml(idp_key), **details}
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        cognito.create_identity_provider(UserPoolId=pool_id, ProviderName="Corp",
                                         ProviderType="SAML", ProviderDetails=details)
    assert error(exc) == ("InvalidParameterException", message)
    assert cognito.list_identity_providers(UserPoolId=pool_id)["Providers"] == []


def test_invalid_metadata_is_refused(cognito, pool_id, idp_key):
    expired = new_key_pair("old-idp", time.time() - 3 * 86400, days=1)
    no_sso_redirect = metadata_xml(idp_key).replace("HTTP-Redirect\" Location=\"" + SSO,
                                                    "HTTP-Artifact\" Location=\"" + SSO)
    assert no_sso_redirect != metadata_xml(idp_key)
    cases = {
        "<not xml": "Invalid SAML metadata: The metadata is not well-formed XML.",
        '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>':
            "Invalid SAML metadata: Metadata with a document type declaration or entities "
            "is not accepted.",
        "<x/>": "Invalid SAML metadata: The metadata is not a SAML EntityDescriptor.",
        metadata_xml(expired):
            "Invalid SAML metadata: A signing certificate in the metadata has expired.",
    }
    for document, message in cases.items():
        with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
            saml(cognito, pool_id, "Corp", idp_key, MetadataFile=document)
        assert error(exc) == ("InvalidParameterException", message)
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Corp", idp_key, MetadataFile=no_sso_redirect)
    assert error(exc)[1] == "No SingleSignOn Http redirect binding location found in metadata."
    assert cognito.list_identity_providers(UserPoolId=pool_id)["Providers"] == []


# --- MetadataURL ------------------------------------------------------------------------------

def test_metadata_url_is_downloaded_and_refreshed_on_update(cognito, pool_id, idp_key, site):
    site.document = metadata_xml(idp_key).encode()
    url = f"{site.base}/metadata"
    created = saml(cognito, pool_id, "Corp", idp_key, MetadataURL=url)
    details = created["ProviderDetails"]
    assert details["MetadataURL"] == url and "MetadataFile" not in details
    assert details["SSORedirectBindingURI"] == SSO

    # Redirects between http(s) URLs are followed.
    moved = saml(cognito, pool_id, "Moved", idp_key, MetadataURL=f"{site.base}/moved")
    assert moved["ProviderDetails"]["MetadataURL"] == f"{site.base}/moved"
    assert moved["ProviderDetails"]["SSORedirectBindingURI"] == SSO

    # The IdP moves: an update naming the URL downloads it again.
    site.document = metadata_xml(idp_key, sso="https://idp2.example.com/sso").encode()
    hits = site.hits
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp",
        ProviderDetails={"MetadataURL": url})["IdentityProvider"]
    assert site.hits == hits + 1
    assert updated["ProviderDetails"]["SSORedirectBindingURI"] == "https://idp2.example.com/sso"
    # An update of a flag only keeps the metadata and does not download.
    flagged = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp",
        ProviderDetails={"IDPSignout": "true"})["IdentityProvider"]
    assert site.hits == hits + 1
    assert flagged["ProviderDetails"]["SSORedirectBindingURI"] == "https://idp2.example.com/sso"
    assert flagged["ProviderDetails"]["MetadataURL"] == url
    # Switching to a file drops the URL.
    switched = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp",
        ProviderDetails={"MetadataFile": metadata_xml(idp_key)})["IdentityProvider"]
    assert "MetadataURL" not in switched["ProviderDetails"]
    assert switched["ProviderDetails"]["SSORedirectBindingURI"] == SSO


@pytest.mark.parametrize("path", ["/missing", "/huge", "/huge-stream", "/to-file"])
def test_metadata_url_failures(cognito, pool_id, idp_key, site, path):
    url = f"{site.base}{path}"
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Corp", idp_key, MetadataURL=url)
    assert error(exc) == ("InvalidParameterException", f"Error retrieving metadata from {url}")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/metadata", "file:///etc/passwd",
                                 "not a url", "http://127.0.0.1:1/metadata"])
def test_metadata_url_must_be_reachable_http(cognito, pool_id, idp_key, url):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Corp", idp_key, MetadataURL=url)
    assert error(exc) == ("InvalidParameterException", f"Error retrieving metadata from {url}")


def test_metadata_url_with_invalid_document(cognito, pool_id, idp_key, site):
    site.document = b"<html>login page</html>"
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Corp", idp_key, MetadataURL=f"{site.base}/metadata")
    assert error(exc)[1].startswith("Invalid SAML metadata: ")


def test_slow_metadata_url_times_out_without_blocking_others(cognito, endpoint, pool_id,
                                                             idp_key, site):
    # The site holds this URL's answer until the test releases it (after the call ended),
    # so the emulator can only come back by giving up on the fetch.
    url, arrived, release = site.hold()
    other = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing",
                         config=Config(retries={"max_attempts": 1}, read_timeout=30))
    site.document = metadata_xml(idp_key).encode()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(1) as background:
        try:
            slow = background.submit(saml, other, pool_id, "Slow", idp_key, MetadataURL=url)
            assert arrived.wait(30), "the emulator never fetched the MetadataURL"
            # The fetch is under way: meanwhile the server answers others, including writes
            # to the same pool, and they are done while the slow Create is still pending
            # (a server that handled one call at a time would answer them only after it).
            # Not a clock check, but the slow call ends by itself when the emulator's 5 s
            # fetch budget runs out, so these two calls must fit in that window.
            cognito.describe_user_pool(UserPoolId=pool_id)
            saml(cognito, pool_id, "Fast", idp_key)
            assert not slow.done()
            with pytest.raises(other.exceptions.InvalidParameterException) as exc:
                slow.result(timeout=60)  # only a guard against a hang
            took = time.monotonic() - started
            assert not release.is_set()  # it gave up: the site had not answered
        finally:
            release.set()
    assert error(exc) == ("InvalidParameterException", f"Error retrieving metadata from {url}")
    assert took >= 4.5  # the documented fetch budget (5 s) was used up, not cut short
    names = [p["ProviderName"] for p in cognito.list_identity_providers(UserPoolId=pool_id)
             ["Providers"]]
    assert names == ["Fast"]


# --- update / delete ---------------------------------------------------------------------------

def test_update_keeps_what_is_left_out(cognito, pool_id, idp_key, clock):
    clock.pin(1_800_000_000)
    created = saml(cognito, pool_id, "Corp", idp_key, IDPInit="false",
                   identifiers=["corp"], mapping={"email": "mail"})
    clock.advance(60)
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp",
        ProviderDetails={"EncryptedResponses": "true", "ActiveEncryptionCertificate": "ignored"},
        AttributeMapping={"name": "displayName"})["IdentityProvider"]
    assert updated["CreationDate"] == created["CreationDate"]
    assert (updated["LastModifiedDate"] - created["LastModifiedDate"]).total_seconds() == 60
    details = updated["ProviderDetails"]
    assert details["EncryptedResponses"] == "true" and details["IDPInit"] == "false"
    assert details["ActiveEncryptionCertificate"] == \
        created["ProviderDetails"]["ActiveEncryptionCertificate"]
    assert details["MetadataFile"] == created["ProviderDetails"]["MetadataFile"]
    assert updated["AttributeMapping"] == {"name": "displayName"}
    assert updated["IdpIdentifiers"] == ["corp"]
    only_identifiers = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=[])["IdentityProvider"]
    assert only_identifiers["IdpIdentifiers"] == []
    assert only_identifiers["ProviderDetails"] == details
    # A failed update changes nothing.
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp",
                                         ProviderDetails={"MetadataFile": "<broken"},
                                         IdpIdentifiers=["x"])
    assert cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")[
        "IdentityProvider"] == only_identifiers


def test_delete_removes_provider_from_clients(cognito, pool_id, idp_key):
    saml(cognito, pool_id, "Corp", idp_key)
    saml(cognito, pool_id, "Other", idp_key)
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        SupportedIdentityProviders=["COGNITO", "Corp", "Other"])["UserPoolClient"]
    assert cognito.delete_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    after = cognito.describe_user_pool_client(UserPoolId=pool_id,
                                              ClientId=client["ClientId"])["UserPoolClient"]
    assert after["SupportedIdentityProviders"] == ["COGNITO", "Other"]
    # The name is free again.
    saml(cognito, pool_id, "Corp", idp_key)


def test_delete_user_pool_with_providers(cognito, make_pool, idp_key):
    pool_id = make_pool()
    saml(cognito, pool_id, "Corp", idp_key)
    cognito.get_signing_certificate(UserPoolId=pool_id)
    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")


# --- identifiers, attribute mapping --------------------------------------------------------

def test_identifiers(cognito, pool_id, idp_key):
    saml(cognito, pool_id, "Corp", idp_key, identifiers=["corp.example.com"])
    found = cognito.get_identity_provider_by_identifier(
        UserPoolId=pool_id, IdpIdentifier="corp.example.com")["IdentityProvider"]
    assert found["ProviderName"] == "Corp"
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as exc:
        cognito.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="nope")
    assert error(exc)[1] == (f"Identity provider with identifier nope does not exist in user "
                             f"pool {pool_id}.")
    with pytest.raises(cognito.exceptions.DuplicateProviderException) as exc:
        saml(cognito, pool_id, "Other", idp_key, identifiers=["x", "corp.example.com"])
    assert error(exc)[1] == (f"Identifier corp.example.com is already used by provider Corp "
                             f"in user pool {pool_id}.")
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Other", idp_key, identifiers=["a", "a"])
    assert error(exc)[1] == "Duplicate identifier a in IdpIdentifiers."
    # Its own identifiers may be given again in an update.
    cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp",
                                     IdpIdentifiers=["corp.example.com", "corp"])
    with pytest.raises(cognito.exceptions.InvalidParameterException):  # over 50: the model
        saml(cognito, pool_id, "Many", idp_key, identifiers=[f"id{i}" for i in range(51)])


def test_attribute_mapping_keys_are_pool_attributes(cognito, pool_id, idp_key):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        saml(cognito, pool_id, "Corp", idp_key, mapping={"custom:nope": "x"})
    assert error(exc)[1] == "AttributeMapping contains invalid mapping: [custom:nope]"
    ok = saml(cognito, pool_id, "Corp", idp_key, mapping={"email": "mail", "name": "cn"})
    assert ok["AttributeMapping"] == {"email": "mail", "name": "cn"}


# --- list ---------------------------------------------------------------------------------------

def test_list_pages(cognito, pool_id, idp_key):
    names = ["Delta", "Alpha", "Echo", "Charlie", "Bravo"]
    for name in names:
        saml(cognito, pool_id, name, idp_key)
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
        ProviderDetails={"client_id": "a", "client_secret": "b", "authorize_scopes": "openid"})
    first = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Alpha", "Bravo"]
    assert set(first["Providers"][0]) == {"ProviderName", "ProviderType", "LastModifiedDate",
                                          "CreationDate"}
    second = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2,
                                             NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in second["Providers"]] == ["Charlie", "Delta"]
    every = [p for page in cognito.get_paginator("list_identity_providers").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 4}) for p in page["Providers"]]
    assert [(p["ProviderName"], p["ProviderType"]) for p in every] == [
        ("Alpha", "SAML"), ("Bravo", "SAML"), ("Charlie", "SAML"), ("Delta", "SAML"),
        ("Echo", "SAML"), ("Google", "Google")]
    whole = cognito.list_identity_providers(UserPoolId=pool_id)
    assert len(whole["Providers"]) == 6 and "NextToken" not in whole
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_identity_providers(UserPoolId=pool_id, NextToken="garbage")


# --- signing certificate ------------------------------------------------------------------------

def test_signing_certificate_is_stable_per_pool(cognito, pool_id, make_pool):
    first = cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    assert cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"] == first
    cert = cert_of(first)
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert life.days >= 3649
    assert cognito.get_signing_certificate(UserPoolId=make_pool())["Certificate"] != first
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_signing_certificate(UserPoolId="us-east-1_missing0")


# --- the IdP-initiated client rule --------------------------------------------------------------

def test_client_with_idp_initiated_provider_lists_only_saml(cognito, pool_id, idp_key):
    saml(cognito, pool_id, "Portal", idp_key, IDPInit="true")
    saml(cognito, pool_id, "Plain", idp_key)
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
        ProviderDetails={"client_id": "a", "client_secret": "b", "authorize_scopes": "openid"})
    for listed, other in ((["Portal", "COGNITO"], "COGNITO"), (["Google", "Portal"], "Google")):
        with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
            cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                            SupportedIdentityProviders=listed)
        assert error(exc)[1] == (f"The provider Portal allows IdP-initiated sign-in, so the "
                                 f"app client may only support SAML providers, not {other}.")
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        SupportedIdentityProviders=["Portal", "Plain"])["UserPoolClient"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"],
                                        SupportedIdentityProviders=["Portal", "COGNITO"])
    # Without the IdP-initiated provider anything goes.
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"],
                                    SupportedIdentityProviders=["Plain", "COGNITO", "Google"])
    # Turning IDPInit on for Plain now would break that client: refused.
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Plain",
                                         ProviderDetails={"IDPInit": "true"})
    assert error(exc)[1] == (f"IDPInit can not be enabled for Plain: app client "
                             f"{client['ClientId']} also supports COGNITO, and a client with "
                             f"an IdP-initiated SAML provider may only support SAML providers.")
    assert cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Plain")[
        "IdentityProvider"]["ProviderDetails"].get("IDPInit") is None
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"],
                                    SupportedIdentityProviders=["Plain"])
    cognito.update_identity_provider(UserPoolId=pool_id, ProviderName="Plain",
                                     ProviderDetails={"IDPInit": "true"})


# --- other provider types ----------------------------------------------------------------------

def test_social_and_oidc_providers(cognito, pool_id):
    google = cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
        ProviderDetails={"client_id": "g-id", "client_secret": "g-secret",
                         "authorize_scopes": "email profile openid"},
        AttributeMapping={"email": "email"})["IdentityProvider"]
    assert google["ProviderDetails"]["authorize_url"] == \
        "https://accounts.google.com/o/oauth2/v2/auth"
    assert google["ProviderDetails"]["oidc_issuer"] == "https://accounts.google.com"
    assert google["AttributeMapping"] == {"username": "sub", "email": "email"}

    apple = cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="SignInWithApple", ProviderType="SignInWithApple",
        ProviderDetails={"client_id": "com.example", "team_id": "T", "key_id": "K",
                         "private_key": "secret-key", "authorize_scopes": "email name"})[
        "IdentityProvider"]
    assert "private_key" not in apple["ProviderDetails"]
    assert apple["ProviderDetails"]["team_id"] == "T"
    # An update without private_key keeps it (still valid), a describe never shows it.
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="SignInWithApple",
        ProviderDetails={"authorize_scopes": "email"})["IdentityProvider"]
    assert updated["ProviderDetails"]["authorize_scopes"] == "email"
    assert "private_key" not in updated["ProviderDetails"]

    facebook = cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Facebook", ProviderType="Facebook",
        ProviderDetails={"client_id": "f", "client_secret": "s",
                         "authorize_scopes": "public_profile, email", "api_version": "v18.0"})[
        "IdentityProvider"]
    assert facebook["ProviderDetails"]["token_url"] == \
        "https://graph.facebook.com/v18.0/oauth/access_token"
    assert facebook["AttributeMapping"] == {"username": "id"}

    oidc = cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Okta", ProviderType="OIDC",
        ProviderDetails={"client_id": "o", "client_secret": "s", "authorize_scopes": "openid",
                         "attributes_request_method": "GET",
                         "oidc_issuer": "https://okta.example.com"},
        AcrMapping={"Level1": "urn:acr:1"})["IdentityProvider"]
    assert oidc["ProviderDetails"]["attributes_url_add_attributes"] == "false"
    assert oidc["AcrMapping"] == {"Level1": "urn:acr:1"}
    listed = cognito.list_identity_providers(UserPoolId=pool_id)["Providers"]
    assert {p["ProviderName"]: p["ProviderType"] for p in listed} == {
        "Facebook": "Facebook", "Google": "Google", "Okta": "OIDC",
        "SignInWithApple": "SignInWithApple"}


@pytest.mark.parametrize("name, kind, details, message", [
    ("Google", "Google", {"client_id": "a", "authorize_scopes": "openid"},
     "client_id, client_secret and authorize_scopes are all required idp details"),
    ("MyGoogle", "Google", {"client_id": "a", "client_secret": "b", "authorize_scopes": "x"},
     "Provider MyGoogle cannot be of type Google."),
    ("Google", "Google", {"client_id": "a", "client_secret": "b", "authorize_scopes": "x",
                          "team_id": "t"},
     "team_id is not a valid ProviderDetails key for provider type Google."),
    ("Okta", "OIDC", {"client_id": "o", "client_secret": "s", "authorize_scopes": "openid",
                      "attributes_request_method": "PUT", "oidc_issuer": "https://o.example"},
     "attributes_request_method must be GET or POST."),
    ("Okta", "OIDC", {"client_id": "o", "client_secret": "s", "authorize_scopes": "openid",
                      "attributes_request_method": "GET", "oidc_issuer": "http://o.example"},
     "oidc_issuer must be an https URL."),
    ("SignInWithApple", "SignInWithApple", {"client_id": "c", "team_id": "t", "key_id": "k",
                                            "authorize_scopes": "email"},
     "ProviderDetails for provider type SignInWithApple must include private_key."),
])
def test_other_provider_details_are_checked(cognito, pool_id, name, kind, details, message):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        cognito.create_identity_provider(UserPoolId=pool_id, ProviderName=name,
                                         ProviderType=kind, ProviderDetails=details)
    assert error(exc) == ("InvalidParameterException", message)


def test_acr_mapping_only_for_oidc(cognito, pool_id):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as exc:
        cognito.create_identity_provider(
            UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
            ProviderDetails={"client_id": "a", "client_secret": "b", "authorize_scopes": "x"},
            AcrMapping={"Level1": "x"})
    assert error(exc)[1] == "AcrMapping is only supported for OIDC identity providers."


# --- SP metadata --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_emulator():
    """An emulator in this process (uvicorn in a thread) whose app surely mounts the SP
    metadata routes (app.py mounts them once the lead adds saml_metadata.routes)."""
    import uvicorn

    from emulator.app import create_app
    from emulator.config import Settings
    from emulator.web import saml_metadata
    # The OS picks the port of a socket we keep and hand to uvicorn: no window in which
    # another process could take it.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = create_app(Settings(in_memory=True, host="127.0.0.1", port=port))
    paths = {getattr(r, "path", None) for r in app.router.routes}
    for route in saml_metadata.routes:
        if route.path not in paths:
            app.router.routes.append(route)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    listener.close()


def test_sp_metadata_document(local_emulator, idp_key):
    from saml2.md import entity_descriptor_from_string
    cognito = boto3.client("cognito-idp", endpoint_url=local_emulator, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing",
                           config=Config(retries={"max_attempts": 1}))
    pool_id = cognito.create_user_pool(PoolName="sp-metadata")["UserPool"]["Id"]
    provider = saml(cognito, pool_id, "Corp", idp_key, EncryptedResponses="true")
    signing = cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    encryption = provider["ProviderDetails"]["ActiveEncryptionCertificate"]

    with httpx.Client(base_url=local_emulator) as web:
        answer = web.get(f"/_emulator/saml/{pool_id}/Corp/metadata.xml")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/samlmetadata+xml")
        entity = entity_descriptor_from_string(answer.text)
        assert entity.entity_id == f"urn:amazon:cognito:sp:{pool_id}"
        sp = entity.spsso_descriptor[0]
        acs = sp.assertion_consumer_service[0]
        assert acs.location == f"{local_emulator}/saml2/idpresponse"
        assert acs.binding == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        assert f"{local_emulator}/saml2/logout" in {s.location for s in sp.single_logout_service}
        keys = {k.use: "".join(k.key_info.x509_data[0].x509_certificate.text.split())
                for k in sp.key_descriptor}
        assert keys == {"signing": signing, "encryption": encryption}

        pool_only = entity_descriptor_from_string(
            web.get(f"/_emulator/saml/{pool_id}/metadata.xml").text)
        assert {k.use for k in pool_only.spsso_descriptor[0].key_descriptor} == {"signing"}

        assert web.get(f"/_emulator/saml/{pool_id}/Nope/metadata.xml").status_code == 404
        assert web.get("/_emulator/saml/us-east-1_missing0/metadata.xml").status_code == 404
