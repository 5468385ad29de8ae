// oidc-provider (npm, panva) as an independent OpenID Connect issuer for the identity-pool
// federation tests: none of the emulator's code makes or signs what it issues.
//
//   node oidc_provider.mjs '<json: {"mount": "/realms/x", "clients": [{client_id, client_secret}]}>'
//
// Listens on a free loopback port, mounted under `mount` (the issuer then has a path, as
// Keycloak's realms do), with its own RSA signing key and the package's development
// interactions (any login name; the password is not checked). Prints one JSON line
// {"issuer": ...} once it listens, and runs until its standard input closes.
//
// Accounts: the login name is the subject; `email` and `department` come from ACCOUNTS (the
// profile scope carries `department`). conformIdTokenClaims: false puts the scope's claims
// in the ID token itself, as many providers (Keycloak, Auth0, Entra ID) do.
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const ACCOUNTS = {
  alice: { email: "alice@example.com", department: "sales" },
  bob: { email: "bob@example.com", department: "engineering" },
};

const options = JSON.parse(process.argv[2] || "{}");
const mount = (options.mount || "").replace(/\/$/, "");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-issuer-1", use: "sig", alg: "RS256" };

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}${mount}`;
  const provider = new Provider(issuer, {
    clients: (options.clients || []).map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: ["https://app.example.com/callback"],
      response_types: ["code"],
      grant_types: ["authorization_code"],
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["department"] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      const account = ACCOUNTS[id] || { email: `${id}@example.com`, department: "none" };
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: true,
                   department: account.department };
        },
      };
    },
  });
  provider.proxy = false;
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (mount && !(req.url === mount || req.url.startsWith(`${mount}/`)
                   || req.url.startsWith(`${mount}?`))) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    // Mounted as express mounts it: originalUrl keeps the prefix, url loses it.
    req.originalUrl = req.url;
    req.url = req.url.slice(mount.length) || "/";
    callback(req, res);
  });
  console.log(JSON.stringify({ issuer }));
});

process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.resume();
