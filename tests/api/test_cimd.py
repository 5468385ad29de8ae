"""Client ID Metadata Document (CIMD) policies through boto3, and /oauth2/authorize → /login →
/oauth2/token with a metadata-document URL as client_id. The documents come from a small
http.server on 127.0.0.1 started here: the emulator fetches https URLs of a loopback host over
plain http (emulator-only; domain/cimd.py), so the URLs, the policies' patterns and the
documents' client_id stay https as the model requires."""
import base64
import hashlib
import html
import json
import secrets
import threading
import uuid
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import claims, delete_pool, error, unique_name
from tests.support.server import RunningServer

PASSWORD = "Passw0rd!x1"
CALLBACK = "http://localhost:4000/callback"
DAY, YEAR = 86400, 31556952


# --- the documents' server --------------------------------------------------------------------

class DocumentServer:
    """Serves {path: (status, body bytes)}; a path in `slow` answers only once `release` is
    set (or after 10 s), to show the emulator's fetch timeout."""

    def __init__(self):
        self.documents: dict[str, tuple[int, bytes]] = {}
        self.slow: set[str] = set()
        self.release = threading.Event()
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.hits.append(self.path)
                if self.path in outer.slow:
                    outer.release.wait(10)
                status, body = outer.documents.get(self.path, (404, b"{}"))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the emulator gave up waiting

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, document, status: int = 200) -> str:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.documents[path] = (status, body)
        return self.url(path)

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def docs():
    server = DocumentServer()
    yield server
    server.close()


def document(url: str, **fields) -> dict:
    out = {"client_id": url, "client_name": "Tool", "redirect_uris": [CALLBACK],
           "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
           "token_endpoint_auth_method": "none"}
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


# --- a pool on its own domain, an app client, a user ---------------------------------------------

class Setup:
    def __init__(self, cognito, endpoint, docs):
        self.cognito, self.docs = cognito, docs
        self.pool_id = cognito.create_user_pool(PoolName=unique_name("cimd"))["UserPool"]["Id"]
        self.domain = f"cimd-{uuid.uuid4().hex[:10]}"
        cognito.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        self.client_id = cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="cimd-template",
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"], CallbackURLs=["https://app/cb"],
            SupportedIdentityProviders=["COGNITO"],
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.prefix = f"/{uuid.uuid4().hex[:12]}"
        self.pattern = docs.url(f"{self.prefix}/*")
        self.web = httpx.Client(base_url=endpoint, timeout=30,
                                headers={"Host": f"{self.domain}.auth.localhost"})
        cognito.admin_create_user(
            UserPoolId=self.pool_id, Username="alice", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                            {"Name": "email_verified", "Value": "true"}])
        cognito.admin_set_user_password(UserPoolId=self.pool_id, Username="alice",
                                        Password=PASSWORD, Permanent=True)

    def policy(self, **params) -> dict:
        params = {"UserPoolId": self.pool_id, "ClientId": self.client_id,
                  "PolicyName": "tools", "URLPatterns": [self.pattern], **params}
        return self.cognito.create_cimd_policy(**params)["CIMDPolicy"]

    def serve(self, name: str, **fields) -> str:
        url = self.docs.url(f"{self.prefix}/{name}")
        return self.docs.serve(f"{self.prefix}/{name}", document(url, **fields))

    def authorize(self, client_id: str, **extra) -> httpx.Response:
        params = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK,
                  "state": "st-1", "scope": "openid email", **extra}
        return self.web.get("/oauth2/authorize", params={k: v for k, v in params.items()
                                                         if v is not None})

    def sign_in(self, client_id: str, verifier: str, **extra) -> str:
        """The code the flow ends with."""
        answer = self.authorize(client_id, code_challenge=challenge_of(verifier),
                                code_challenge_method="S256", **extra)
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"].startswith("/login?")
        page = self.web.get(answer.headers["location"])
        assert page.status_code == 200, page.text
        form = login_form(page.text)
        done = self.web.post(form["action"], data={**form["fields"], "username": "alice",
                                                   "password": PASSWORD})
        assert done.status_code == 302, done.text
        location = done.headers["location"]
        assert location.startswith(CALLBACK + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["state"] == "st-1"
        return query["code"]

    def token(self, **data) -> httpx.Response:
        return self.web.post("/oauth2/token", data=data)

    def close(self):
        self.web.close()
        self.cognito.delete_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        delete_pool(self.cognito, self.pool_id)


@pytest.fixture
def setup(cognito, endpoint, docs):
    made = Setup(cognito, endpoint, docs)
    yield made
    made.close()


class _LoginForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "fields": {}}
            self.forms[attrs.get("name") or ""] = self._current
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def login_form(text: str) -> dict:
    parser = _LoginForm()
    parser.feed(text)
    return parser.forms["signin"]


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def refused_page(answer: httpx.Response) -> str:
    """The error page's text (the redirect_uri is not trusted before the document is)."""
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return html.unescape(answer.text)


