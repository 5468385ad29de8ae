"""A user pool federated with a SAML IdP whose keys the test holds, driven through the
emulator's real HTTP endpoints with httpx: the AuthnRequest /oauth2/authorize sends
(SP-initiated), the response the IdP POSTs to /saml2/idpresponse, the redirect to the app's
callback (a code, or error / error_description), and tokens from /oauth2/token. Pools,
providers and app clients are made through boto3.

The IdP is pysaml2 (tests/support/pysaml2_idp.py), an independent producer with its default
settings: its metadata is what the pool imports, it trusts the pool's SP metadata, and it
signs the Response and the Assertion. Nothing here uses the emulator's own saml/ code to
make what the IdP sends.

    rig = SamlRig(cognito, endpoint, provider_name="Corp", mapping={...},
                  details={"IDPInit": "true"}, pool={"Schema": [...]},
                  lambda_config={...}, client={"WriteAttributes": [...]})
    done = rig.sign_in("ada", {EMAIL: ["ada@example.com"]})      # -> SignIn
    done.code / done.error / done.error_description
    rig.id_claims(done)["cognito:username"]                      # exchanges the code
    rig.delete()

`idp_metadata` imports another IdP's metadata instead of pysaml2's (the samlify IdP's, say);
`encryption_certificate()` and `sp_metadata()` are what an administrator hands that IdP.
"""
from __future__ import annotations

import base64
import contextlib
import html
import time
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from lxml import etree

from saml.certificates import KeyPair, new_key_pair, pem_from_body
from tests.support.factories import claims, delete_pool, unique_name
from tests.support.pysaml2_idp import Pysaml2Producer

EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
CALLBACK = "https://app.example.com/callback"
ENTITY_ID = "https://idp.example.com/metadata"
SSO_URL = "https://idp.example.com/sso"
SLO_URL = "https://idp.example.com/slo"
TIMEOUT = 30

_KEYS: list[KeyPair] = []


def idp_keys() -> KeyPair:
    """One IdP key pair for the whole test session (RSA key generation is slow)."""
    if not _KEYS:
        _KEYS.append(new_key_pair("test IdP", time.time()))
    return _KEYS[0]


@dataclass
class SignIn:
    """How a POST to /saml2/idpresponse ended: `answer` is the HTTP response; for a redirect
    to the app, `params` is the callback's query (code and state, or error and
    error_description)."""
    answer: httpx.Response
    client_id: str

    @property
    def location(self) -> str | None:
        return self.answer.headers.get("location") if self.answer.status_code == 302 else None

    @property
    def params(self) -> dict[str, str]:
        if self.location is None:
            return {}
        return {k: v[0] for k, v in parse_qs(urlsplit(self.location).query,
                                             keep_blank_values=True).items()}

    @property
    def code(self) -> str | None:
        return self.params.get("code")

    @property
    def error(self) -> str | None:
        return self.params.get("error")

    @property
    def error_description(self) -> str | None:
        return self.params.get("error_description")


