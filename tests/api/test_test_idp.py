"""The built-in test IdP at /_emulator/idp, through HTTP against the running emulator.

The SP side is played by the test: its metadata comes from saml.metadata.sp_metadata (the
shape the pool's SP metadata download has), its requests from saml.authn_request, and the
SAMLResponse the IdP auto-posts is checked independently with python3-saml."""
import base64
import html
import re
import secrets
import time
import zlib
from urllib.parse import quote_plus, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_ValidationError

from saml import logout
from saml.authn_request import authn_request_url
from saml.certificates import certificate_body, new_key_pair
from saml.metadata import parse_idp_metadata, sp_metadata

IDP = "/_emulator/idp"
PASSWORD = "TestIdP-Passw0rd!"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


@pytest.fixture(scope="module")
def keys():
    now = time.time() - 3600
    return {"sp": new_key_pair("sp", now), "enc": new_key_pair("enc", now),
            "other": new_key_pair("other", now)}


@pytest.fixture
def sp(http, endpoint, keys):
    """register(**options) -> (entity id, acs url) of a fresh SP registered with the IdP."""
    made = []

    def register(*, encryption=True, entity_id=None, **options):
        entity_id = entity_id or f"urn:amazon:cognito:sp:us-east-1_{secrets.token_hex(5)}"
        xml = sp_metadata(entity_id=entity_id, acs_url=f"{endpoint}/saml2/idpresponse",
                          logout_url=f"{endpoint}/saml2/logout",
                          signing_certificate_pem=keys["sp"].certificate_pem,
                          encryption_certificate_pem=keys["enc"].certificate_pem
                          if encryption else None)
        answer = http.post(f"{IDP}/service-providers", content=xml,
                           params={k: str(v).lower() for k, v in options.items()},
                           headers={"content-type": "application/samlmetadata+xml"})
        assert answer.status_code == 200, answer.text
        made.append(entity_id)
        return entity_id
    yield register
    for entity_id in made:
        http.delete(f"{IDP}/service-providers", params={"entity_id": entity_id})


def idp_metadata(http, endpoint):
    answer = http.get(f"{IDP}/metadata")
    assert answer.status_code == 200
    return parse_idp_metadata(answer.text, now=time.time())


def form_fields(page: str) -> dict:
    return {html.unescape(n): html.unescape(v) for n, v in
            re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)}


def form_action(page: str) -> str:
    return html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))


def validate(http, endpoint, keys, saml_response, request_id, entity_id, *, encrypted=True):
    meta = idp_metadata(http, endpoint)
    host = urlsplit(endpoint).netloc
    settings = OneLogin_Saml2_Settings({
        "strict": True,
        "sp": {"entityId": entity_id,
               "assertionConsumerService": {"url": f"{endpoint}/saml2/idpresponse"},
               "x509cert": certificate_body(keys["enc"].certificate_pem),
               "privateKey": keys["enc"].private_key_pem},
        "idp": {"entityId": meta.entity_id, "singleSignOnService": {"url": meta.sso_redirect_url},
                "x509cert": certificate_body(meta.signing_certificates[0])},
        "security": {"wantAssertionsSigned": True, "wantMessagesSigned": True,
                     "wantAssertionsEncrypted": encrypted}})
    response = OneLogin_Saml2_Response(settings, saml_response)
    assert response.is_valid({"http_host": host, "script_name": "/saml2/idpresponse",
                              "https": "off"}, request_id, raise_exceptions=True)
    return response


def sso_url(endpoint, entity_id, request_id, *, key=None, relay_state="state-1"):
    return authn_request_url(idp_sso_url=f"{endpoint}{IDP}/sso", sp_entity_id=entity_id,
                             acs_url=f"{endpoint}/saml2/idpresponse", request_id=request_id,
                             now=time.time(), relay_state=relay_state, signing_key_pem=key)


def sign_in(http, url, username="alice", password=PASSWORD):
    page = http.get(url)
    assert page.status_code == 200, page.text
    fields = form_fields(page.text)
    return page, http.post(f"{IDP}/sso", data={**fields, "username": username,
                                                "password": password})


