"""IAM identity providers as identity-pool logins (docs/IDENTITY_POOLS.md, "IAM identity
providers"), with independent producers on both sides:

- OIDC: the npm `oidc-provider` package (tests/node/oidc_provider.mjs) is the issuer, with
  its own key; a genuine ID token comes from a scripted login through its development
  interactions and its token endpoint (authorization code + PKCE) over HTTP.
- SAML: pysaml2 with its default settings (tests/support/pysaml2_idp.py) makes IdP-initiated
  responses for the AWS service provider (audience and recipient
  https://signin.aws.amazon.com/saml), with the https://aws.amazon.com/SAML/Attributes/Role
  attribute.

The emulator runs with a config file whose `iam:` section registers both; its clock is
moved with the `clock` fixture (this module's server)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from saml.certificates import new_key_pair
from tests.conftest import make_client
from tests.support.clients import NODE_DIR, requires
from tests.support.factories import error, unique_name
from tests.support.pysaml2_idp import Pysaml2Producer
from tests.support.server import ROOT, RunningServer

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{{}}"
AUTH, SALES, ENGINEERS = ROLE.format("Fed_Auth"), ROLE.format("Sales"), ROLE.format("Engineers")
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
AWS_SP = "https://signin.aws.amazon.com/saml"         # audience and recipient AWS expects
AWS_SP_URN = "urn:amazon:webservices"                 # the entityID of AWS's SP metadata
SAML_NAME = "CorpIdP"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/{SAML_NAME}"
OTHER_SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/PartnerIdP"
CLIENT, CLIENT_SECRET = "my-app", "my-app-secret-0123456789abcdef"
OTHER_CLIENT, OTHER_SECRET = "other-app", "other-app-secret-0123456789abcdef"
REDIRECT = "https://app.example.com/callback"
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."


def aws_sp_metadata(entity_id: str) -> str:
    """What pysaml2 trusts: AWS sign-in as a service provider (the POST binding to
    https://signin.aws.amazon.com/saml)."""
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
 entityID="{entity_id}"><md:SPSSODescriptor
 protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService index="1" isDefault="true"
 Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{AWS_SP}"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""


def pysaml2_idp(entity_id: str) -> Pysaml2Producer:
    producer = Pysaml2Producer(new_key_pair("pysaml2 IdP for identity pools", time.time()),
                               entity_id=entity_id, sso_url=f"{entity_id}/sso",
                               slo_url=f"{entity_id}/slo")
    producer.trust(aws_sp_metadata(AWS_SP))
    producer.trust(aws_sp_metadata(AWS_SP_URN))
    return producer


# --- the module's emulator, with an `iam:` section -------------------------------------------

@pytest.fixture(scope="module")
def corp_idp():
    producer = pysaml2_idp("https://idp.corp.example/saml")
    yield producer
    producer.close()


@pytest.fixture(scope="module")
def issuer():
    """oidc-provider on a free loopback port, mounted at /realms/test (or None without Node's
    test clients: only the OIDC tests need it)."""
    if not (NODE_DIR / "node_modules" / "oidc-provider").exists():
        yield None
        return
    clients = [{"client_id": CLIENT, "client_secret": CLIENT_SECRET},
               {"client_id": OTHER_CLIENT, "client_secret": OTHER_SECRET}]
    proc = subprocess.Popen(["node", str(NODE_DIR / "oidc_provider.mjs"),
                             json.dumps({"mount": "/realms/test", "clients": clients})],
                            cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        yield json.loads(proc.stdout.readline())["issuer"]
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory, corp_idp, issuer):
    folder = tmp_path_factory.mktemp("federation")
    (folder / "corp-idp.xml").write_text(corp_idp.metadata())
    oidc = f"    - url: {issuer}\n      client_ids: [{CLIENT}]\n" if issuer else ""
    (folder / "config.yaml").write_text(
        "iam:\n"
        f"  oidc_providers:\n{oidc or '    []'}\n"
        "  saml_providers:\n"
        f"    - name: {SAML_NAME}\n"
        "      metadata_file: corp-idp.xml\n")
    with RunningServer(["--in-memory", "--log-level", "warning",
                        "--config", str(folder / "config.yaml")]) as running:
        yield running


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return server.url


@pytest.fixture(scope="module")
def identity(endpoint):
    return make_client(endpoint, service="cognito-identity")


@pytest.fixture
def new_pool(identity):
    """new_pool(roles=..., mappings=..., **CreateIdentityPool params) -> pool id."""
    made = []

    def make(roles=None, mappings=None, **params):
        pool_id = identity.create_identity_pool(
            IdentityPoolName=unique_name("federation"), AllowUnauthenticatedIdentities=False,
            **params)["IdentityPoolId"]
        made.append(pool_id)
        role_params = {"IdentityPoolId": pool_id,
                       "Roles": {"authenticated": AUTH} if roles is None else roles}
        if mappings:
            role_params["RoleMappings"] = mappings
        identity.set_identity_pool_roles(**role_params)
        return pool_id
    yield make
    for pool_id in made:
        identity.delete_identity_pool(IdentityPoolId=pool_id)


def refused(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**params)
    return error(exc)


def credentials(identity, pool_id: str, logins: dict, **extra) -> tuple[str, dict]:
    """GetId + GetCredentialsForIdentity with the same Logins (the enhanced flow)."""
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    answer = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins,
                                                   **extra)
    assert answer["IdentityId"] == identity_id
    return identity_id, answer["Credentials"]


