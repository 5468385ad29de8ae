// Amplify JS v6 (aws-amplify) the way an app uses it, against the emulator's user-pool API
// (`userPoolEndpoint`). One flow per run; public API of `aws-amplify/auth` only.
// Usage: node amplify_flows.mjs '{"flow": "...", "endpoint", "userPoolId", "userPoolClientId",
//                                 "username", "password", ...}'
// Codes come from the emulator's outbox (GET /_emulator/messages), TOTP codes from RFC 6238
// computed here at the emulator's clock (GET /_emulator/clock). Amplify keeps its tokens and
// device keys in memory under Node, so one process is one app session.
// Prints one JSON line: {ok: true, ...what the app saw} or {ok: false, at, name, message}.
import { createHmac } from "node:crypto";
import { Amplify } from "aws-amplify";
import {
  autoSignIn, confirmResetPassword, confirmSignIn, confirmSignUp, confirmUserAttribute, fetchAuthSession,
  fetchDevices, fetchUserAttributes, forgetDevice, getCurrentUser, rememberDevice,
  resetPassword, sendUserAttributeVerificationCode, setUpTOTP, signIn, signOut, signUp,
  updateMFAPreference, updateUserAttributes, verifyTOTPSetup,
} from "aws-amplify/auth";

// Amplify names a new device from navigator.userAgent (getDeviceName). Node 21+ has a global
// navigator; Node 20 has none, and Amplify then skips ConfirmDevice without a word (no device
// would be remembered). Give it what Node 21 gives.
globalThis.navigator ??= { userAgent: `Node.js/${process.versions.node.split(".")[0]}` };

const input = JSON.parse(process.argv[2]);
const { endpoint, username, password } = input;
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: input.userPoolId, userPoolClientId: input.userPoolClientId,
      userPoolEndpoint: endpoint,
    },
  },
});

// --- the emulator's test endpoints --------------------------------------------------------

