"""SAML sign-in through the emulator's HTTP endpoints, driven with httpx: the AuthnRequest
that /oauth2/authorize sends, the response at /saml2/idpresponse, the code at the redirect
URI, tokens from /oauth2/token; and the attack suite: every forged, stale, replayed or
misdirected response is refused with an error page, and no user is created or changed.

The pool, provider and client come from tests/support/saml_rig.py (SamlRig); responses are
made by pysaml2 with its default settings (tests/support/pysaml2_idp.py), an IdP that shares
no code with the emulator; the XML signature wrapping variants come from
tests/support/saml_xsw.py and edit what pysaml2 signed.
"""
import base64
import html
from urllib.parse import urlencode

import httpx
import pytest
from lxml import etree

from saml.certificates import new_key_pair
from tests.support import saml_xsw
from tests.support.factories import claims
from tests.support.saml_rig import CALLBACK, EMAIL, rigs

NAME_ID = "erin@example.com"


@pytest.fixture(scope="module")
def idp_keys():
    import time
    return new_key_pair("test IdP", time.time()), new_key_pair("intruder", time.time())


@pytest.fixture
def sso(cognito, endpoint, idp_keys):
    with rigs(cognito, endpoint, keys=idp_keys[0]) as make:
        yield lambda **details: make(details=details)


def _now(clock) -> float:
    return clock.now()


def refused(answer: httpx.Response, text: str) -> None:
    """A 400 error page that says why (the reason proves which check refused it)."""
    assert answer.status_code == 400, (answer.status_code, answer.headers, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    assert html.escape(text, quote=True) in answer.text, answer.text


# --- the happy paths ---------------------------------------------------------------------------

def test_sp_initiated_sign_in_ends_with_tokens(sso, clock):
    fed = sso()
    request_id, relay, query = fed.start()
    assert "Signature" not in query                       # not asked to sign requests
    answer = fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK) and "state=xyz" in location
    id_claims = claims(fed.tokens(location)["id_token"])
    assert id_claims["cognito:username"] == f"Corp_{NAME_ID}"
    assert id_claims["email"] == NAME_ID
    assert id_claims["identities"][0]["issuer"] == fed.entity_id


def test_signed_authn_request_when_configured(sso):
    fed = sso(RequestSigningAlgorithm="rsa-sha256")
    _, _, query = fed.start()
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert query["Signature"]


def test_encrypted_assertion_accepted_and_required(sso, clock):
    fed = sso(EncryptedResponses="true")
    request_id, relay, _ = fed.start()
    plain = fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay)
    refused(plain, INVALID + "This identity provider must encrypt its assertions.")
    assert fed.users() == []
    answer = fed.post(fed.response(in_response_to=request_id, now=_now(clock), encrypt=True),
                      relay)
    assert answer.status_code == 302, answer.text
    assert [u["Username"] for u in fed.users()] == [f"Corp_{NAME_ID}"]


@pytest.mark.parametrize("signed, encrypted", [
    ("response", None), ("assertion", None), ("both", None),
    ("response", "self-contained"), ("assertion", "self-contained"), ("both", "self-contained"),
    ("assertion", "inherited"), ("both", "inherited")])
def test_what_the_idp_may_sign_and_how_it_may_encrypt(sso, clock, signed, encrypted):
    """The signature may sit on the Response or on the Assertion (or both). An encrypted
    assertion may declare its own namespace prefixes (pysaml2's default, "self-contained":
    they differ from the Response's, and the assertion's signature covers them as written)
    or use the ones declared on the Response ("inherited")."""
    fed = sso(EncryptedResponses="true" if encrypted else "false")
    request_id, relay, _ = fed.start()
    answer = fed.post(fed.response(in_response_to=request_id, now=_now(clock),
                                   encrypt=bool(encrypted),
                                   self_contained=encrypted != "inherited",
                                   sign_response=signed in ("response", "both"),
                                   sign_assertion=signed in ("assertion", "both")),
                      relay)
    assert answer.status_code == 302, answer.text
    assert claims(fed.tokens(answer.headers["location"])["id_token"])["email"] == NAME_ID


