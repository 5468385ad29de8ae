// aws-jwt-verify exactly as an application uses it against AWS: CognitoJwtVerifier.create with
// only userPoolId, tokenUse and clientId. No endpoint, no jwksUri, no cacheJwks, no custom
// fetcher: the library fetches https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/
// jwks.json itself and checks the AWS issuer string. Run with
//   NODE_EXTRA_CA_CERTS=<the emulator's ca.pem> DNS_OVERRIDE_ADDRESS=<its address>
//   node --import ./dns_override.mjs jwt_verify_default.mjs '{"poolId", "clientId", "idToken"}'
// and the emulator's TLS listener on port 443 of that address (docs/TLS.md).
import { CognitoJwtVerifier } from "aws-jwt-verify";

const p = JSON.parse(process.argv[2]);
const verifier = CognitoJwtVerifier.create({ userPoolId: p.poolId, tokenUse: "id", clientId: p.clientId });
const result = {};
async function check(name, token) {
  try {
    const payload = await verifier.verify(token);
    result[name] = { ok: true, iss: payload.iss, sub: payload.sub, username: payload["cognito:username"] };
  } catch (err) {
    result[name] = { ok: false, error: err.constructor.name, message: err.message };
  }
}
await check("genuine", p.idToken);
// The same token with one claim changed and the signature kept.
const [header, payload, signature] = p.idToken.split(".");
const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
claims["cognito:username"] = "mallory";
await check("tampered", [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join("."));
result.lookups = globalThis.dnsOverrideLookups;
console.log(JSON.stringify(result));
