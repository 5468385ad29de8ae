"""SAML single logout over HTTP, the SP side (emulator/web/saml_sso.py): /logout of a session
that came through a SAML provider with IDPSignout sends a signed LogoutRequest to the IdP;
the IdP's LogoutResponse comes back by POST to /saml2/logout, and only then does the browser
go where /logout was asked to go. The IdP is pysaml2 (tests/support/pysaml2_idp.py), which
reads the emulator's LogoutRequest and answers it.

Every refusal is a 400 page that says why, with a LogoutResponse that is right in every
other respect, and the logout stays pending (a good answer still completes it)."""
import base64
import html
import zlib
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from lxml import etree

from saml.certificates import new_key_pair
from tests.support.saml_rig import CALLBACK, SLO_URL, TIMEOUT, rigs

SIGNED_OUT = "https://app.example.com/signed-out"


@pytest.fixture(scope="module")
def intruder_keys():
    import time
    return new_key_pair("intruder", time.time())


@pytest.fixture
def rig(cognito, endpoint):
    with rigs(cognito, endpoint, details={"IDPSignout": "true"},
              client={"LogoutURLs": [SIGNED_OUT]}) as make:
        yield make()


class Browser:
    """An httpx client with the browser's cookie jar: signs in through the IdP, then logs
    out (the hosted-UI session cookie is what ties the two)."""

    def __init__(self, rig):
        self.rig = rig
        self.http = httpx.Client(timeout=TIMEOUT)

    def sign_in(self, name_id: str = "erin@example.com") -> None:
        request_id, relay, _ = self.rig.start()
        answer = self.http.post(self.rig.acs, data={
            "SAMLResponse": self.rig.response(in_response_to=request_id, name_id=name_id),
            "RelayState": relay})
        assert answer.status_code == 302 and answer.headers["location"].startswith(CALLBACK)

    def logout(self) -> dict:
        """GET /logout -> the query of the redirect to the IdP's SLO URL."""
        answer = self.http.get(f"{self.rig.endpoint}/logout", params={
            "client_id": self.rig.client_id, "logout_uri": SIGNED_OUT})
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(SLO_URL + "?"), location
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def logs_out_locally(self) -> None:
        """GET /logout goes straight back to the app (no IdP on the way) and the session
        is gone."""
        answer = self.http.get(f"{self.rig.endpoint}/logout", params={
            "client_id": self.rig.client_id, "logout_uri": SIGNED_OUT})
        assert answer.status_code == 302 and answer.headers["location"] == SIGNED_OUT
        assert not self.has_session()

    def answer(self, saml_response: str, relay_state: str) -> httpx.Response:
        return self.http.post(f"{self.rig.endpoint}/saml2/logout",
                              data={"SAMLResponse": saml_response, "RelayState": relay_state})

    def has_session(self) -> bool:
        """authorize without identity_provider: straight back to the app with a session,
        the login page without one."""
        answer = self.http.get(f"{self.rig.endpoint}/oauth2/authorize", params={
            "client_id": self.rig.client_id, "response_type": "code", "scope": "openid",
            "redirect_uri": CALLBACK})
        return answer.status_code == 302 and answer.headers["location"].startswith(CALLBACK)


@pytest.fixture
def browser(rig):
    made = Browser(rig)
    yield made
    made.http.close()


def refused(answer: httpx.Response, text: str) -> None:
    assert answer.status_code == 400, (answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    assert html.escape(text, quote=True) in answer.text, answer.text


def logout_request(query: dict) -> etree._Element:
    return etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15))


def test_logout_goes_through_the_idp_and_ends_the_session(rig, browser):
    browser.sign_in()
    assert browser.has_session()
    query = browser.logout()
    # The request is signed with the pool's key (RSA-SHA256, redirect binding) and names
    # the user the IdP signed in.
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert query["Signature"]
    request = logout_request(query)
    assert request.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}NameID") == \
        "erin@example.com"
    name_id, destination, saml_response = rig.producer().logout_response(query,
                                                                         now=rig.now())
    assert name_id == "erin@example.com"
    assert destination == f"{rig.endpoint}/saml2/logout"   # from the pool's SP metadata
    done = browser.answer(saml_response, query["RelayState"])
    assert done.status_code == 302 and done.headers["location"] == SIGNED_OUT
    assert not browser.has_session()
    # The answer was consumed: the same LogoutResponse again answers no logout in progress.
    refused(browser.answer(saml_response, query["RelayState"]),
            "Invalid SAML logout response: it answers no logout in progress.")


def test_without_idpsignout_logout_stays_local(cognito, endpoint):
    with rigs(cognito, endpoint, client={"LogoutURLs": [SIGNED_OUT]}) as make:
        rig = make()
        browser = Browser(rig)
        browser.sign_in()
        browser.logs_out_locally()
        browser.http.close()


def _other_idp(rig, intruder_keys):
    return rig.producer(keys=intruder_keys)


def _other_entity(rig, intruder_keys):
    return rig.producer(entity_id="https://other-idp.example.com/metadata")


