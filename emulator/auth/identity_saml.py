"""A SAMLResponse as an identity-pool login: the Logins key is the IAM SAML provider's ARN,
the value the IdP's base64 SAMLResponse (the developer guide's "SAML identity providers
(identity pools)": `Logins: {'arn:aws:iam::<account>:saml-provider/<name>': '<base64
encoded assertion response>'}`).

Checked by saml/response.read_response as AWS sign-in checks an IdP-initiated response (the
IAM user guide's "Configure SAML assertions for the authentication response"): signed by a
certificate of the provider's metadata, issuer = its entityID, no InResponseTo, audience
`https://signin.aws.amazon.com/saml` or `urn:amazon:webservices` (the entityID of AWS's SP
metadata), the bearer confirmation's Recipient (and the Response's Destination, when given)
AWS's sign-in endpoint `https://signin.aws.amazon.com/saml` or its regional form
`https://<region>.signin.aws.amazon.com/saml`, NotOnOrAfter / NotBefore on the emulator clock.

Claims: the assertion's attributes (name -> list of values), `sub` = the NameID (the login id
identities link). Roles come from the `https://aws.amazon.com/SAML/Attributes/Role` attribute
(domain/identity/credentials.saml_roles).

Replay: an assertion ID is spent by the call that turns it into something usable
(GetCredentialsForIdentity, GetOpenIdToken); GetId may look at it before, as every SDK's
enhanced flow sends the same Logins to GetId and then to GetCredentialsForIdentity. Spent IDs
are kept (kind "identity_saml_assertion", scope = the provider ARN) until the assertion
expires; then the sweep deletes them (emulator/sweep.py), and until it does they count as
absent. UNCONFIRMED: the real service's replay rule.
"""
from __future__ import annotations

from saml.errors import SamlError
from saml.response import read_response

from ..errors import not_authorized
from ..store.base import AlreadyExists, expiry_index

AUDIENCES = ("https://signin.aws.amazon.com/saml", "urn:amazon:webservices")
SPENT_KIND = "identity_saml_assertion"   # scope = SAML provider ARN, key = assertion ID
SPENDING = ("GetCredentialsForIdentity", "GetOpenIdToken", "GetOpenIdTokenForDeveloperIdentity")
SKEW = 60
_RETRY = {"audience": 0, "recipient": 1, "destination": 1}
# Wordings UNCONFIRMED: the service's messages for SAML logins were not found.
INVALID = "Invalid login token. Invalid SAML response: {}"
REPLAYED = "Invalid login token. This SAML assertion was already used."


def recipients(region: str) -> tuple[str, ...]:
    return ("https://signin.aws.amazon.com/saml", f"https://{region}.signin.aws.amazon.com/saml")


def verify(ctx, arn: str, provider: dict, saml_response) -> dict:
    """The assertion's claims ({attribute: [values]}, `sub` = NameID) once it passed;
    NotAuthorizedException otherwise."""
    metadata = provider["metadata"]
    now = ctx.now()
    choice = [0, 0]  # which audience, which recipient; another only when that one was wrong
    tried: set[tuple[int, int]] = set()
    while True:
        tried.add((choice[0], choice[1]))
        try:
            assertion = read_response(
                saml_response, signing_certificates=metadata["signing_certificates"],
                idp_entity_id=metadata["entity_id"], sp_entity_id=AUDIENCES[choice[0]],
                acs_url=recipients(ctx.region)[choice[1]], now=now, in_response_to=None,
                decryption_key_pem=None, require_encryption=False, skew=SKEW)
            break
        except SamlError as err:
            which = _RETRY.get(err.reason)
            if which is None or choice[which] == 1:
                raise not_authorized(INVALID.format(err.message)) from None
            choice[which] = 1
            if (choice[0], choice[1]) in tried:
                raise not_authorized(INVALID.format(err.message)) from None
    _spend(ctx, arn, assertion)
    claims: dict = {name: list(values) for name, values in assertion.attributes.items()}
    claims["sub"] = assertion.name_id
    return claims


def _spend(ctx, arn: str, assertion) -> None:
    """Refuse an assertion already spent; spend it when this call yields credentials or a
    token."""
    now = ctx.now()
    store = ctx.store
    spent = store.get(SPENT_KIND, arn, assertion.id)
    if spent is not None and now < spent["expiresAt"]:
        raise not_authorized(REPLAYED)
    if ctx.operation not in SPENDING:
        return
    if spent is not None:  # spent once, expired, not swept yet: as if absent
        store.delete(SPENT_KIND, arn, assertion.id)
    until = (assertion.not_on_or_after or now) + SKEW
    try:
        store.insert(SPENT_KIND, arn, assertion.id, {"expiresAt": until},
                     index=expiry_index(until))
    except AlreadyExists:
        raise not_authorized(REPLAYED) from None
