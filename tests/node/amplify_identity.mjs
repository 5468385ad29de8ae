// Amplify JS v6 (aws-amplify) with an identity pool next to the user pool, against the
// emulator: guest credentials first, then sign in (SRP, Amplify's default) and fetch the
// session again: signed-in credentials, the guest's identity id kept.
// Usage: node amplify_identity.mjs <endpoint> <userPoolId> <clientId> <identityPoolId> <username> <password>
// Amplify keeps tokens and the identity id in its in-memory storage under Node (no
// localStorage there), so one process is one browser session.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId, identityPoolId, username, password] =
  process.argv.slice(2);
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId, userPoolClientId, identityPoolId, allowGuestAccess: true,
      userPoolEndpoint: endpoint, identityPoolEndpoint: endpoint,
    },
  },
});

const shown = (session) => ({
  identityId: session.identityId,
  accessKeyId: session.credentials?.accessKeyId,
  secretAccessKey: session.credentials?.secretAccessKey,
  sessionToken: session.credentials?.sessionToken,
  expiration: session.credentials?.expiration?.toISOString(),
  signedIn: Boolean(session.tokens?.idToken),
});

try {
  const guest = shown(await fetchAuthSession());
  const result = await signIn({ username, password });
  const signedIn = shown(await fetchAuthSession());
  console.log(JSON.stringify({ ok: true, guest, signInStep: result.nextStep.signInStep, signedIn }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: err.name, message: err.message }));
}
