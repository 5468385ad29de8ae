// amazon-cognito-identity-js sign-in (SRP, its default) against the emulator.
// Usage: node identity_js_signin.mjs <endpoint> <poolId> <clientId> <username> <password>
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, poolId, clientId, username, password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
const details = new AuthenticationDetails({ Username: username, Password: password });
user.authenticateUser(details, {
  onSuccess: (session) => {
    console.log(JSON.stringify({
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      username: session.getAccessToken().decodePayload().username,
      valid: session.isValid(),
    }));
  },
  onFailure: (err) => console.log(JSON.stringify({ ok: false, code: err.code, message: err.message })),
  newPasswordRequired: () => console.log(JSON.stringify({ ok: false, code: "NEW_PASSWORD_REQUIRED" })),
});