# --- metadata, registrations, users ----------------------------------------------------------

def test_metadata(http, endpoint):
    answer = http.get(f"{IDP}/metadata")
    assert answer.headers["content-type"].startswith("application/samlmetadata+xml")
    meta = parse_idp_metadata(answer.text, now=time.time())
    assert meta.entity_id == f"{endpoint}{IDP}"
    assert meta.sso_redirect_url == f"{endpoint}{IDP}/sso"
    assert meta.slo_redirect_url == f"{endpoint}{IDP}/slo"
    assert len(meta.signing_certificates) == 1
    assert meta.want_authn_requests_signed is False
    assert 'WantAuthnRequestsSigned="false"' in answer.text
    # the same key next time
    assert idp_metadata(http, endpoint).signing_certificates == meta.signing_certificates


def test_register_and_list_service_providers(http, endpoint, sp):
    entity_id = sp(encrypt=True, sign="assertion", require_signed_requests=True)
    listed = http.get(f"{IDP}/service-providers").json()["serviceProviders"]
    mine = [s for s in listed if s["entityId"] == entity_id]
    assert mine == [{"entityId": entity_id, "acsUrl": f"{endpoint}/saml2/idpresponse",
                     "logoutUrl": f"{endpoint}/saml2/logout", "encrypt": True,
                     "sign": "assertion", "cipher": "aes256-cbc",
                     "requireSignedRequests": True, "authnRequestsSigned": True,
                     "hasSigningCertificate": True, "hasEncryptionCertificate": True}]


