// oidc-provider (npm, panva) as an independent OpenID Connect issuer: none of the emulator's
// code makes or signs what it issues. The identity-pool federation tests use it over HTTP;
// the user-pool federation tests (tests/support/oidc_rig.py) over HTTPS, as an outside
// issuer that the emulator reaches through its /oauth2/idpresponse.
//
//   node oidc_provider.mjs '<json>'
//     {"mount": "/realms/x",                      optional: the issuer's path
//      "clients": [{client_id, client_secret,     redirect_uris optional (default
//                   redirect_uris}],              https://app.example.com/callback)
//      "tls": {"cert": file, "key": file},        optional: serve HTTPS with this PEM pair
//      "host": "localhost",                       optional: the issuer's host name (it still
//                                                 listens on 127.0.0.1; default 127.0.0.1)
//      "defaults": true}                          optional: keep the package's ID token claims
//
// Listens on a free loopback port, mounted under `mount` (the issuer then has a path, as
// Keycloak's realms do), with its own RSA signing key and the package's development
// interactions (any login name; the password is not checked). Prints one JSON line
// {"issuer": ...} once it listens, and runs until its standard input closes.
//
// Accounts: the login name is the subject; `email`, `name` and `department` come from
// ACCOUNTS (the profile scope carries `name` and `department`). Without "defaults",
// conformIdTokenClaims: false puts the scopes' claims in the ID token itself, as many providers
// (Keycloak, Auth0, Entra ID) do; with it, the package's default (true) leaves them to the
// userinfo endpoint for the code flow, so a relying party must call userinfo to see them.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import Provider from "oidc-provider";

const ACCOUNTS = {
  alice: { email: "alice@example.com", name: "Alice Example", department: "sales" },
  bob: { email: "bob@example.com", name: "Bob Example", department: "engineering" },
};

const options = JSON.parse(process.argv[2] || "{}");
const mount = (options.mount || "").replace(/\/$/, "");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-issuer-1", use: "sig", alg: "RS256" };

const server = options.tls
  ? https.createServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) })
  : http.createServer();
server.listen(0, "127.0.0.1", () => {
  const scheme = options.tls ? "https" : "http";
  const issuer = `${scheme}://${options.host || "127.0.0.1"}:${server.address().port}${mount}`;
  const provider = new Provider(issuer, {
    clients: (options.clients || []).map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris || ["https://app.example.com/callback"],
      response_types: ["code"],
      grant_types: ["authorization_code"],
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"],
              profile: ["name", "department"] },
    ...(options.defaults ? {} : { conformIdTokenClaims: false }),
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      const account = ACCOUNTS[id]
        || { email: `${id}@example.com`, name: id, department: "none" };
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: true, name: account.name,
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