def issued_role(http, identity_id: str) -> str:
    issued = http.get("/_emulator/credentials", params={"identityId": identity_id}).json()
    return issued["credentials"][-1]["RoleArn"]


# --- OIDC: oidc-provider as the issuer --------------------------------------------------------

def id_token(issuer: str, user: str, *, client_id: str = CLIENT,
             secret: str = CLIENT_SECRET) -> str:
    """A genuine ID token: authorization code + PKCE through oidc-provider's development
    login and consent pages, then its token endpoint."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with httpx.Client(timeout=10) as browser:
        discovery = browser.get(f"{issuer}/.well-known/openid-configuration").json()
        page = browser.get(discovery["authorization_endpoint"], params={
            "client_id": client_id, "response_type": "code", "redirect_uri": REDIRECT,
            "scope": "openid email profile", "state": "st", "nonce": "nn",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        for _ in range(10):
            location = page.headers.get("location")
            if location and location.startswith(REDIRECT):
                break
            if location:
                page = browser.get(page.url.join(location))
            elif 'name="login"' in page.text:
                page = browser.post(page.url, data={"prompt": "login", "login": user,
                                                    "password": "any"})
            else:
                assert 'value="consent"' in page.text, page.text[:500]
                page = browser.post(page.url, data={"prompt": "consent"})
        code = parse_qs(urlsplit(location).query)["code"][0]
        tokens = browser.post(discovery["token_endpoint"], auth=(client_id, secret), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier})
        assert tokens.status_code == 200, tokens.text
        return tokens.json()["id_token"]


@pytest.fixture
def oidc(issuer):
    """(Logins key, OIDC provider ARN) of the registered oidc-provider issuer."""
    name = issuer.split("://", 1)[1]
    return name, f"arn:aws:iam::{ACCOUNT}:oidc-provider/{name}"


@requires("node_modules")
def test_an_oidc_provider_login_is_linked_and_a_rules_mapping_on_its_claim_picks_the_role(
        identity, new_pool, http, issuer, oidc):
    name, arn = oidc
    pool_id = new_pool(OpenIdConnectProviderARNs=[arn], mappings={name: {
        "Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
        "RulesConfiguration": {"Rules": [
            {"Claim": "department", "MatchType": "Equals", "Value": "sales",
             "RoleARN": SALES}]}}})
    alice = id_token(issuer, "alice")
    identity_id, creds = credentials(identity, pool_id, {name: alice})
    assert creds["AccessKeyId"].startswith("ASIA")
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [name]
    assert issued_role(http, identity_id) == SALES
    # The same subject again is the same identity; another one's claim doesn't match the rule.
    assert identity.get_id(IdentityPoolId=pool_id,
                           Logins={name: id_token(issuer, "alice")})["IdentityId"] == identity_id
    bob, _ = credentials(identity, pool_id, {name: id_token(issuer, "bob")})
    assert bob != identity_id and issued_role(http, bob) == AUTH


@requires("node_modules")
def test_an_id_token_for_a_client_id_the_provider_does_not_list_is_refused(
        identity, new_pool, issuer, oidc):
    name, arn = oidc
    pool_id = new_pool(OpenIdConnectProviderARNs=[arn])
    token = id_token(issuer, "alice", client_id=OTHER_CLIENT, secret=OTHER_SECRET)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == OTHER_CLIENT
    assert refused(identity.get_id, IdentityPoolId=pool_id, Logins={name: token}) == (
        "NotAuthorizedException", "Invalid login token. Incorrect token audience.")


@requires("node_modules")
def test_an_expired_id_token_is_refused_on_the_emulator_clock(
        identity, new_pool, clock, issuer, oidc):
    name, arn = oidc
    pool_id = new_pool(OpenIdConnectProviderARNs=[arn])
    token = id_token(issuer, "alice")
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert identity.get_id(IdentityPoolId=pool_id, Logins={name: token})["IdentityId"]
    clock.pin(exp)
    code, message = refused(identity.get_id, IdentityPoolId=pool_id, Logins={name: token})
    assert (code, message) == ("NotAuthorizedException",
                               f"Invalid login token. Token expired: {exp} >= {exp}")
    clock.pin(exp - 1)
    assert identity.get_id(IdentityPoolId=pool_id, Logins={name: token})["IdentityId"]


@requires("node_modules")
def test_an_id_token_signed_by_another_key_is_refused(identity, new_pool, issuer, oidc):
    name, arn = oidc
    pool_id = new_pool(OpenIdConnectProviderARNs=[arn])
    genuine = jwt.decode_complete(id_token(issuer, "alice"), options={"verify_signature": False})
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # The same claims and the issuer's own kid: only the signature is wrong.
    forged = jwt.encode(genuine["payload"], forger, algorithm="RS256",
                        headers={"kid": genuine["header"]["kid"]})
    assert refused(identity.get_id, IdentityPoolId=pool_id, Logins={name: forged}) == (
        "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")


@requires("node_modules")
def test_an_issuer_the_iam_section_does_not_register_is_refused_naming_it(
        identity, new_pool, issuer):
    unregistered = issuer.split("://", 1)[1] + "-elsewhere"
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{unregistered}"
    pool_id = new_pool(OpenIdConnectProviderARNs=[arn])
    code, message = refused(identity.get_id, IdentityPoolId=pool_id,
                            Logins={unregistered: id_token(issuer, "alice")})
    assert code == "ResourceNotFoundException"
    assert message == (f"The OpenID Connect provider {arn} is not registered with this Cognito "
                       f"emulator: declare it under iam: oidc_providers in the config file "
                       f"(--config).")


@requires("node_modules")
def test_a_registered_issuer_the_pool_does_not_list_is_not_supported(
        identity, new_pool, issuer, oidc):
    name, _ = oidc
    pool_id = new_pool(OpenIdConnectProviderARNs=[])
    assert refused(identity.get_id, IdentityPoolId=pool_id,
                   Logins={name: id_token(issuer, "alice")}) == (
        "NotAuthorizedException", NOT_SUPPORTED)


# --- SAML: pysaml2 as the IdP -----------------------------------------------------------------

def saml_response(producer: Pysaml2Producer, clock, user: str = "carol@example.com", *,
                  roles: list[str] | None = None, audience: str = AWS_SP,
                  department: str = "sales") -> str:
    """An IdP-initiated response made by pysaml2 at the emulator's time, for AWS sign-in."""
    attributes = {"department": [department]}
    if roles is not None:
        attributes[ROLE_ATTRIBUTE] = roles
    return producer.authn_response(sp_entity_id=audience, name_id=user, attributes=attributes,
                                   in_response_to=None, now=clock.now(), destination=AWS_SP)