REFUSALS = {
    # name: (how the IdP answers, expected reason)
    "unsigned": (dict(sign=False), "The SAML logout response is not signed."),
    "signed by a key the pool doesn't trust": (
        dict(producer=_other_idp),
        "The signature is not valid for any of the identity provider's certificates."),
    "from another identity provider": (
        dict(producer=_other_entity),
        "The logout response comes from a different identity provider."),
    "the IdP could not sign the user out": (
        dict(status="urn:oasis:names:tc:SAML:2.0:status:Responder"),
        "The identity provider did not sign the user out (Responder)."),
    "issued in the future": (dict(ahead=3600), "The SAML logout response is not valid yet."),
    "issued 11 minutes ago": (dict(ahead=-660), "The SAML logout response is too old."),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_logout_responses_leave_the_logout_pending(name, rig, browser, intruder_keys):
    how, reason = REFUSALS[name]
    how = dict(how)
    browser.sign_in()
    query = browser.logout()
    producer = how.pop("producer", lambda rig, keys: rig.producer())(rig, intruder_keys)
    now = rig.now() + how.pop("ahead", 0)
    _, _, bad = producer.logout_response(query, now=now, **how)
    refused(browser.answer(bad, query["RelayState"]), "Invalid SAML logout response: " + reason)
    # Still pending: the genuine answer completes it.
    _, _, good = rig.producer().logout_response(query, now=rig.now())
    done = browser.answer(good, query["RelayState"])
    assert done.status_code == 302 and done.headers["location"] == SIGNED_OUT


def test_an_answer_to_another_logout_is_refused(rig, cognito, endpoint):
    first, second = Browser(rig), Browser(rig)
    first.sign_in("erin@example.com")
    second.sign_in("finn@example.com")
    first_query, second_query = first.logout(), second.logout()
    _, _, for_first = rig.producer().logout_response(first_query, now=rig.now())
    refused(second.answer(for_first, second_query["RelayState"]),
            "Invalid SAML logout response: The response does not answer the sign-in request.")
    for browser in (first, second):
        browser.http.close()


def test_logout_that_took_too_long(rig, browser, clock):
    clock.pin()
    browser.sign_in()
    query = browser.logout()
    clock.advance(301)                      # pending logouts last 5 minutes
    _, _, late = rig.producer().logout_response(query, now=rig.now())
    refused(browser.answer(late, query["RelayState"]),
            "Invalid SAML logout response: it answers no logout in progress.")


def test_provider_deleted_while_the_user_was_at_the_idp(rig, browser, cognito):
    browser.sign_in()
    query = browser.logout()
    _, _, answer = rig.producer().logout_response(query, now=rig.now())
    cognito.delete_identity_provider(UserPoolId=rig.pool_id, ProviderName=rig.provider_name)
    refused(browser.answer(answer, query["RelayState"]), "The identity provider no longer exists.")


def test_what_is_not_a_logout_response(rig, browser):
    browser.sign_in()
    query = browser.logout()
    relay = query["RelayState"]
    # A sign-in response where a logout response belongs.
    refused(browser.answer(rig.response(in_response_to=None), relay),
            "Invalid SAML logout response: The message is not a SAML logout response.")
    refused(browser.answer("", relay), "Invalid SAML logout response: The SAML logout "
                                       "response is missing.")
    refused(browser.answer("%%%", relay), "Invalid SAML logout response: The SAML logout "
                                          "response is not valid base64.")
    # Cognito starts single logout itself; an IdP's LogoutRequest is not taken.
    refused(browser.http.post(f"{rig.endpoint}/saml2/logout",
                              data={"SAMLRequest": query["SAMLRequest"], "RelayState": relay}),
            "IdP-initiated single logout is not supported by Amazon Cognito user pools.")
    refused(browser.http.post(f"{rig.endpoint}/saml2/logout", content=b"\xff\xfe",
                              headers={"content-type": "application/x-www-form-urlencoded"}),
            "Request body is not UTF-8.")
    # None of it touched the pending logout.
    _, _, good = rig.producer().logout_response(query, now=rig.now())
    done = browser.answer(good, relay)
    assert done.status_code == 302 and done.headers["location"] == SIGNED_OUT


def test_get_is_not_the_binding(rig, browser):
    answer = browser.http.get(f"{rig.endpoint}/saml2/logout?" + urlencode({"RelayState": "x"}))
    assert answer.status_code == 405       # the POST binding only (reference 8.5)


def test_idpsignout_without_a_logout_endpoint_logs_out_locally(rig, cognito):
    """IDPSignout, but the IdP's metadata names no SingleLogoutService: nothing to send
    the LogoutRequest to, so /logout ends the session here and goes on."""
    metadata = etree.fromstring(rig.metadata().encode())
    for slo in metadata.iter("{urn:oasis:names:tc:SAML:2.0:metadata}SingleLogoutService"):
        slo.getparent().remove(slo)
    cognito.update_identity_provider(
        UserPoolId=rig.pool_id, ProviderName=rig.provider_name,
        ProviderDetails={"MetadataFile": etree.tostring(metadata).decode(),
                         "IDPSignout": "true"})
    browser = Browser(rig)
    browser.sign_in()
    browser.logs_out_locally()
    browser.http.close()
