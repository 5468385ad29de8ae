"""GET /_emulator/passkey-demo: a small page, served from the emulator's own origin, that
registers a passkey and signs in with it the way a browser app does - the JSON API called
with fetch(), navigator.credentials.create()/get() in between.

Use it with RelyingPartyId "localhost" (SetUserPoolMfaConfig WebAuthnConfiguration) and the
page opened at http://localhost:<port>/_emulator/passkey-demo; the query string may fill
the form (?clientId=...&username=...&password=...). Steps, each a button:
    1. sign in with the password (USER_AUTH, PREFERRED_CHALLENGE=PASSWORD)
    2. register a passkey (StartWebAuthnRegistration -> create() -> CompleteWebAuthnRegistration)
    3. sign in with the passkey (USER_AUTH, PREFERRED_CHALLENGE=WEB_AUTHN -> get() ->
       RespondToAuthChallenge WEB_AUTHN)
Each step writes its outcome into #status (data-state="ok"|"error") and the last API answer
into #result, so a browser test can wait on them.
"""
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Passkey demo - Cognito emulator</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; }
  label { display: block; margin: .4rem 0; }
  input { width: 24rem; }
  button { margin: .3rem .3rem .3rem 0; }
  pre { background: #f4f4f4; padding: .6rem; white-space: pre-wrap; word-break: break-all; }
  [data-state=error] { color: #a00; }
</style>
</head>
<body>
<h1>Passkey demo</h1>
<p>Registers a passkey for a user and signs in with it through the emulator's JSON API.
The pool needs WEB_AUTHN among its AllowedFirstAuthFactors and a WebAuthnConfiguration whose
RelyingPartyId is this page's host; the app client needs ALLOW_USER_AUTH.</p>
<label>App client id <input id="clientId"></label>
<label>Username <input id="username"></label>
<label>Password <input id="password" type="password"></label>
<button id="signInPassword">1. Sign in with password</button>
<button id="register">2. Register a passkey</button>
<button id="signInPasskey">3. Sign in with the passkey</button>
<p id="status" data-state="idle">idle</p>
<pre id="result"></pre>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
for (const name of ["clientId", "username", "password"]) {
  if (query.has(name)) $(name).value = query.get(name);
}
let accessToken = null;

function toB64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
}
function fromB64url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

async function api(operation, body) {
  const response = await fetch("/", {
    method: "POST",
    headers: {"Content-Type": "application/x-amz-json-1.1",
              "X-Amz-Target": "AWSCognitoIdentityProviderService." + operation},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  $("result").textContent = JSON.stringify(answer, null, 2);
  if (!response.ok) throw new Error(operation + ": " + answer.__type + ": " + answer.message);
  return answer;
}

function report(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

function step(button, work) {
  $(button).addEventListener("click", async () => {
    report("busy", "working...");
    try { report("ok", await work()); }
    catch (err) { report("error", String(err && err.message || err)); }
  });
}

function credentialJSON(credential) {
  // PublicKeyCredential.toJSON() where the browser has it, else the same by hand.
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response, out = {
    id: credential.id, rawId: toB64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {clientDataJSON: toB64url(r.clientDataJSON)},
  };
  if (r.attestationObject) {
    out.response.attestationObject = toB64url(r.attestationObject);
    out.response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    out.response.authenticatorData = toB64url(r.authenticatorData);
    out.response.signature = toB64url(r.signature);
    if (r.userHandle) out.response.userHandle = toB64url(r.userHandle);
  }
  return out;
}

async function signedIn(answer) {
  if (!answer.AuthenticationResult) throw new Error("unexpected challenge " + answer.ChallengeName);
  accessToken = answer.AuthenticationResult.AccessToken;
  const payload = JSON.parse(atob(accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  return "signed in as " + payload.username;
}

step("signInPassword", async () => signedIn(await api("InitiateAuth", {
  ClientId: $("clientId").value, AuthFlow: "USER_AUTH",
  AuthParameters: {USERNAME: $("username").value, PREFERRED_CHALLENGE: "PASSWORD",
                   PASSWORD: $("password").value},
})));

step("register", async () => {
  if (!accessToken) throw new Error("sign in first");
  const {CredentialCreationOptions: o} = await api("StartWebAuthnRegistration",
                                                  {AccessToken: accessToken});
  const publicKey = {...o, challenge: fromB64url(o.challenge),
                     user: {...o.user, id: fromB64url(o.user.id)},
                     excludeCredentials: (o.excludeCredentials || []).map(
                       (c) => ({...c, id: fromB64url(c.id)}))};
  const credential = await navigator.credentials.create({publicKey});
  await api("CompleteWebAuthnRegistration",
            {AccessToken: accessToken, Credential: credentialJSON(credential)});
  const listed = await api("ListWebAuthnCredentials", {AccessToken: accessToken});
  return "registered passkey " + credential.id + " (" + listed.Credentials.length + " in all)";
});

step("signInPasskey", async () => {
  const started = await api("InitiateAuth", {
    ClientId: $("clientId").value, AuthFlow: "USER_AUTH",
    AuthParameters: {USERNAME: $("username").value, PREFERRED_CHALLENGE: "WEB_AUTHN"},
  });
  if (started.ChallengeName !== "WEB_AUTHN") throw new Error("no WEB_AUTHN challenge: " +
                                                            started.ChallengeName);
  const o = JSON.parse(started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  const publicKey = {...o, challenge: fromB64url(o.challenge),
                     allowCredentials: (o.allowCredentials || []).map(
                       (c) => ({...c, id: fromB64url(c.id)}))};
  const assertion = await navigator.credentials.get({publicKey});
  return signedIn(await api("RespondToAuthChallenge", {
    ClientId: $("clientId").value, ChallengeName: "WEB_AUTHN", Session: started.Session,
    ChallengeResponses: {USERNAME: started.ChallengeParameters.USERNAME || $("username").value,
                         CREDENTIAL: JSON.stringify(credentialJSON(assertion))},
  }));
});
</script>
</body>
</html>
"""


async def page(request: Request):
    return HTMLResponse(PAGE)


routes = [Route("/_emulator/passkey-demo", page)]
