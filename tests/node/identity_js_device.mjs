// amazon-cognito-identity-js remembered-device flow against the emulator, in one process
// (the library keeps the device key and secret in its in-memory storage).
// Usage: node identity_js_device.mjs <endpoint> <poolId> <clientId> <username> <password> <codesJSON>
//   1. authenticateUser (SRP): TOTP MFA answered with codes.first; the library confirms the
//      new device itself (ConfirmDevice); when the pool asks the user to opt in,
//      setDeviceStatusRemembered() remembers it.
//   2. authenticateUser again with a fresh CognitoUser: the cached DEVICE_KEY goes with
//      PASSWORD_VERIFIER and the library answers DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER.
//      If TOTP is still asked (the pool doesn't let devices replace MFA), codes.second answers.
// Prints one JSON line: {ok, first: {...}, second: {...}}.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, poolId, clientId, username, password, codesJson] = process.argv.slice(2);
const codes = JSON.parse(codesJson);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });

function signIn(code) {
  return new Promise((resolve) => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    const details = new AuthenticationDetails({ Username: username, Password: password });
    const report = { mfaAsked: 0 };
    const finish = (session, confirmationNecessary) => {
      const access = session.getAccessToken().decodePayload();
      report.ok = true;
      report.deviceKey = access.device_key ?? null;
      report.cachedDeviceKey = user.deviceKey ?? null;
      report.confirmationNecessary = confirmationNecessary ?? false;
      report.valid = session.isValid();
      if (confirmationNecessary) {
        user.setDeviceStatusRemembered({
          onSuccess: () => { report.remembered = true; resolve(report); },
          onFailure: (err) => { report.ok = false; report.code = err.code; resolve(report); },
        });
      } else {
        resolve(report);
      }
    };
    const fail = (err) => { report.ok = false; report.code = err.code; report.message = err.message; resolve(report); };
    user.authenticateUser(details, {
      onSuccess: finish,
      onFailure: fail,
      totpRequired() {
        report.mfaAsked += 1;
        user.sendMFACode(code, { onSuccess: finish, onFailure: fail }, "SOFTWARE_TOKEN_MFA");
      },
    });
  });
}

const first = await signIn(codes.first);
const second = first.ok ? await signIn(codes.second) : null;
console.log(JSON.stringify({ ok: Boolean(first.ok && second && second.ok), first, second }));
