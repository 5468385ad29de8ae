// samlify (npm) as a SAML identity provider for the emulator's interoperability tests
// (tests/api/test_saml_interop.py). One JSON argument, one JSON line out:
//
//   node samlify_idp.mjs '{"command": "metadata", "idp": {...}}'
//     -> {"metadata": "<EntityDescriptor ...>"}          the IdP metadata a pool imports
//   node samlify_idp.mjs '{"command": "response", "idp": {...}, "spMetadata": "...",
//                          "mode": "signed+encrypted" | "response" | "assertion",
//                          "inResponseTo": "_id" | null, "now": <epoch s>,
//                          "nameId": "...", "attributes": {"<SAML name>": "<value>"},
//                          "settings": {"requestSignatureAlgorithm": "<URI>"} (optional)}'
//     -> {"SAMLResponse": "<base64>", "acs": "...", "audience": "..."}
//
// idp: {"entityId", "ssoUrl", "privateKey" (PEM), "certificate" (PEM)}. The service
// provider is the pool's SP metadata as the emulator serves it
// (/_emulator/saml/<pool>/<provider>/metadata.xml): samlify takes the ACS, the audience and
// the encryption certificate from it, as an IdP administrator's import would.
//
// samlify's defaults are kept (RSA-SHA256 signatures with exc-c14n, AES-256-CBC content and
// RSA-OAEP-MGF1P key transport, sign-then-encrypt, its login response template and tag
// prefixes), except what a real deployment must set:
//   - the IdP's entity id, SSO URL, signing key and certificate;
//   - nameIDFormat emailAddress (samlify's default NameID format list is empty);
//   - isAssertionEncrypted for mode "signed+encrypted" (samlify's default is false);
//   - which part is signed: samlify signs the Assertion when the SP metadata says
//     WantAssertionsSigned="true" (the emulator's does), and the Response when the SP is set
//     to wantMessageSigned or does not want signed assertions. Mode "response" imports the
//     metadata with WantAssertionsSigned="false", as an administrator who picks "sign the
//     response" would;
//   - the attributes: samlify's documented way to send attributes is a loginResponseTemplate
//     with `attributes` plus a customTagReplacement callback that fills the tags (its
//     default template has no AttributeStatement); the callback below fills every tag as
//     samlify's own default rendering does, with the emulator's clock instead of the
//     machine's (tests pin and advance it).
// No schema validator is set: samlify needs one only to parse incoming messages, and the
// AuthnRequest's ID comes in as "inResponseTo" (the tests read it from the redirect).
import samlify from "samlify";

const { IdentityProvider, ServiceProvider, SamlLib, Constants } = samlify;
const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";

const input = JSON.parse(process.argv[2]);

// Settings a test may change to show how the emulator treats a legacy algorithm (samlify's own
// defaults are RSA-SHA256, AES-256-CBC and RSA-OAEP-MGF1P).
const ALGORITHM_SETTINGS = ["requestSignatureAlgorithm", "dataEncryptionAlgorithm",
                            "keyEncryptionAlgorithm"];

function identityProvider(idp, attributeNames, encrypt, settings = {}) {
  const chosen = Object.fromEntries(Object.entries(settings)
    .filter(([name]) => ALGORITHM_SETTINGS.includes(name)));
  return IdentityProvider({
    ...chosen,
    entityID: idp.entityId,
    privateKey: idp.privateKey,
    signingCert: idp.certificate,
    singleSignOnService: [{ Binding: Constants.namespace.binding.redirect, Location: idp.ssoUrl }],
    nameIDFormat: [EMAIL_FORMAT],
    isAssertionEncrypted: encrypt,
    loginResponseTemplate: {
      context: SamlLib.defaultLoginResponseTemplate.context,
      attributes: attributeNames.map((name, i) => ({
        name, valueTag: `value${i}`, nameFormat: BASIC, valueXsiType: "xs:string",
      })),
    },
  });
}

function fill(idp, sp, now, inResponseTo, nameId, values) {
  // The tags of samlify's default rendering (binding-post.js base64LoginResponse), at `now`.
  return (template) => {
    const id = idp.entitySetting.generateID();
    const issued = new Date(now * 1000);
    const fiveMinutesLater = new Date(issued.getTime() + 5 * 60 * 1000);
    const acs = sp.entityMeta.getAssertionConsumerService(Constants.wording.binding.post);
    const tags = {
      ID: id,
      AssertionID: idp.entitySetting.generateID(),
      Destination: acs,
      Audience: sp.entityMeta.getEntityID(),
      EntityID: sp.entityMeta.getEntityID(),
      SubjectRecipient: acs,
      Issuer: idp.entityMeta.getEntityID(),
      IssueInstant: issued.toISOString(),
      AssertionConsumerServiceURL: acs,
      StatusCode: Constants.StatusCode.Success,
      ConditionsNotBefore: issued.toISOString(),
      ConditionsNotOnOrAfter: fiveMinutesLater.toISOString(),
      SubjectConfirmationDataNotOnOrAfter: fiveMinutesLater.toISOString(),
      NameIDFormat: EMAIL_FORMAT,
      NameID: nameId,
      InResponseTo: inResponseTo,  // null (IdP-initiated): samlify drops the attribute
      AuthnStatement: "",
    };
    values.forEach((value, i) => { tags[`attrValue${i}`] = value; });
    return { id, context: SamlLib.replaceTagsByValue(template, tags) };
  };
}

async function main() {
  if (input.command === "metadata") {
    const idp = identityProvider(input.idp, [], false);
    return { metadata: idp.getMetadata() };
  }
  const mode = input.mode;
  if (!["signed+encrypted", "response", "assertion"].includes(mode)) {
    throw new Error(`unknown mode ${mode}`);
  }
  let spMetadata = input.spMetadata;
  if (mode === "response") {
    spMetadata = spMetadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"');
  }
  const sp = ServiceProvider({ metadata: spMetadata });
  const names = Object.keys(input.attributes);
  const idp = identityProvider(input.idp, names, mode === "signed+encrypted", input.settings);
  const made = await idp.createLoginResponse(
    sp, {}, "post", { email: input.nameId },
    { customTagReplacement: fill(idp, sp, input.now, input.inResponseTo, input.nameId,
                                 names.map((n) => input.attributes[n])) });
  return {
    SAMLResponse: made.context,
    acs: made.entityEndpoint,
    audience: sp.entityMeta.getEntityID(),
  };
}

main().then(
  (out) => console.log(JSON.stringify(out)),
  (error) => { console.error(error); process.exit(1); },
);
