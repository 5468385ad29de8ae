// amazon-cognito-identity-js sign-in (SRP) with TOTP MFA against the emulator.
// Usage: node identity_js_totp.mjs <endpoint> <poolId> <clientId> <username> <password> <codesJSON>
// The totpRequired callback answers with sendMFACode(code, callbacks, 'SOFTWARE_TOKEN_MFA'),
// taking the codes in order: after a failed code the next one is sent in the same session.
// Prints one JSON line: {ok, asked, failures: [{code, message}], username?, valid?, code?, message?}.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, poolId, clientId, username, password, codesJson] = process.argv.slice(2);
const codes = JSON.parse(codesJson);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
const details = new AuthenticationDetails({ Username: username, Password: password });
const asked = [];
const failures = [];

function done(result) {
  console.log(JSON.stringify({ asked, failures, ...result }));
}

const mfaCallbacks = {
  onSuccess(session) {
    done({
      ok: true,
      username: session.getAccessToken().decodePayload().username,
      valid: session.isValid(),
    });
  },
  onFailure(err) {
    failures.push({ code: err.code, message: err.message });
    if (codes.length === 0) return done({ ok: false, code: err.code, message: err.message });
    user.sendMFACode(codes.shift(), mfaCallbacks, "SOFTWARE_TOKEN_MFA");
  },
};

user.authenticateUser(details, {
  onSuccess: () => done({ ok: false, code: "NO_MFA_ASKED" }),
  onFailure: (err) => done({ ok: false, code: err.code, message: err.message }),
  totpRequired(challengeName, parameters) {
    asked.push(challengeName);
    user.sendMFACode(codes.shift(), mfaCallbacks, "SOFTWARE_TOKEN_MFA");
  },
  mfaRequired: (name) => done({ ok: false, code: `UNEXPECTED_${name}` }),
});
