// Create auth challenge (Node.js): the same as ../create.py - a 6-digit code, emailed once
// per sign-in (retries reuse it through challengeMetadata). Mail goes through the SES v2
// SendEmail API. In AWS use @aws-sdk/client-sesv2 (SendEmailCommand), which signs the call;
// to keep this example free of npm installs it posts the same request itself to the
// emulator, which runs it with AWS_ENDPOINT_URL_SESV2 set and puts the mail in its outbox.
import { randomInt } from "node:crypto";

export const handler = async (event) => {
  const { session, userAttributes, userNotFound } = event.request;
  const email = userAttributes.email || event.userName;

  const previous = session.length ? session.at(-1).challengeMetadata || "" : "";
  let code;
  if (previous.startsWith("CODE-")) {
    code = previous.slice("CODE-".length); // another try: same code, no new email
  } else {
    code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    if (!userNotFound) {
      // Unknown users (PreventUserExistenceErrors) get the same-looking challenge, no email.
      await sendEmail(email, "Your sign-in code",
        `Your sign-in code is ${code}. It works for 3 minutes.`);
    }
  }

  event.response.publicChallengeParameters = { email: mask(email) };
  event.response.privateChallengeParameters = { code };
  event.response.challengeMetadata = `CODE-${code}`;
  return event;
};

function mask(email) {
  const at = email.indexOf("@");
  return at < 0 ? `${email.slice(0, 1)}***` : `${email.slice(0, 1)}***${email.slice(at)}`;
}

async function sendEmail(to, subject, body) {
  const endpoint = process.env.AWS_ENDPOINT_URL_SESV2;
  if (!endpoint) throw new Error("AWS_ENDPOINT_URL_SESV2 is not set (in AWS, use @aws-sdk/client-sesv2)");
  const answer = await fetch(`${endpoint}/v2/email/outbound-emails`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      FromEmailAddress: "no-reply@example.com",
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: body } } } },
    }),
  });
  if (!answer.ok) throw new Error(`SendEmail failed: ${answer.status} ${await answer.text()}`);
}
