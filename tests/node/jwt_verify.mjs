// aws-jwt-verify checks our tokens.
// Usage: node jwt_verify.mjs '<json>' with {mode: "generic"|"cognito", issuer, jwksUri, poolId,
//        clientId, idToken, accessToken}. The JWKS is fetched here and handed over with cacheJwks,
//        because the library's own fetcher insists on HTTPS.
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";

const p = JSON.parse(process.argv[2]);
const jwks = await (await fetch(p.jwksUri)).json();
const result = {};
async function check(name, verifier, token) {
  try {
    const payload = await verifier.verify(token);
    result[name] = { ok: true, token_use: payload.token_use, sub: payload.sub };
  } catch (err) {
    result[name] = { ok: false, error: err.name, message: err.message };
  }
}
if (p.mode === "cognito") {
  const id = CognitoJwtVerifier.create({ userPoolId: p.poolId, tokenUse: "id", clientId: p.clientId });
  const access = CognitoJwtVerifier.create({ userPoolId: p.poolId, tokenUse: "access", clientId: p.clientId });
  id.cacheJwks(jwks);
  access.cacheJwks(jwks);
  await check("id", id, p.idToken);
  await check("access", access, p.accessToken);
  await check("idAsAccess", access, p.idToken);
} else {
  const id = JwtVerifier.create({ issuer: p.issuer, audience: p.clientId, jwksUri: p.jwksUri });
  const access = JwtVerifier.create({ issuer: p.issuer, audience: null, jwksUri: p.jwksUri,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== "access" || payload.client_id !== p.clientId) throw new Error("not our access token");
    } });
  id.cacheJwks(jwks);
  access.cacheJwks(jwks);
  await check("id", id, p.idToken);
  await check("access", access, p.accessToken);
  const parts = p.accessToken.split(".");
  const forged = [parts[0], parts[1], parts[2].slice(0, -4) + (parts[2].endsWith("AAAA") ? "BBBB" : "AAAA")].join(".");
  await check("forged", access, forged);
}
console.log(JSON.stringify(result));
