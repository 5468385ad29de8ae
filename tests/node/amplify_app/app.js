// A tiny single-page app using Amplify JS v6 exactly as a web app does against AWS:
// Amplify.configure with the pool, its client and `loginWith.oauth` on the pool's AWS-form
// domain (<prefix>.auth.us-east-1.amazoncognito.com), no endpoint override anywhere.
// signInWithRedirect() sends the browser to the hosted UI; back on redirectSignIn, Amplify
// exchanges the code at https://<domain>/oauth2/token (a cross-origin POST) and
// fetchAuthSession() hands the tokens over; signOut() goes through https://<domain>/logout
// to redirectSignOut.
//
// Bundled by esbuild at test time (tests/browser/test_amplify_redirect.py; nothing built is
// kept in the repository). The page sets window.AMPLIFY_APP = {userPoolId, userPoolClientId,
// domain, redirect} before loading the bundle. What the app sees goes into #state as JSON:
// {"signedIn": bool, "access": claims, "id": claims, "accessToken", "events": [Hub auth
// events], "error"?}.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signInWithRedirect, signOut } from "aws-amplify/auth";
import { Hub } from "aws-amplify/utils";

const app = window.AMPLIFY_APP;
const events = [];
Hub.listen("auth", ({ payload }) => {
  events.push(payload.event);
  show();
});

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: app.userPoolId,
      userPoolClientId: app.userPoolClientId,
      loginWith: {
        oauth: {
          domain: app.domain,
          scopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
          redirectSignIn: [app.redirect],
          redirectSignOut: [app.redirect + "signed-out"],
          responseType: "code",
        },
      },
    },
  },
});

async function show(error) {
  const state = { events, signedIn: false, access: null, id: null };
  try {
    const session = await fetchAuthSession();
    state.signedIn = Boolean(session.tokens?.accessToken);
    state.access = session.tokens?.accessToken?.payload ?? null;
    state.id = session.tokens?.idToken?.payload ?? null;
    state.accessToken = session.tokens?.accessToken?.toString() ?? null;
  } catch (err) {
    state.error = `${err.name}: ${err.message}`;
  }
  if (error) state.error = `${error.name}: ${error.message}`;
  document.getElementById("state").textContent = JSON.stringify(state);
}

const act = (fn) => () => fn().catch((err) => show(err));
document.getElementById("sign-in").onclick = act(() => signInWithRedirect());
document.getElementById("sign-out").onclick = act(() => signOut());
show();
