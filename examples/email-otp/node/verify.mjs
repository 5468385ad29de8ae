// Verify auth challenge response (Node.js): is the answer the code Create made?
import { timingSafeEqual } from "node:crypto";

export const handler = async (event) => {
  const { privateChallengeParameters, challengeAnswer, userNotFound } = event.request;
  const expected = Buffer.from(privateChallengeParameters.code || "");
  const answer = Buffer.from(String(challengeAnswer || "").trim());
  // timingSafeEqual needs equal lengths; it takes as long for a near miss as for a far one.
  event.response.answerCorrect =
    !userNotFound && expected.length > 0 && answer.length === expected.length &&
    timingSafeEqual(answer, expected);
  return event;
};