def pair(role: str, provider: str = SAML_ARN) -> str:
    return f"{role},{provider}"


def test_a_saml_login_gets_the_one_role_its_assertion_pairs_with_the_provider(
        identity, new_pool, http, clock, corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    response = saml_response(corp_idp, clock, roles=[pair(SALES), pair(ENGINEERS,
                                                                       OTHER_SAML_ARN)])
    identity_id, creds = credentials(identity, pool_id, {SAML_ARN: response})
    assert creds["SecretKey"] and issued_role(http, identity_id) == SALES
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [SAML_ARN]
    # The NameID is the login: the same user, in a new assertion, is the same identity.
    again = saml_response(corp_idp, clock, roles=[f"{SAML_ARN},{ENGINEERS}"])  # either order
    again_id, _ = credentials(identity, pool_id, {SAML_ARN: again})
    assert again_id == identity_id and issued_role(http, identity_id) == ENGINEERS


def test_the_audience_may_also_be_urn_amazon_webservices(identity, new_pool, http, clock,
                                                          corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    response = saml_response(corp_idp, clock, roles=[pair(SALES)], audience=AWS_SP_URN)
    identity_id, _ = credentials(identity, pool_id, {SAML_ARN: response})
    assert issued_role(http, identity_id) == SALES


def test_custom_role_arn_chooses_among_the_assertion_roles(identity, new_pool, http, clock,
                                                           corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    two = [pair(SALES), pair(ENGINEERS)]
    identity_id, _ = credentials(identity, pool_id, {SAML_ARN: saml_response(
        corp_idp, clock, roles=two)}, CustomRoleArn=ENGINEERS)
    assert issued_role(http, identity_id) == ENGINEERS
    logins = {SAML_ARN: saml_response(corp_idp, clock, roles=two)}
    assert refused(identity.get_credentials_for_identity, IdentityId=identity_id,
                   Logins=logins) == (
        "NotAuthorizedException",
        f"The SAML assertion from {SAML_ARN} allows several roles: choose one with "
        f"CustomRoleArn.")
    assert refused(identity.get_credentials_for_identity, IdentityId=identity_id,
                   Logins=logins, CustomRoleArn=AUTH) == (
        "NotAuthorizedException",
        f"The CustomRoleArn {AUTH} is not one of the roles the SAML assertion from "
        f"{SAML_ARN} allows.")
    # A refused call spends nothing: the same assertion still serves with a right choice.
    answer = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins,
                                                   CustomRoleArn=SALES)
    assert answer["IdentityId"] == identity_id and issued_role(http, identity_id) == SALES


def test_a_role_pair_for_another_provider_only_is_refused(identity, new_pool, clock, corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    logins = {SAML_ARN: saml_response(corp_idp, clock, roles=[pair(SALES, OTHER_SAML_ARN)])}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert refused(identity.get_credentials_for_identity, IdentityId=identity_id,
                   Logins=logins) == (
        "NotAuthorizedException",
        f"The SAML assertion from {SAML_ARN} grants no role through this provider (no "
        f"{ROLE_ATTRIBUTE} value pairs a role with it).")


def test_a_rules_mapping_matches_the_assertion_attributes(identity, new_pool, http, clock,
                                                          corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN], mappings={SAML_ARN: {
        "Type": "Rules", "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {"Rules": [{"Claim": "department", "MatchType": "Equals",
                                          "Value": "engineering", "RoleARN": ENGINEERS}]}}})
    identity_id, _ = credentials(identity, pool_id, {SAML_ARN: saml_response(
        corp_idp, clock, "erin@example.com", department="engineering")})
    assert issued_role(http, identity_id) == ENGINEERS
    logins = {SAML_ARN: saml_response(corp_idp, clock, "erin@example.com")}
    assert refused(identity.get_credentials_for_identity, IdentityId=identity_id,
                   Logins=logins) == (
        "NotAuthorizedException",
        f"The ambiguous role mapping rules for: {SAML_ARN} denied this request.")