# --- the policy operations --------------------------------------------------------------------

def test_create_describe_update_list_delete(setup, cognito):
    created = setup.policy(PolicyName="tools", CacheDuration=2 * DAY)
    policy_id = created["CIMDPolicyId"]
    assert created["UserPoolId"] == setup.pool_id and created["ClientId"] == setup.client_id
    assert created["PolicyName"] == "tools" and created["CacheDuration"] == 2 * DAY
    assert created["URLPatterns"] == [setup.pattern]
    assert created["CreationDate"] == created["LastModifiedDate"]
    described = cognito.describe_cimd_policy(UserPoolId=setup.pool_id,
                                             CIMDPolicyId=policy_id)["CIMDPolicy"]
    assert described == created

    other = "https://tools.example.com/cimd/*"
    updated = cognito.update_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id,
                                         ClientId=setup.client_id,
                                         URLPatterns=[setup.pattern, other])["CIMDPolicy"]
    # PolicyName and CacheDuration left out: kept.
    assert updated["PolicyName"] == "tools" and updated["CacheDuration"] == 2 * DAY
    assert updated["URLPatterns"] == [setup.pattern, other]

    second = setup.policy(PolicyName="defaults")
    assert second["CacheDuration"] == DAY  # the documented default
    listed = cognito.list_cimd_policies(UserPoolId=setup.pool_id)["CIMDPolicies"]
    assert {p["CIMDPolicyId"] for p in listed} == {policy_id, second["CIMDPolicyId"]}
    assert all("URLPatterns" not in p and p["ClientId"] == setup.client_id for p in listed)
    first_page = cognito.list_cimd_policies(UserPoolId=setup.pool_id, MaxResults=1)
    assert len(first_page["CIMDPolicies"]) == 1
    rest = cognito.list_cimd_policies(UserPoolId=setup.pool_id, MaxResults=1,
                                      NextToken=first_page["NextToken"])
    assert len(rest["CIMDPolicies"]) == 1 and "NextToken" not in rest
    paged = [*first_page["CIMDPolicies"], *rest["CIMDPolicies"]]
    assert {p["CIMDPolicyId"] for p in paged} == {policy_id, second["CIMDPolicyId"]}

    cognito.delete_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id)
    with pytest.raises(ClientError) as exc:
        cognito.describe_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.delete_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_policy_refusals(setup, cognito, unchecked):
    """`unchecked`: boto3 without its own parameter validation, so the server's answers."""
    base = {"UserPoolId": setup.pool_id, "ClientId": setup.client_id, "PolicyName": "p",
            "URLPatterns": [setup.pattern]}
    cases = [
        ({"UserPoolId": "us-east-1_nosuchpool"}, "ResourceNotFoundException"),
        ({"ClientId": "nosuchclient1234567890"}, "ResourceNotFoundException"),
        ({"URLPatterns": ["http://tools.example.com/*"]}, "InvalidParameterException"),
        ({"URLPatterns": ["https://*/client.json"]}, "InvalidParameterException"),
        ({"URLPatterns": [setup.pattern, setup.pattern]}, "InvalidParameterException"),
        ({"URLPatterns": [f"https://t{i}.example.com/*" for i in range(6)]},
         "InvalidParameterException"),
        ({"CacheDuration": DAY - 1}, "InvalidParameterException"),
        ({"CacheDuration": YEAR + 1}, "InvalidParameterException"),
    ]
    for change, code in cases:
        with pytest.raises(ClientError) as exc:
            unchecked.create_cimd_policy(**{**base, **change})
        assert error(exc)[0] == code, change
    # Each limit itself is accepted.
    for change in ({"CacheDuration": DAY}, {"CacheDuration": YEAR},
                   {"URLPatterns": [f"https://t{i}.example.com/*" for i in range(5)]}):
        assert cognito.create_cimd_policy(**{**base, **change})["CIMDPolicy"]["CIMDPolicyId"]
    with pytest.raises(ClientError) as exc:
        cognito.update_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId="nosuchpolicy",
                                   ClientId=setup.client_id, URLPatterns=[setup.pattern])
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.list_client_metadata_urls(UserPoolId=setup.pool_id, CIMDPolicyId="nosuchpolicy")
    assert error(exc)[0] == "ResourceNotFoundException"