def test_idp_initiated_needs_idpinit(sso, clock):
    fed = sso()
    refused(fed.post(fed.response(in_response_to=None, now=_now(clock)), fed.relay()),
            "IdP-initiated sign-in is not enabled")
    fed.cognito.update_identity_provider(UserPoolId=fed.pool_id, ProviderName="Corp",
                                         ProviderDetails={"IDPInit": "true"})
    answer = fed.post(fed.response(in_response_to=None, now=_now(clock)), fed.relay())
    assert answer.status_code == 302, answer.text
    assert claims(fed.tokens(answer.headers["location"])["id_token"])["email"] == NAME_ID


def test_later_sign_in_updates_the_mapped_attributes(sso, clock, cognito):
    fed = sso()
    request_id, relay, _ = fed.start()
    assert fed.post(fed.response(in_response_to=request_id, now=_now(clock)),
                    relay).status_code == 302
    request_id, relay, _ = fed.start()
    again = fed.response(in_response_to=request_id, now=_now(clock),
                         attributes={EMAIL: ["erin.new@example.com"]})
    assert fed.post(again, relay).status_code == 302
    [user] = fed.users()
    attrs = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert attrs["email"] == "erin.new@example.com" and user["UserStatus"] == "EXTERNAL_PROVIDER"


# --- the attack suite --------------------------------------------------------------------------

def _tamper(saml_response: str, change) -> str:
    root = etree.fromstring(base64.b64decode(saml_response))
    change(root)
    return base64.b64encode(etree.tostring(root)).decode()


NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion", "ds": "http://www.w3.org/2000/09/xmldsig#"}


def _strip_signatures(root):
    for sig in root.findall(".//ds:Signature", NS):
        sig.getparent().remove(sig)


def _comment_in_name_id(root):
    """The IdP signed NameID erin@example.com.evil (the attacker's own account); a comment
    added afterwards leaves the signature valid (exclusive c14n drops comments), and a
    reader that takes the first text node would see erin@example.com."""
    name_id = root.find(".//saml:NameID", NS)
    name_id.text = "erin@example.com"
    name_id.append(etree.Comment(""))
    name_id[-1].tail = ".evil"


