// An app's relying-party side with openid-client (npm, panva), as a web app writes it against
// a user pool: discovery on the pool's issuer, authorization code + PKCE (S256) + state +
// nonce, the code exchanged and the ID token checked by openid-client itself, userinfo and a
// refresh. Nothing here trusts plain HTTP: the issuer is https (the emulator's --tls, its CA
// in NODE_EXTRA_CA_CERTS, the AWS names resolved by `--import ./dns_override.mjs`).
//
//   node --import ./dns_override.mjs openid_client_rp.mjs '<json>'
//     {"issuer", "client_id", "client_secret", "redirect_uri", "scope",
//      "authorize": {extra authorization parameters, e.g. "identity_provider"}}
//
// Prints {"authorization_url", "state"} as one JSON line, then reads the URL the browser was
// sent back to (one line on standard input) and prints one JSON line: the ID token's claims
// (as openid-client validated them: signature from the JWKS, since non-repudiation checks are
// on; issuer, audience, expiry, nonce; state and PKCE on the way), the userinfo answer, and
// the refreshed ID token's claims. A refused check prints {"error", "code", "cause"} and
// exits 0, so the caller can assert on the refusal.
import { createInterface } from "node:readline";
import * as client from "openid-client";

const options = JSON.parse(process.argv[2]);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const config = await client.discovery(new URL(options.issuer), options.client_id,
  undefined, client.ClientSecretBasic(options.client_secret));
// Verify the ID token's JWS against the issuer's JWKS too (openid-client otherwise relies on
// TLS for a token that came straight from the token endpoint).
client.enableNonRepudiationChecks(config);

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: options.redirect_uri,
  scope: options.scope || "openid email profile",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  state,
  nonce,
  ...(options.authorize || {}),
});
print({ authorization_url: url.href, state });

const lines = createInterface({ input: process.stdin });
const callback = await new Promise((resolve) => lines.once("line", resolve));
lines.close();

try {
  const tokens = await client.authorizationCodeGrant(config, new URL(callback.trim()), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  print({
    claims,
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    access_token: tokens.access_token,
    userinfo,
    refreshed_claims: refreshed.claims(),
    refreshed_access_token: refreshed.access_token,
    token_endpoint: config.serverMetadata().token_endpoint,
    dns_lookups: globalThis.dnsOverrideLookups || [],
  });
} catch (err) {
  // openid-client wraps oauth4webapi's error: the cause says which check refused.
  print({ error: err.message, code: err.code || null, cause: err.cause?.message || null });
}