def test_policy_limit_per_pool(setup, cognito):
    for i in range(20):
        setup.policy(PolicyName=f"p{i}")
    with pytest.raises(ClientError) as exc:
        setup.policy(PolicyName="one-too-many")
    assert error(exc)[0] == "LimitExceededException"


def test_client_id_left_out_once_the_app_client_is_gone(setup, cognito):
    policy_id = setup.policy()["CIMDPolicyId"]
    cognito.delete_user_pool_client(UserPoolId=setup.pool_id, ClientId=setup.client_id)
    described = cognito.describe_cimd_policy(UserPoolId=setup.pool_id,
                                             CIMDPolicyId=policy_id)["CIMDPolicy"]
    assert "ClientId" not in described
    listed = cognito.list_cimd_policies(UserPoolId=setup.pool_id)["CIMDPolicies"]
    assert "ClientId" not in listed[0]


# --- the flow ----------------------------------------------------------------------------------

def test_authorize_login_code_token_with_a_metadata_url(setup, cognito):
    policy_id = setup.policy()["CIMDPolicyId"]
    url = setup.serve("tool.json")
    verifier = secrets.token_urlsafe(48)
    code = setup.sign_in(url, verifier)

    tokens = setup.token(grant_type="authorization_code", client_id=url, code=code,
                         redirect_uri=CALLBACK, code_verifier=verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    id_claims, access = claims(body["id_token"]), claims(body["access_token"])
    # Tokens name the policy's app client (UNCONFIRMED in domain/cimd.py).
    assert id_claims["aud"] == setup.client_id and access["client_id"] == setup.client_id
    assert access["scope"].split() == ["openid", "email"]
    assert id_claims["email"] == "alice@example.com"

    again = setup.token(grant_type="refresh_token", client_id=url,
                        refresh_token=body["refresh_token"])
    assert again.status_code == 200, again.text
    assert claims(again.json()["access_token"])["username"] == "alice"

    listed = cognito.list_client_metadata_urls(UserPoolId=setup.pool_id,
                                               CIMDPolicyId=policy_id)["ClientMetadataURLs"]
    assert [u["URL"] for u in listed] == [url]
    cached_for = listed[0]["ExpirationDate"] - listed[0]["CachedDate"]
    assert abs(cached_for.total_seconds() - DAY) < 0.01


def test_the_document_is_cached_until_invalidated_or_refreshed(setup, cognito, docs):
    policy_id = setup.policy()["CIMDPolicyId"]
    url = setup.serve("cached.json")
    path = urlsplit(url).path
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    assert docs.hits.count(path) == 1  # the second request used the cached copy

    # The document changes: the cached copy still answers until INVALIDATE.
    setup.serve("cached.json", redirect_uris=["http://localhost:4000/other"])
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    cognito.update_client_metadata_url_state(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id,
                                             URL=url, Action="INVALIDATE")
    listed = cognito.list_client_metadata_urls(UserPoolId=setup.pool_id,
                                               CIMDPolicyId=policy_id)["ClientMetadataURLs"]
    assert listed == [{"URL": url}]  # received, no longer cached
    with pytest.raises(ClientError) as exc:
        cognito.update_client_metadata_url_state(UserPoolId=setup.pool_id,
                                                 CIMDPolicyId=policy_id, URL=url,
                                                 Action="INVALIDATE")
    assert error(exc)[0] == "CachedCIMDURLDoesNotExistException"
    assert "redirect_mismatch" in refused_page(setup.authorize(
        url, code_challenge=challenge_of("v" * 43), code_challenge_method="S256"))
    assert docs.hits.count(path) == 2

    # REFRESH fetches again at once.
    setup.serve("cached.json")
    cognito.update_client_metadata_url_state(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id,
                                             URL=url, Action="REFRESH")
    assert docs.hits.count(path) == 3
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    with pytest.raises(ClientError) as exc:
        cognito.update_client_metadata_url_state(UserPoolId=setup.pool_id,
                                                 CIMDPolicyId=policy_id,
                                                 URL=setup.docs.url(f"{setup.prefix}/never.json"),
                                                 Action="REFRESH")
    assert error(exc)[0] == "CachedCIMDURLDoesNotExistException"


def test_an_expired_copy_is_fetched_again(setup, clock, docs):
    setup.policy()
    url = setup.serve("expiring.json")
    path = urlsplit(url).path
    clock.pin()
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    clock.advance(DAY - 1)
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    assert docs.hits.count(path) == 1
    clock.advance(1)
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    assert docs.hits.count(path) == 2


def test_authorize_refusals(setup, cognito, docs):
    setup.policy()
    pkce = {"code_challenge": challenge_of("v" * 43), "code_challenge_method": "S256"}
    outside = docs.serve("/elsewhere/tool.json",
                         document(docs.url("/elsewhere/tool.json")))
    assert "does not match a URL pattern" in refused_page(setup.authorize(outside, **pkce))

    other_id = setup.docs.url(f"{setup.prefix}/someone-else.json")
    wrong_id = docs.serve(f"{setup.prefix}/wrong-id.json", document(other_id))
    assert "client_id other than its URL" in refused_page(setup.authorize(wrong_id, **pkce))

    listed = setup.serve("listed.json")
    assert "redirect_mismatch" in refused_page(
        setup.authorize(listed, redirect_uri="http://localhost:4000/not-listed", **pkce))

    big = setup.serve("big.json", client_name="x" * 6000)
    assert "could not be retrieved" in refused_page(setup.authorize(big, **pkce))
    # Just under the 5 KiB limit is accepted.
    size = len(json.dumps(document(setup.docs.url(f"{setup.prefix}/fits.json"))))
    fits = setup.serve("fits.json", client_name="x" * (5 * 1024 - size + len("Tool")))
    assert len(docs.documents[f"{setup.prefix}/fits.json"][1]) == 5 * 1024
    assert setup.authorize(fits, **pkce).status_code == 302

    missing = setup.docs.url(f"{setup.prefix}/missing.json")
    assert "could not be retrieved" in refused_page(setup.authorize(missing, **pkce))
    not_json = docs.serve(f"{setup.prefix}/not-json.json", b"<html></html>")
    assert "is not JSON" in refused_page(setup.authorize(not_json, **pkce))
    secret = setup.serve("secret.json", client_secret="s3cret")
    assert "client secret" in refused_page(setup.authorize(secret, **pkce))
    confidential = setup.serve("basic.json", token_endpoint_auth_method="client_secret_basic")
    assert "token_endpoint_auth_method none" in refused_page(
        setup.authorize(confidential, **pkce))
    http_url = docs.url(f"{setup.prefix}/plain.json").replace("https://", "http://")
    assert "must be an https URL" in refused_page(setup.authorize(http_url, **pkce))

    # Without the pool's domain there is no pool whose policies apply.
    plain = setup.web.get("/oauth2/authorize", headers={"Host": "127.0.0.1"},
                          params={"client_id": listed, "response_type": "code",
                                  "redirect_uri": CALLBACK})
    assert "only on the user pool's domain" in refused_page(plain)

    # A public client: PKCE is required (back to the valid redirect_uri).
    answer = setup.authorize(listed)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(CALLBACK + "?error=invalid_request")


def test_a_slow_document_server_times_out(docs):
    with RunningServer(["--in-memory", "--log-level", "warning"],
                       env={"COGNITO_EMULATOR_CIMD_FETCH_TIMEOUT": "0.5"}) as private:
        own = make_client(private.url)
        made = Setup(own, private.url, docs)
        try:
            made.policy()
            url = made.serve("slow.json")
            docs.slow.add(urlsplit(url).path)
            answer = made.authorize(url, code_challenge=challenge_of("v" * 43),
                                    code_challenge_method="S256")
            assert "could not be retrieved" in refused_page(answer)
            assert "0.5 s" in answer.text
        finally:
            docs.release.set()
            made.close()


def test_token_endpoint_refusals(setup, cognito):
    setup.policy()
    url = setup.serve("tokens.json")
    other = setup.serve("other.json", redirect_uris=["http://localhost:4000/elsewhere"])
    verifier = secrets.token_urlsafe(48)
    code = setup.sign_in(url, verifier)
    # A secret: metadata clients are public.
    answer = setup.token(grant_type="authorization_code", client_id=url, client_secret="x",
                         code=code, redirect_uri=CALLBACK, code_verifier=verifier)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    # A URL never seen at /oauth2/authorize.
    unseen = setup.serve("unseen.json")
    answer = setup.token(grant_type="authorization_code", client_id=unseen, code=code,
                         redirect_uri=CALLBACK, code_verifier=verifier)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    # Another metadata client of the same policy whose document lacks the redirect_uri.
    assert setup.authorize(other, redirect_uri="http://localhost:4000/elsewhere",
                           code_challenge=challenge_of(verifier),
                           code_challenge_method="S256").status_code == 302
    answer = setup.token(grant_type="authorization_code", client_id=other, code=code,
                         redirect_uri=CALLBACK, code_verifier=verifier)
    assert answer.json() == {"error": "invalid_grant"}
    good = setup.token(grant_type="authorization_code", client_id=url, code=code,
                       redirect_uri=CALLBACK, code_verifier=verifier)
    assert good.status_code == 200, good.text
    # client_credentials is not for metadata clients.
    answer = setup.token(grant_type="client_credentials", client_id=url)
    assert answer.json() == {"error": "unauthorized_client"}


def test_refresh_needs_the_documents_grant_type(setup):
    setup.policy()
    url = setup.serve("no-refresh.json", grant_types=["authorization_code"])
    verifier = secrets.token_urlsafe(48)
    code = setup.sign_in(url, verifier)
    body = setup.token(grant_type="authorization_code", client_id=url, code=code,
                       redirect_uri=CALLBACK, code_verifier=verifier).json()
    answer = setup.token(grant_type="refresh_token", client_id=url,
                         refresh_token=body["refresh_token"])
    assert answer.json() == {"error": "unauthorized_client"}


def test_updating_the_patterns_forgets_urls_outside_them(setup, cognito):
    policy_id = setup.policy()["CIMDPolicyId"]
    url = setup.serve("kept.json")
    assert setup.authorize(url, code_challenge=challenge_of("v" * 43),
                           code_challenge_method="S256").status_code == 302
    cognito.update_cimd_policy(UserPoolId=setup.pool_id, CIMDPolicyId=policy_id,
                               ClientId=setup.client_id,
                               URLPatterns=["https://tools.example.com/*"])
    assert cognito.list_client_metadata_urls(
        UserPoolId=setup.pool_id, CIMDPolicyId=policy_id)["ClientMetadataURLs"] == []
    assert "does not match a URL pattern" in refused_page(setup.authorize(
        url, code_challenge=challenge_of("v" * 43), code_challenge_method="S256"))


def test_logout_uses_the_documents_post_logout_redirect_uris(setup):
    setup.policy()
    bye = "http://localhost:4000/bye"
    url = setup.serve("logout.json", post_logout_redirect_uris=[bye])
    setup.sign_in(url, secrets.token_urlsafe(48))
    answer = setup.web.get("/logout", params={"client_id": url, "logout_uri": bye})
    assert answer.status_code == 302 and answer.headers["location"] == bye
    refused = setup.web.get("/logout", params={"client_id": url,
                                               "logout_uri": "http://localhost:4000/other"})
    assert "not one of the app client's sign-out URLs" in refused_page(refused)