INVALID = "Invalid SAML response: "
ATTACKS = {
    # name: (response overrides, tamper, expected text on the page)
    "unsigned": (dict(sign_response=False, sign_assertion=False), None,
                 INVALID + "The SAML response is not signed."),
    "signature stripped": ({}, _strip_signatures, INVALID + "The SAML response is not signed."),
    "unknown key with its own certificate": (
        "intruder", None,
        INVALID + "The signature is not valid for any of the identity provider's certificates."),
    # Made 400 s ago by an IdP whose assertions live 5 minutes (+ 60 s of allowed skew).
    "expired": (dict(ago=400), None, INVALID + "The SAML assertion has expired."),
    # Genuine answers of the same IdP to another service provider / another ACS.
    "wrong audience": (dict(audience="urn:amazon:cognito:sp:us-east-1_other"), None,
                       INVALID + "The assertion is meant for a different audience."),
    "wrong recipient": (dict(acs_url="https://evil.example.com/saml2/idpresponse"), None,
                        INVALID + "The response is addressed to a different destination."),
    "comment in NameID": (dict(name_id="erin@example.com.evil"), _comment_in_name_id,
                          INVALID + "The NameID must be plain text."),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_forged_responses_are_refused_and_change_nothing(name, sso, clock, idp_keys):
    fed = sso()
    overrides, tamper, text = ATTACKS[name]
    keys = None
    if overrides == "intruder":
        overrides, keys = {}, idp_keys[1]
    request_id, relay, _ = fed.start()
    overrides = dict(overrides)
    made_at = _now(clock) - overrides.pop("ago", 0)
    forged = fed.response(in_response_to=request_id, now=made_at, keys=keys, **overrides)
    if tamper is not None:
        forged = _tamper(forged, tamper)
    refused(fed.post(forged, relay), text)
    assert fed.users() == []


@pytest.mark.parametrize("name", list(saml_xsw.VARIANTS))
def test_signature_wrapping_is_refused_and_changes_nothing(name, sso, clock, cognito):
    """The victim has signed in before; the wrapped response tries to sign in as the
    victim with the attacker's genuine signature."""
    fed = sso(IDPInit="true")
    victim = fed.response(in_response_to=None, now=_now(clock), name_id="victim@example.com")
    assert fed.post(victim, fed.relay()).status_code == 302
    before = fed.users()
    attack, signs = saml_xsw.VARIANTS[name]
    genuine = fed.response(in_response_to=None, now=_now(clock),
                           sign_response=signs == "response", sign_assertion=signs == "assertion")
    root = attack(etree.fromstring(base64.b64decode(genuine)), "victim@example.com")
    refused(fed.post(base64.b64encode(etree.tostring(root)).decode(), fed.relay()),
            "Invalid SAML response")
    assert fed.users() == before


def test_not_yet_valid(sso, clock):
    fed = sso()
    request_id, relay, _ = fed.start()
    refused(fed.post(fed.response(in_response_to=request_id, now=_now(clock) + 3600), relay),
            INVALID + "The SAML assertion is not valid yet.")
    assert fed.users() == []


def test_replayed_response_is_refused_and_changes_nothing(sso, clock, cognito):
    fed = sso(IDPInit="true")
    first = fed.response(in_response_to=None, now=_now(clock))
    assert fed.post(first, fed.relay()).status_code == 302
    [before] = fed.users()
    refused(fed.post(first, fed.relay()), "already used")
    assert fed.users() == [before]


def test_in_response_to_mismatch(sso, clock):
    fed = sso()
    _, relay, _ = fed.start()
    refused(fed.post(fed.response(in_response_to="_someone-elses-request", now=_now(clock)),
                     relay), INVALID + "The response does not answer the sign-in request.")
    assert fed.users() == []


def test_unsolicited_response_to_a_pending_request_is_refused(sso, clock):
    fed = sso()
    _, relay, _ = fed.start()
    refused(fed.post(fed.response(in_response_to=None, now=_now(clock)), relay),
            INVALID + "The response does not answer the sign-in request.")
    assert fed.users() == []


def test_unsolicited_response_older_than_six_minutes(sso, clock):
    fed = sso(IDPInit="true")
    # Still within its 15 minutes of validity: only its age is wrong.
    refused(fed.post(fed.response(in_response_to=None, now=_now(clock) - 420,
                                  lifetime_minutes=15), fed.relay()),
            INVALID + "The SAML assertion is too old.")
    assert fed.users() == []


def test_pending_request_expires_after_five_minutes(sso, clock):
    fed = sso()
    clock.pin()
    request_id, relay, _ = fed.start()
    clock.advance(301)
    refused(fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay),
            "took too long")
    assert fed.users() == []


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
])
def test_dtds_are_refused(doctype, sso, clock):
    fed = sso()
    request_id, relay, _ = fed.start()
    xml = base64.b64decode(fed.response(in_response_to=request_id, now=_now(clock))).decode()
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    refused(fed.post(base64.b64encode((doctype + body).encode()).decode(), relay),
            INVALID + "XML with a document type declaration or entities is not accepted.")
    assert fed.users() == []


def test_oversized_and_garbage_bodies(sso):
    fed = sso()
    _, relay, _ = fed.start()
    refused(fed.post("not base64 at all!!", relay),
            INVALID + "The SAML response is not valid base64.")
    big = httpx.post(fed.acs, data={"SAMLResponse": "A" * 2_000_000, "RelayState": relay})
    assert big.status_code in (400, 413) and "Traceback" not in big.text
    refused(httpx.post(fed.acs, data={"RelayState": relay}), "SAMLResponse is missing")


def test_idp_identifier_routes_to_the_provider(sso, cognito):
    fed = sso()
    cognito.update_identity_provider(UserPoolId=fed.pool_id, ProviderName="Corp",
                                     IdpIdentifiers=["example.com"])
    answer = httpx.get(f"{fed.endpoint}/oauth2/authorize", params={
        "client_id": fed.client_id, "response_type": "code", "scope": "openid",
        "redirect_uri": CALLBACK, "idp_identifier": "example.com"})
    assert answer.status_code == 302
    assert answer.headers["location"].startswith("https://idp.example.com/sso?SAMLRequest=")


def test_federated_profile_has_no_password_sign_in(sso, clock, cognito):
    fed = sso(IDPInit="true")
    assert fed.post(fed.response(in_response_to=None, now=_now(clock)),
                    fed.relay()).status_code == 302
    client_id = cognito.create_user_pool_client(
        UserPoolId=fed.pool_id, ClientName="api",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": f"Corp_{NAME_ID}",
                                              "PASSWORD": "Whatever-1"})