@pytest.mark.parametrize("params,body,text", [
    ({"sign": "nothing"}, None, "sign must be one of"),
    ({"encrypt": "maybe"}, None, "encrypt must be true or false"),
    ({"cipher": "des"}, None, "cipher must be one of"),
    ({}, "<not-metadata/>", "EntityDescriptor"),
    ({}, '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "document type"),
    ({}, "", "POST the service provider's metadata"),
])
def test_bad_registrations_are_refused(http, endpoint, keys, params, body, text):
    if body is None:
        body = sp_metadata(entity_id="urn:x", acs_url=f"{endpoint}/saml2/idpresponse",
                           logout_url=f"{endpoint}/saml2/logout",
                           signing_certificate_pem=keys["sp"].certificate_pem,
                           encryption_certificate_pem=None)
    answer = http.post(f"{IDP}/service-providers", content=body, params=params)
    assert answer.status_code == 400
    assert text in answer.json()["message"]


def test_encryption_needs_an_encryption_certificate(http, endpoint, keys):
    body = sp_metadata(entity_id="urn:noenc", acs_url=f"{endpoint}/saml2/idpresponse",
                       logout_url=f"{endpoint}/saml2/logout",
                       signing_certificate_pem=keys["sp"].certificate_pem,
                       encryption_certificate_pem=None)
    answer = http.post(f"{IDP}/service-providers", content=body, params={"encrypt": "true"})
    assert answer.status_code == 400
    assert "encryption certificate" in answer.json()["message"]


def test_default_and_new_users(http):
    listed = {u["username"]: u for u in http.get(f"{IDP}/users").json()["users"]}
    assert {"alice", "bob"} <= set(listed)
    assert "password" not in listed["alice"]
    assert listed["alice"]["attributes"][EMAIL] == ["alice@example.com"]
    name = f"carol{secrets.token_hex(3)}"
    made = http.post(f"{IDP}/users", json={"username": name, "password": "pw",
                                           "attributes": {"email": "c@example.com",
                                                          "roles": ["a", "b"]}})
    assert made.status_code == 200
    assert made.json() == {"username": name, "attributes": {"email": ["c@example.com"],
                                                             "roles": ["a", "b"]}}
    assert name in {u["username"] for u in http.get(f"{IDP}/users").json()["users"]}
    for bad in ({"password": "x"}, {"username": "x"}, [1],
                {"username": "x", "password": "y", "attributes": {"a": [{"b": 1}]}}):
        answer = http.post(f"{IDP}/users", json=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["__type"] == "InvalidParameterException"


def test_index_page_and_removing_a_registration(http, sp):
    entity_id = sp()
    index = http.get(IDP)
    assert index.status_code == 200
    assert html.escape(entity_id) in index.text and "alice" in index.text
    assert http.delete(f"{IDP}/service-providers", params={"entity_id": entity_id}).json() == {
        "deleted": True}
    assert entity_id not in http.get(IDP).text
    gone = http.delete(f"{IDP}/service-providers", params={"entity_id": entity_id})
    assert gone.status_code == 404


# --- SP-initiated ----------------------------------------------------------------------------

def test_signed_request_login_posts_valid_encrypted_response(http, endpoint, keys, sp):
    entity_id = sp(encrypt=True, sign="both", require_signed_requests=True)
    url = sso_url(endpoint, entity_id, "_req_sso1", key=keys["sp"].private_key_pem)
    page, answer = sign_in(http, url)
    assert entity_id in page.text and 'name="password"' in page.text
    assert "(signed)" in page.text
    assert answer.status_code == 200
    assert form_action(answer.text) == f"{endpoint}/saml2/idpresponse"
    fields = form_fields(answer.text)
    assert fields["RelayState"] == "state-1"
    assert "document.getElementById(\"saml-post\").submit()" in answer.text
    response = validate(http, endpoint, keys, fields["SAMLResponse"], "_req_sso1", entity_id)
    assert response.get_nameid() == "alice"
    assert response.get_attributes()[EMAIL] == ["alice@example.com"]
    assert "EncryptedAssertion" in base64.b64decode(fields["SAMLResponse"]).decode()


@pytest.mark.parametrize("sign", ["response", "assertion"])
def test_unencrypted_and_partly_signed_responses(http, endpoint, keys, sp, sign):
    entity_id = sp(encrypt=False, sign=sign)
    _, answer = sign_in(http, sso_url(endpoint, entity_id, "_req_p"), username="bob")
    saml_response = form_fields(answer.text)["SAMLResponse"]
    xml = base64.b64decode(saml_response).decode()
    assert "EncryptedAssertion" not in xml
    assert xml.count("<ds:Signature xmlns") == 1
    meta = idp_metadata(http, endpoint)
    settings = OneLogin_Saml2_Settings({
        "strict": True,
        "sp": {"entityId": entity_id,
               "assertionConsumerService": {"url": f"{endpoint}/saml2/idpresponse"}},
        "idp": {"entityId": meta.entity_id, "singleSignOnService": {"url": meta.sso_redirect_url},
                "x509cert": certificate_body(meta.signing_certificates[0])},
        "security": {"wantAssertionsSigned": sign == "assertion",
                     "wantMessagesSigned": sign == "response"}})
    response = OneLogin_Saml2_Response(settings, saml_response)
    assert response.is_valid({"http_host": urlsplit(endpoint).netloc,
                              "script_name": "/saml2/idpresponse"}, "_req_p",
                             raise_exceptions=True)
    assert response.get_nameid() == "bob"


def test_wrong_password_and_missing_csrf(http, endpoint, sp):
    entity_id = sp(encrypt=False)
    page, answer = sign_in(http, sso_url(endpoint, entity_id, "_req_pw"), password="wrong")
    assert answer.status_code == 401
    assert "Incorrect username or password." in answer.text
    assert "SAMLResponse" not in answer.text
    fields = form_fields(page.text)
    fields.pop("_csrf")
    refused = http.post(f"{IDP}/sso", data={**fields, "username": "alice", "password": PASSWORD})
    assert refused.status_code == 403
    assert "CSRF" in refused.text


def _hand_signed(url_without_sig: str, key_pem: str) -> str:
    query = urlsplit(url_without_sig).query + f"&SigAlg={quote_plus(RSA_SHA256)}"
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    return (url_without_sig.split("?")[0] + "?" + query +
            f"&Signature={quote_plus(base64.b64encode(signature).decode())}")


def test_bad_or_missing_request_signature_refused(http, endpoint, keys, sp):
    entity_id = sp(require_signed_requests=True)
    unsigned = http.get(sso_url(endpoint, entity_id, "_req_u"))
    assert unsigned.status_code == 403
    assert "not signed" in unsigned.text and 'name="password"' not in unsigned.text
    wrong_key = http.get(sso_url(endpoint, entity_id, "_req_w", key=keys["other"].private_key_pem))
    assert wrong_key.status_code == 403
    assert "signature does not verify" in wrong_key.text
    # a hand-signed request with the right key passes; tampering with RelayState breaks it
    good = _hand_signed(sso_url(endpoint, entity_id, "_req_h", relay_state="abc"),
                        keys["sp"].private_key_pem)
    assert http.get(good).status_code == 200
    assert http.get(good.replace("RelayState=abc", "RelayState=abd")).status_code == 403
    # a bad signature is refused even when the SP does not insist on signatures
    lax = sp(require_signed_requests=False)
    bad = http.get(sso_url(endpoint, lax, "_req_l", key=keys["other"].private_key_pem))
    assert bad.status_code == 403


def test_unknown_sp_and_malformed_requests_refused(http, endpoint, keys):
    unknown = http.get(sso_url(endpoint, "urn:amazon:cognito:sp:us-east-1_nobody", "_req_x"))
    assert unknown.status_code == 403
    assert "Unknown service provider." in unknown.text
    assert "urn:amazon:cognito:sp:us-east-1_nobody is not registered" in unknown.text
    garbage = http.get(f"{IDP}/sso", params={"SAMLRequest": "bm90IGRlZmxhdGU="})
    assert garbage.status_code == 400
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    xxe = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    dtd = http.get(f"{IDP}/sso", params={
        "SAMLRequest": base64.b64encode(c.compress(xxe) + c.flush()).decode()})
    assert dtd.status_code == 400 and "root:" not in dtd.text
    missing = http.get(f"{IDP}/sso")
    assert missing.status_code == 400


def test_registered_acs_is_enforced(http, endpoint, keys, sp):
    entity_id = sp()
    url = authn_request_url(idp_sso_url=f"{endpoint}{IDP}/sso", sp_entity_id=entity_id,
                            acs_url="https://evil.example/steal", request_id="_req_e",
                            now=time.time(), relay_state=None, signing_key_pem=None)
    answer = http.get(url)
    assert answer.status_code == 403
    assert "AssertionConsumerServiceURL" in answer.text


def test_pages_escape_what_they_show(http, endpoint, sp):
    entity_id = sp(entity_id='urn:x:<script>alert(1)</script>"', encryption=False)
    page = http.get(sso_url(endpoint, entity_id, "_req_esc", relay_state='"><b>x'))
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert '"><b>x' not in page.text


# --- IdP-initiated ---------------------------------------------------------------------------

def test_launch_page_posts_unsolicited_response(http, endpoint, keys, sp):
    entity_id = sp(encrypt=True, sign="both")
    page = http.get(f"{IDP}/launch", params={"sp": entity_id})
    assert page.status_code == 200
    assert "identity_provider=MySAMLIdP&amp;client_id=" in page.text
    assert "response_type=code&amp;scope=openid+email" in page.text
    assert f'value="{html.escape(entity_id)}" selected' in page.text
    csrf = form_fields(page.text)["_csrf"]
    relay = ("identity_provider=TestIdP&client_id=abc&redirect_uri=http://localhost:3000/cb"
             "&response_type=code&scope=openid+email")
    answer = http.post(f"{IDP}/launch", data={"_csrf": csrf, "sp": entity_id, "username": "bob",
                                              "password": PASSWORD, "RelayState": relay})
    assert answer.status_code == 200, answer.text
    assert form_action(answer.text) == f"{endpoint}/saml2/idpresponse"
    fields = form_fields(answer.text)
    assert fields["RelayState"] == relay
    assert "InResponseTo" not in base64.b64decode(fields["SAMLResponse"]).decode()
    response = validate(http, endpoint, keys, fields["SAMLResponse"], None, entity_id)
    assert response.get_nameid() == "bob"
    with pytest.raises(OneLogin_Saml2_ValidationError):
        validate(http, endpoint, keys, fields["SAMLResponse"], None, "urn:someone-else")
    wrong = http.post(f"{IDP}/launch", data={"_csrf": csrf, "sp": entity_id, "username": "bob",
                                             "password": "nope", "RelayState": relay})
    assert wrong.status_code == 401 and "SAMLResponse" not in wrong.text


# --- single logout ---------------------------------------------------------------------------

def test_signed_logout_request_gets_logout_response(http, endpoint, keys, sp):
    entity_id = sp()
    url = logout.logout_request_url(
        idp_slo_url=f"{endpoint}{IDP}/slo", sp_entity_id=entity_id, name_id="alice",
        name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        session_index="_s1", request_id="_lo_1", now=time.time(), relay_state="after",
        signing_key_pem=keys["sp"].private_key_pem)
    answer = http.get(url)
    assert answer.status_code == 200, answer.text
    assert form_action(answer.text) == f"{endpoint}/saml2/logout"
    fields = form_fields(answer.text)
    assert fields["RelayState"] == "after"
    meta = idp_metadata(http, endpoint)
    logout.read_logout_response(fields["SAMLResponse"],
                                signing_certificates=meta.signing_certificates,
                                idp_entity_id=meta.entity_id, in_response_to="_lo_1",
                                now=time.time())
    forged = logout.logout_request_url(
        idp_slo_url=f"{endpoint}{IDP}/slo", sp_entity_id=entity_id, name_id="alice",
        name_id_format=None, session_index=None, request_id="_lo_2", now=time.time(),
        relay_state=None, signing_key_pem=keys["other"].private_key_pem)
    assert http.get(forged).status_code == 403


def test_responses_follow_the_emulator_clock(http, endpoint, keys, sp, clock):
    entity_id = sp(encrypt=False, sign="response")
    at = 1_900_000_000          # 2030-03-17T17:46:40Z
    clock.pin(at)
    csrf = form_fields(http.get(f"{IDP}/launch").text)["_csrf"]
    answer = http.post(f"{IDP}/launch", data={"_csrf": csrf, "sp": entity_id,
                                              "username": "alice", "password": PASSWORD})
    xml = base64.b64decode(form_fields(answer.text)["SAMLResponse"]).decode()
    assert 'IssueInstant="2030-03-17T17:46:40Z"' in xml
    assert 'NotOnOrAfter="2030-03-17T17:51:40Z"' in xml
    assert "RelayState" not in form_fields(answer.text)


def test_key_registrations_and_users_survive_a_restart(tmp_path, keys):
    from tests.support.server import RunningServer
    data = str(tmp_path)
    with RunningServer(["--data-dir", data, "--log-level", "warning"]) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        first = client.get(f"{IDP}/metadata").text
        xml = sp_metadata(entity_id="urn:amazon:cognito:sp:us-east-1_keep",
                          acs_url=f"{server.url}/saml2/idpresponse",
                          logout_url=f"{server.url}/saml2/logout",
                          signing_certificate_pem=keys["sp"].certificate_pem,
                          encryption_certificate_pem=None)
        assert client.post(f"{IDP}/service-providers", content=xml).status_code == 200
        assert client.post(f"{IDP}/users", json={"username": "dave", "password": "pw"}
                           ).status_code == 200
    with RunningServer(["--data-dir", data, "--log-level", "warning"]) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        again = parse_idp_metadata(client.get(f"{IDP}/metadata").text, now=time.time())
        assert again.signing_certificates == parse_idp_metadata(
            first, now=time.time()).signing_certificates
        listed = client.get(f"{IDP}/service-providers").json()["serviceProviders"]
        assert [s["entityId"] for s in listed] == ["urn:amazon:cognito:sp:us-east-1_keep"]
        assert "dave" in {u["username"] for u in client.get(f"{IDP}/users").json()["users"]}
