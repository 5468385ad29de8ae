// amazon-cognito-identity-js custom authentication (CUSTOM_AUTH) against the emulator.
// Usage: node identity_js_custom_auth.mjs <endpoint> <poolId> <clientId> <username> <answersJSON> [password]
// Without a password: user.initiateAuth (custom challenges only). With one:
// user.authenticateUser, which starts the loop with SRP (CHALLENGE_NAME=SRP_A) and answers
// PASSWORD_VERIFIER itself. Each customChallenge gets the next answer from the list.
// Prints one JSON line: {ok, username?, asked: [ChallengeParameters...], code?, message?}.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, poolId, clientId, username, answersJson, password] = process.argv.slice(2);
const answers = JSON.parse(answersJson);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
user.setAuthenticationFlowType("CUSTOM_AUTH");
const details = new AuthenticationDetails(
  password === undefined ? { Username: username } : { Username: username, Password: password });
const asked = [];

const callbacks = {
  customChallenge(parameters) {
    asked.push(parameters);
    user.sendCustomChallengeAnswer(answers.shift() ?? "", this, { answeredBy: "identity-js" });
  },
  onSuccess(session) {
    console.log(JSON.stringify({
      ok: true,
      asked,
      username: session.getAccessToken().decodePayload().username,
      valid: session.isValid(),
    }));
  },
  onFailure(err) {
    console.log(JSON.stringify({ ok: false, asked, code: err.code, message: err.message }));
  },
};

if (password === undefined) user.initiateAuth(details, callbacks);
else user.authenticateUser(details, callbacks);
