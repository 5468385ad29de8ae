// Custom-auth challenge handler for the tests (Node.js runner; also PreTokenGeneration,
// which adds a claim): the same scenarios as custom_auth_py.py (see there), chosen by the userName's prefix. Every event is appended,
// as received, as one JSON line to the file named by env COGNITO_TEST_EVENTS_FILE.
import { appendFileSync } from "node:fs";

const record = (event) => {
  const path = process.env.COGNITO_TEST_EVENTS_FILE;
  if (path) appendFileSync(path, JSON.stringify(event) + "\n");
};

const modeOf = (event) => {
  const name = event.userName || "";
  return name.includes("-") ? name.split("-")[0] : "";
};

const countCustom = (session) => session.filter((e) => e.challengeName === "CUSTOM_CHALLENGE").length;

function define(event, mode) {
  const session = event.request.session;
  const out = event.response;
  out.issueTokens = false;
  out.failAuthentication = false;
  if (mode === "failnow") out.failAuthentication = true;
  else if (mode === "tokensnow") out.issueTokens = true;
  else if (mode === "garbage") out.challengeName = "NOT_A_CHALLENGE";
  else if (mode === "verifier" && !session.length) out.challengeName = "PASSWORD_VERIFIER";
  else if (mode === "endless") out.challengeName = "CUSTOM_CHALLENGE";
  else if (session.length && session[session.length - 1].challengeName === "SRP_A") out.challengeName = "PASSWORD_VERIFIER";
  else if (session.some((e) => e.challengeResult === false)) out.failAuthentication = true;
  else if (countCustom(session) >= 2) out.issueTokens = true;
  else out.challengeName = "CUSTOM_CHALLENGE";
}

async function create(event, mode) {
  if (mode === "hang") await new Promise((resolve) => setTimeout(resolve, 60000));
  const n = countCustom(event.request.session) + 1;
  event.response.publicChallengeParameters = { question: `code for round ${n}?`, round: String(n) };
  event.response.privateChallengeParameters = { answer: `answer-${n}` };
  event.response.challengeMetadata = `ROUND-${n}`;
}

function verify(event, mode) {
  if (mode === "verifythrows") throw new Error("answer check exploded");
  event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
}

export const handler = async (event) => {
  record(event);
  const mode = modeOf(event);
  switch (event.triggerSource) {
    case "DefineAuthChallenge_Authentication": define(event, mode); break;
    case "CreateAuthChallenge_Authentication": await create(event, mode); break;
    case "VerifyAuthChallengeResponse_Authentication": verify(event, mode); break;
    default:
      if (event.triggerSource.startsWith("TokenGeneration_")) {
        event.response.claimsOverrideDetails = { claimsToAddOrOverride: { signed_in_by: "custom-auth-node" } };
      }
  }
  return event;
};