def error_page(answer: httpx.Response, text: str) -> None:
    """`answer` is the 400 error page /saml2/idpresponse shows for a refused response, and it
    says `text` (the reason proves which check refused it)."""
    assert answer.status_code == 400, (answer.status_code, answer.headers, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    assert html.escape(text, quote=True) in answer.text, answer.text


@contextlib.contextmanager
def rigs(cognito, endpoint: str, **defaults):
    """make(**options) -> a new SamlRig (options over `defaults`); every pool made is
    deleted on exit. The body of the tests' rig-factory fixtures."""
    made: list[SamlRig] = []

    def make(**options) -> SamlRig:
        made.append(SamlRig(cognito, endpoint, **{**defaults, **options}))
        return made[-1]
    try:
        yield make
    finally:
        for rig in made:
            rig.delete()


class SamlRig:
    """A pool federated with a SAML IdP ("Corp" unless named otherwise) and an OAuth app
    client allowed to use it (code grant, redirect URI CALLBACK)."""

    def __init__(self, cognito, endpoint: str, keys: KeyPair | None = None, *,
                 provider_name: str = "Corp", entity_id: str = ENTITY_ID,
                 details: dict | None = None, mapping: dict | None = None,
                 pool: dict | None = None, lambda_config: dict | None = None,
                 client: dict | None = None, scopes: tuple = ("openid", "email"),
                 idp_metadata: str | None = None):
        self.cognito, self.endpoint = cognito, endpoint
        self.keys = keys or idp_keys()
        self.provider_name, self.entity_id = provider_name, entity_id
        self.scopes = list(scopes)
        pool_params = {"PoolName": unique_name("saml"), **(pool or {})}
        if lambda_config:
            pool_params["LambdaConfig"] = lambda_config
        self.pool_id = cognito.create_user_pool(**pool_params)["UserPool"]["Id"]
        self.acs = f"{endpoint}/saml2/idpresponse"
        self.audience = f"urn:amazon:cognito:sp:{self.pool_id}"
        self._producers: dict[tuple, Pysaml2Producer] = {}
        cognito.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName=provider_name, ProviderType="SAML",
            ProviderDetails={"MetadataFile": idp_metadata or self.metadata(),
                             **(details or {})},
            AttributeMapping={"email": EMAIL} if mapping is None else mapping)
        self.client_id = self.add_client(**(client or {}))

    # --- set-up -------------------------------------------------------------------------------

    def producer(self, keys: KeyPair | None = None, entity_id: str | None = None,
                 lifetime_minutes: int = 5) -> Pysaml2Producer:
        """The pysaml2 IdP with these keys and entity id (default: the rig's), trusting the
        pool; assertions valid for lifetime_minutes (pysaml2's policy setting)."""
        key = (keys or self.keys, entity_id or self.entity_id, lifetime_minutes)
        if key not in self._producers:
            self._producers[key] = Pysaml2Producer(key[0], entity_id=key[1], sso_url=SSO_URL,
                                                   slo_url=SLO_URL,
                                                   lifetime_minutes=lifetime_minutes)
        made = self._producers[key]
        if not made.sp_metadata and self._sp_metadata() is not None:
            made.trust(self._sp_metadata())
        return made

    def _sp_metadata(self) -> str | None:
        """The pool's SP metadata, as an administrator would download it for the IdP (None
        before the provider exists)."""
        answer = httpx.get(f"{self.endpoint}/_emulator/saml/{self.pool_id}/"
                           f"{self.provider_name}/metadata.xml", timeout=TIMEOUT)
        return answer.text if answer.status_code == 200 else None

    def metadata(self, entity_id: str | None = None) -> str:
        return self.producer(entity_id=entity_id).metadata()

    def add_client(self, **settings) -> str:
        """Another app client of the pool allowed to sign in through the provider; settings
        are CreateUserPoolClient parameters over the defaults."""
        params = {"ClientName": "app", "SupportedIdentityProviders": [self.provider_name],
                  "CallbackURLs": [CALLBACK], "AllowedOAuthFlows": ["code"],
                  "AllowedOAuthScopes": self.scopes, "AllowedOAuthFlowsUserPoolClient": True,
                  **settings}
        return self.cognito.create_user_pool_client(UserPoolId=self.pool_id, **params)[
            "UserPoolClient"]["ClientId"]

    def provider(self) -> dict:
        return self.cognito.describe_identity_provider(
            UserPoolId=self.pool_id, ProviderName=self.provider_name)["IdentityProvider"]

    def encryption_certificate(self) -> str:
        """The provider's ActiveEncryptionCertificate (PEM): what an IdP encrypts to."""
        return pem_from_body(self.provider()["ProviderDetails"]["ActiveEncryptionCertificate"])

    def sp_metadata(self) -> str:
        """The pool's SP metadata for this provider (entity id, ACS, certificates)."""
        metadata = self._sp_metadata()
        assert metadata is not None
        return metadata

    def idp_initiated(self) -> bool:
        return self.provider()["ProviderDetails"].get("IDPInit") == "true"

    def change_entity_id(self, entity_id: str) -> None:
        """The IdP now calls itself entity_id: new metadata through UpdateIdentityProvider."""
        self.cognito.update_identity_provider(
            UserPoolId=self.pool_id, ProviderName=self.provider_name,
            ProviderDetails={"MetadataFile": self.metadata(entity_id)})
        self.entity_id = entity_id

    def delete(self) -> None:
        delete_pool(self.cognito, self.pool_id)
        for producer in self._producers.values():
            producer.close()

    # --- the IdP's side -----------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock (tests may pin or advance it)."""
        return httpx.get(f"{self.endpoint}/_emulator/clock", timeout=TIMEOUT).json()["now"]

    def start(self, client_id: str | None = None, state: str = "xyz"
              ) -> tuple[str, str, dict]:
        """SP-initiated: /oauth2/authorize -> (AuthnRequest ID, RelayState, the query of the
        redirect to the IdP)."""
        answer = httpx.get(f"{self.endpoint}/oauth2/authorize", timeout=TIMEOUT, params={
            "client_id": client_id or self.client_id, "response_type": "code",
            "scope": " ".join(self.scopes), "redirect_uri": CALLBACK,
            "identity_provider": self.provider_name, "state": state})
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(SSO_URL + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        request = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15))
        assert request.get("AssertionConsumerServiceURL") == self.acs
        return request.get("ID"), query["RelayState"], query

    def relay(self, client_id: str | None = None) -> str:
        """IdP-initiated: the RelayState is the authorize query."""
        return urlencode({"identity_provider": self.provider_name,
                          "client_id": client_id or self.client_id, "redirect_uri": CALLBACK,
                          "response_type": "code", "scope": " ".join(self.scopes)})

    def response(self, *, in_response_to: str | None, now: float | None = None,
                 name_id: str = "erin@example.com", attributes: dict | None = None,
                 keys: KeyPair | None = None, encrypt: bool = False,
                 sign_response: bool = True, sign_assertion: bool = True,
                 self_contained: bool = True, audience: str | None = None,
                 acs_url: str | None = None, lifetime_minutes: int = 5) -> str:
        """A SAMLResponse (base64) from the pysaml2 IdP, made at `now` (default: the
        emulator's clock); attributes default to {EMAIL: [name_id]}. A genuine response for
        another SP (audience: its entity id) or another ACS (acs_url) is how the IdP would
        answer that SP; `keys` other than the rig's make an IdP the pool doesn't trust."""
        producer = self.producer(keys, lifetime_minutes=lifetime_minutes)
        sp_entity_id = self.audience
        if audience is not None and audience != self.audience:
            sp_entity_id = producer.trust(self._sp_metadata().replace(
                f'entityID="{self.audience}"', f'entityID="{audience}"'))
        return producer.authn_response(
            sp_entity_id=sp_entity_id, name_id=name_id,
            attributes={EMAIL: [name_id]} if attributes is None else attributes,
            in_response_to=in_response_to, now=self.now() if now is None else now,
            destination=acs_url or self.acs, sign_response=sign_response,
            sign_assertion=sign_assertion, encrypt=encrypt, self_contained=self_contained)

    def post(self, saml_response: str, relay_state: str) -> httpx.Response:
        return httpx.post(self.acs, timeout=TIMEOUT,
                          data={"SAMLResponse": saml_response, "RelayState": relay_state})

    # --- whole sign-ins -----------------------------------------------------------------------

    def sign_in(self, name_id: str, attributes: dict | None = None, *,
                client_id: str | None = None, idp_initiated: bool | None = None,
                **options) -> SignIn:
        """The IdP sends a response for name_id with these SAML attributes; IdP-initiated
        when the provider has IDPInit (unless idp_initiated says), else SP-initiated.
        Ends at the redirect: a code, or error / error_description."""
        client_id = client_id or self.client_id
        if idp_initiated is None:
            idp_initiated = self.idp_initiated()
        if idp_initiated:
            request_id, relay = None, self.relay(client_id)
        else:
            request_id, relay, _ = self.start(client_id)
        saml_response = self.response(in_response_to=request_id, name_id=name_id,
                                      attributes=attributes, **options)
        done = SignIn(self.post(saml_response, relay), client_id)
        assert done.location is not None, (done.answer.status_code, done.answer.text[:500])
        assert done.location.startswith(CALLBACK + "?"), done.location
        return done

    def tokens(self, done: SignIn | str) -> dict:
        """/oauth2/token for the code of a sign-in (or of a callback URL)."""
        if isinstance(done, SignIn):
            code, client_id = done.code, done.client_id
        else:
            code, client_id = parse_qs(urlsplit(done).query)["code"][0], self.client_id
        assert code, f"no code: {done}"
        answer = httpx.post(f"{self.endpoint}/oauth2/token", timeout=TIMEOUT, data={
            "grant_type": "authorization_code", "client_id": client_id, "code": code,
            "redirect_uri": CALLBACK})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def id_claims(self, done: SignIn) -> dict:
        return claims(self.tokens(done)["id_token"])

    def signed_in_as(self, name_id: str, attributes: dict | None = None, **options) -> str:
        """Sign in, redeem the code: the username the ID token names."""
        done = self.sign_in(name_id, attributes, **options)
        assert done.code, done.params
        return self.id_claims(done)["cognito:username"]

    def refused(self, name_id: str, attributes: dict | None = None, **options) -> str:
        """Sign in expecting the app to get error=invalid_request: its error_description."""
        done = self.sign_in(name_id, attributes, **options)
        assert done.error == "invalid_request" and "code" not in done.params, done.params
        return done.error_description

    def users(self) -> list[dict]:
        return self.cognito.list_users(UserPoolId=self.pool_id)["Users"]
