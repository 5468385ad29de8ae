// Define auth challenge (Node.js): the same decisions as ../define.py.
const MAX_ATTEMPTS = 3; // a mistyped code gets another chance; the third wrong one ends it

export const handler = async (event) => {
  const session = event.request.session;
  const response = event.response;
  response.issueTokens = false;
  response.failAuthentication = false;

  const attempts = session.filter((e) => e.challengeName === "CUSTOM_CHALLENGE");
  if (attempts.length !== session.length) {
    response.failAuthentication = true; // started with SRP_A: not this flow
  } else if (attempts.length && attempts.at(-1).challengeResult) {
    response.issueTokens = true; // the last code was right
  } else if (attempts.length >= MAX_ATTEMPTS) {
    response.failAuthentication = true; // out of tries
  } else {
    response.challengeName = "CUSTOM_CHALLENGE"; // first try, or another one
  }
  return event;
};