async function emulator(path, body) {
  const answer = await fetch(endpoint + path, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  return answer.json();
}

async function lastCode(purpose) {
  const q = new URLSearchParams({ poolId: input.userPoolId, username });
  if (purpose) q.set("purpose", purpose);
  const { messages } = await emulator(`/_emulator/messages?${q}`);
  const withCode = messages.filter((m) => m.code);
  if (!withCode.length) throw new Error(`no ${purpose ?? ""} code in the outbox for ${username}`);
  return withCode[withCode.length - 1].code;
}

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// RFC 6238: HMAC-SHA1, 30 s steps, 6 digits, at the emulator's clock. Moving the clock one
// step first keeps a code from being the one already used in this window.
async function totp(secret) {
  const { now } = await emulator("/_emulator/clock", { advance: 30 });
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

// --- what the app sees ---------------------------------------------------------------------

const step = (result) => result.nextStep;

async function session(options) {
  const s = await fetchAuthSession(options);
  return {
    signedIn: Boolean(s.tokens?.accessToken),
    access: s.tokens?.accessToken?.payload ?? null,
    id: s.tokens?.idToken?.payload ?? null,
    accessToken: s.tokens?.accessToken?.toString() ?? null,
    userSub: s.userSub ?? null,
  };
}

const devices = async () => Object.fromEntries(
  (await fetchDevices()).map((d) => [d.id, { name: d.name, status: d.attributes["dev:device_remembered_status"] }]));

// --- the flows -----------------------------------------------------------------------------

const flows = {
  async signUp(seen) {
    const attributes = { email: input.email };
    seen.signUp = await signUp({ username, password, options: { userAttributes: attributes } });
    // Not confirmed yet. (With autoSignIn this would cancel the automatic sign-in.)
    seen.beforeConfirm = await signIn({ username, password });
    seen.confirmSignUp = await confirmSignUp({ username, confirmationCode: await lastCode("SIGN_UP") });
    seen.signIn = await signIn({ username, password });
    seen.currentUser = await getCurrentUser();
    seen.session = await session();
    seen.attributes = await fetchUserAttributes();
  },

  // signUp with autoSignIn: after confirmSignUp, autoSignIn() signs in. With
  // input.authFlowType "USER_AUTH" Amplify uses the Session ConfirmSignUp answered (no
  // password); otherwise it signs in with the password it kept (SRP).
  async signUpAutoSignIn(seen) {
    const autoSignInOption = input.authFlowType ? { authFlowType: input.authFlowType } : true;
    seen.signUp = await signUp({
      username, password,
      options: { userAttributes: { email: input.email }, autoSignIn: autoSignInOption },
    });
    seen.confirmSignUp = await confirmSignUp({ username, confirmationCode: await lastCode("SIGN_UP") });
    seen.autoSignIn = await autoSignIn();
    seen.session = await session();
  },

  async customWithoutSrp(seen) {
    seen.signIn = await signIn({ username, options: { authFlowType: "CUSTOM_WITHOUT_SRP" } });
    seen.round1 = await confirmSignIn({ challengeResponse: "answer-1" });
    seen.round2 = await confirmSignIn({ challengeResponse: "answer-2" });
    seen.session = await session();
  },

  async customWithSrp(seen) {
    seen.signIn = await signIn({ username, password, options: { authFlowType: "CUSTOM_WITH_SRP" } });
    seen.round1 = await confirmSignIn({ challengeResponse: "answer-1" });
    seen.round2 = await confirmSignIn({ challengeResponse: "answer-2" });
    seen.session = await session();
  },

  async customWrongAnswer(seen) {
    seen.signIn = await signIn({ username, options: { authFlowType: "CUSTOM_WITHOUT_SRP" } });
    seen.round1 = await confirmSignIn({ challengeResponse: "answer-1" });
    try {
      await confirmSignIn({ challengeResponse: "wrong" });
      seen.wrong = { thrown: false };
    } catch (err) {
      seen.wrong = { thrown: true, name: err.name, message: err.message };
    }
  },

  async totp(seen) {
    seen.signIn = await signIn({ username, password });
    const setup = await setUpTOTP();
    seen.setupUri = setup.getSetupUri("AmplifyTest").toString();
    await verifyTOTPSetup({ code: await totp(setup.sharedSecret) });
    await updateMFAPreference({ totp: "PREFERRED" });
    await signOut();
    seen.afterSignOut = await session();
    seen.second = await signIn({ username, password });
    seen.confirm = await confirmSignIn({ challengeResponse: await totp(setup.sharedSecret) });
    seen.session = await session();
    seen.secret = setup.sharedSecret;
  },

  async devices(seen) {
    // The user has TOTP set up already (input.secret) and the pool asks MFA on new devices.
    seen.first = await signIn({ username, password });
    seen.firstConfirm = await confirmSignIn({ challengeResponse: await totp(input.secret) });
    const firstSession = await session();
    seen.deviceKeyClaim = firstSession.access.device_key ?? null;
    await rememberDevice();
    seen.remembered = await devices();
    await signOut();
    seen.second = await signIn({ username, password });
    seen.secondSession = await session();
    seen.refreshed = await session({ forceRefresh: true });
    await forgetDevice();
    seen.afterForget = await devices();
  },

  async refresh(seen) {
    seen.signIn = await signIn({ username, password });
    seen.before = await session();
    seen.clock = await emulator("/_emulator/clock", { advance: 3700 });
    seen.after = await session({ forceRefresh: true });
    seen.attributes = await fetchUserAttributes();
  },

  async attributes(seen) {
    seen.signIn = await signIn({ username, password });
    seen.update = await updateUserAttributes({
      userAttributes: { email: input.newEmail, given_name: "Ada" },
    });
    seen.pending = await fetchUserAttributes();
    await confirmUserAttribute({ userAttributeKey: "email", confirmationCode: await lastCode() });
    seen.confirmed = await fetchUserAttributes();
    seen.resend = await sendUserAttributeVerificationCode({ userAttributeKey: "email" });
    seen.idAfter = (await session({ forceRefresh: true })).id;
  },

  async resetPassword(seen) {
    seen.reset = await resetPassword({ username });
    await confirmResetPassword({
      username, newPassword: input.newPassword, confirmationCode: await lastCode("FORGOT_PASSWORD"),
    });
    try {
      await signIn({ username, password });
      seen.oldPassword = { thrown: false };
    } catch (err) {
      seen.oldPassword = { thrown: true, name: err.name, message: err.message };
    }
    seen.signIn = await signIn({ username, password: input.newPassword });
  },

  async signOut(seen) {
    seen.signIn = await signIn({ username, password });
    seen.local = (await session()).accessToken;
    await signOut();
    seen.afterLocal = await session();
    await signIn({ username, password });
    seen.global = (await session()).accessToken;
    await signOut({ global: true });
    seen.afterGlobal = await session();
  },
};

const seen = {};
try {
  await flows[input.flow](seen);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, ...seen, name: err.name, message: err.message }));
}
// Amplify leaves timers behind (signUp's autoSignIn listener lives 3 minutes): an app's tab
// would stay open; this run is over.
process.exit(0);