def test_a_tampered_response_is_refused(identity, new_pool, clock, corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    genuine = base64.b64decode(saml_response(corp_idp, clock, roles=[pair(SALES)])).decode()
    assert genuine.count("sales") == 1
    tampered = base64.b64encode(genuine.replace("sales", "admin").encode()).decode()
    code, message = refused(identity.get_id, IdentityPoolId=pool_id,
                            Logins={SAML_ARN: tampered})
    assert code == "NotAuthorizedException"
    assert message.startswith("Invalid login token. Invalid SAML response: ")
    assert "signature" in message


def test_a_response_signed_by_another_idp_key_is_refused(identity, new_pool, clock, corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    impostor = pysaml2_idp(corp_idp.entity_id)  # the same entityID, another key
    try:
        response = saml_response(impostor, clock, roles=[pair(SALES)])
    finally:
        impostor.close()
    code, message = refused(identity.get_id, IdentityPoolId=pool_id,
                            Logins={SAML_ARN: response})
    assert code == "NotAuthorizedException" and "signature" in message


def test_an_expired_assertion_is_refused(identity, new_pool, clock, corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    clock.pin(clock.now())
    response = saml_response(corp_idp, clock, roles=[pair(SALES)])  # pysaml2: 5 minutes
    assert identity.get_id(IdentityPoolId=pool_id, Logins={SAML_ARN: response})
    clock.advance(5 * 60 + 61)  # past NotOnOrAfter and the 60 s skew
    assert refused(identity.get_id, IdentityPoolId=pool_id, Logins={SAML_ARN: response}) == (
        "NotAuthorizedException",
        "Invalid login token. Invalid SAML response: The SAML assertion has expired.")


def test_a_replayed_assertion_is_refused_once_it_gave_credentials(identity, new_pool, clock,
                                                                  corp_idp):
    pool_id = new_pool(SamlProviderARNs=[SAML_ARN])
    logins = {SAML_ARN: saml_response(corp_idp, clock, roles=[pair(SALES)])}
    identity_id, _ = credentials(identity, pool_id, logins)  # GetId may look at it first
    replayed = "Invalid login token. This SAML assertion was already used."
    assert refused(identity.get_credentials_for_identity, IdentityId=identity_id,
                   Logins=logins) == ("NotAuthorizedException", replayed)
    assert refused(identity.get_id, IdentityPoolId=pool_id, Logins=logins) == (
        "NotAuthorizedException", replayed)


def test_a_saml_provider_the_iam_section_does_not_register_is_refused_naming_it(
        identity, new_pool, clock, corp_idp):
    unknown = f"arn:aws:iam::{ACCOUNT}:saml-provider/Unregistered"
    pool_id = new_pool(SamlProviderARNs=[unknown])
    response = saml_response(corp_idp, clock, roles=[pair(SALES, unknown)])
    assert refused(identity.get_id, IdentityPoolId=pool_id, Logins={unknown: response}) == (
        "ResourceNotFoundException",
        f"The SAML provider {unknown} is not registered with this Cognito emulator: declare "
        f"it under iam: saml_providers in the config file (--config).")


def test_social_providers_answer_not_implemented_naming_the_provider(identity, new_pool):
    pool_id = new_pool(SupportedLoginProviders={"accounts.google.com": "app"})
    code, message = refused(identity.get_id, IdentityPoolId=pool_id,
                            Logins={"accounts.google.com": "token"})
    assert code == "NotImplementedException"
    assert message.startswith("A accounts.google.com token cannot be checked")
    # what is missing: the real provider is out of reach, the mock answers to its client id
    assert "can't reach the real provider offline" in message and "mock-google-client" in message


# --- the `iam:` section is checked at start ---------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("iam: 3", "iam: expected a mapping with 'oidc_providers' and/or 'saml_providers'"),
    ("iam:\n  oidc_providers: [{url: 'http://login.example.com', client_ids: [a]}]\n",
     "http:// is allowed for loopback hosts only"),
    ("iam:\n  oidc_providers: [{url: 'https://login.example.com'}]\n",
     "client_ids: expected a non-empty list"),
    ("iam:\n  saml_providers: [{name: Corp, metadata_file: missing.xml}]\n",
     "saml_providers[0]: cannot read metadata_file"),
    ("iam:\n  saml_providers: [{name: Corp, metadata: '<nope/>'}]\n",
     "saml_providers[0] (Corp): metadata: The metadata is not a SAML EntityDescriptor."),
])
def test_a_bad_iam_section_stops_the_start_naming_the_entry(tmp_path, text, words):
    config = tmp_path / "config.yaml"
    config.write_text(text)
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port",
                          "0", "--config", str(config)], capture_output=True, text=True,
                         cwd=ROOT, timeout=30)
    assert out.returncode == 1
    assert f"config file {config}: iam: " in out.stderr and words in out.stderr
    assert "Traceback" not in out.stderr