def test_federated_tokens_refresh_and_read_the_user(sso, clock, cognito, endpoint):
    fed = sso()
    request_id, relay, _ = fed.start()
    answer = fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay)
    tokens = fed.tokens(answer.headers["location"])
    # As in Cognito, the self-service API needs aws.cognito.signin.user.admin, not granted here.
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_user(AccessToken=tokens["access_token"])
    info = httpx.get(f"{endpoint}/oauth2/userInfo",
                     headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert info["email"] == NAME_ID and info["username"] == f"Corp_{NAME_ID}"
    refreshed = httpx.post(f"{endpoint}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": fed.client_id,
        "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert claims(refreshed.json()["id_token"])["identities"][0]["providerName"] == "Corp"


# --- where the response must go, and what it must answer ---------------------------------------

@pytest.mark.parametrize("relay, reason", [
    ("identity_provider=Corp", "the RelayState must name identity_provider (or idp_identifier), "
                               "client_id, redirect_uri, response_type and scope for an "
                               "IdP-initiated sign-in"),
    ("identity_provider=Nope&client_id={client}&redirect_uri={callback}&response_type=code"
     "&scope=openid", "invalid_request: Nope is not a supported identity provider for this "
                      "client"),
    ("unknown-relay-token", "it answers a sign-in request that is unknown, expired or already "
                            "answered"),
])
def test_idp_initiated_relay_state_must_name_the_sign_in(relay, reason, sso, clock):
    fed = sso(IDPInit="true")
    relay = relay.format(client=fed.client_id, callback=CALLBACK)
    refused(fed.post(fed.response(in_response_to=None, now=_now(clock)), relay),
            INVALID + reason)
    assert fed.users() == []


def test_provider_deleted_while_the_user_was_at_the_idp(sso, clock, cognito):
    fed = sso()
    request_id, relay, _ = fed.start()
    saml_response = fed.response(in_response_to=request_id, now=_now(clock))
    cognito.delete_identity_provider(UserPoolId=fed.pool_id, ProviderName="Corp")
    refused(fed.post(saml_response, relay), INVALID + "the identity provider no longer exists")


def test_client_changed_while_the_user_was_at_the_idp(sso, clock, cognito):
    """The pending authorize request is checked again when the response comes back: a
    callback URL removed meanwhile is refused, and nobody is signed in."""
    fed = sso()
    request_id, relay, _ = fed.start()
    cognito.update_user_pool_client(UserPoolId=fed.pool_id, ClientId=fed.client_id,
                                    SupportedIdentityProviders=["Corp"],
                                    CallbackURLs=["https://app.example.com/elsewhere"],
                                    AllowedOAuthFlows=["code"], AllowedOAuthScopes=fed.scopes,
                                    AllowedOAuthFlowsUserPoolClient=True)
    refused(fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay),
            "redirect_mismatch: the redirect_uri is not one of the app client's callback URLs.")
    assert fed.users() == []


def test_idp_initiated_relay_state_must_name_a_saml_provider(sso, clock, cognito):
    fed = sso()
    cognito.create_identity_provider(
        UserPoolId=fed.pool_id, ProviderName="Google", ProviderType="Google",
        ProviderDetails={"client_id": "g-client", "client_secret": "g-secret",
                         "authorize_scopes": "openid email"},
        AttributeMapping={"email": "email"})
    client_id = fed.add_client(SupportedIdentityProviders=["Corp", "Google"])
    relay = urlencode({"identity_provider": "Google", "client_id": client_id,
                       "redirect_uri": CALLBACK, "response_type": "code", "scope": "openid"})
    refused(fed.post(fed.response(in_response_to=None, now=_now(clock)), relay),
            INVALID + "the RelayState does not name a SAML identity provider")
    assert fed.users() == []


def test_provider_dropped_from_the_client_while_the_user_was_at_the_idp(sso, clock, cognito):
    fed = sso()
    request_id, relay, _ = fed.start()
    cognito.update_user_pool_client(UserPoolId=fed.pool_id, ClientId=fed.client_id,
                                    SupportedIdentityProviders=["COGNITO"],
                                    CallbackURLs=[CALLBACK], AllowedOAuthFlows=["code"],
                                    AllowedOAuthScopes=fed.scopes,
                                    AllowedOAuthFlowsUserPoolClient=True)
    refused(fed.post(fed.response(in_response_to=request_id, now=_now(clock)), relay),
            INVALID + "invalid_request: Corp is not a supported identity provider for this "
                      "client")
    assert fed.users() == []
