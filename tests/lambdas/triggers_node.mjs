// User-pool trigger handlers for tests/api/test_triggers.py (Node.js runner): the same
// behaviour as triggers_py.py. Each appends the event it received, as one JSON line, to the
// file named by COGNITO_TEST_EVENTS_FILE.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

const record = (event) => {
  const path = process.env.COGNITO_TEST_EVENTS_FILE;
  if (path) appendFileSync(path, `${JSON.stringify(event)}\n`);
};

export const pre_sign_up = async (event) => {
  record(event);
  const { request } = event;
  if ((request.userAttributes.email ?? '').endsWith('@blocked.example')) {
    throw new Error('Registration from this domain is not allowed.');
  }
  const asked = request.validationData ?? {};
  event.response.autoConfirmUser = asked.autoConfirm === 'yes';
  event.response.autoVerifyEmail = asked.autoVerifyEmail === 'yes';
  event.response.autoVerifyPhone = asked.autoVerifyPhone === 'yes';
  return event;
};

// Callback style, as older deployed handlers are written.
export const post_confirmation = (event, context, callback) => {
  record(event);
  if ((event.request.clientMetadata ?? {}).fail === 'yes') {
    callback(new Error('Could not create the profile'));
    return;
  }
  callback(null, event);
};

export const pre_authentication = async (event) => {
  record(event);
  if ((event.request.validationData ?? {}).deny === 'yes') {
    throw new Error('Sign-in denied by policy');
  }
  return event;
};

export const post_authentication = async (event) => {
  record(event);
  if (event.request.userAttributes.nickname === 'post-auth-fail') {
    throw new Error('Audit log unavailable');
  }
  return event;
};

export const custom_message = async (event) => {
  record(event);
  const { request, triggerSource: source } = event;
  const metadata = request.clientMetadata ?? {};
  if (metadata.plain === 'yes') return event;
  const code = request.codeParameter;
  if (source === 'CustomMessage_AdminCreateUser') {
    const text = `Welcome ${request.usernameParameter}, your password is ${code}`;
    Object.assign(event.response, { emailMessage: text, smsMessage: text,
      emailSubject: 'Welcome aboard' });
  } else {
    Object.assign(event.response, { emailMessage: `[${source}] code ${code}`,
      smsMessage: `[${source}] sms ${code}`, emailSubject: `Subject ${source}` });
  }
  if (metadata.noCode === 'yes') event.response.emailMessage = 'A message without the code';
  return event;
};

const VIP = {
  groupsToOverride: ['vip'],
  iamRolesToOverride: ['arn:aws:iam::000000000000:role/vip'],
  preferredRole: 'arn:aws:iam::000000000000:role/vip',
};

const groups = (event, details) => {
  const { nickname } = event.request.userAttributes;
  if (nickname === 'override-groups') details.groupOverrideDetails = VIP;
  else if (nickname === 'suppress-groups') details.groupOverrideDetails = null;
};

export const pre_token = async (event) => {
  record(event);
  const { nickname } = event.request.userAttributes;
  if (nickname === 'token-fail') throw new Error('Token service down');
  if (event.version === '1') {
    const details = {
      claimsToAddOrOverride: { tier: 'gold', email: 'override@example.com', sub: 'evil',
        'cognito:username': 'evil', family_name: 'both' },
      claimsToSuppress: ['given_name', 'family_name', 'token_use'],
    };
    groups(event, details);
    event.response.claimsOverrideDetails = details;
    return event;
  }
  const details = {
    idTokenGeneration: {
      claimsToAddOrOverride: { tier: 'gold', plan: { name: 'pro', seats: 3 },
        email_verified: { not: 'allowed' }, 'dev:x': 'no' },
      claimsToSuppress: ['given_name'],
    },
    accessTokenGeneration: {
      claimsToAddOrOverride: { tenant: 't-1', roles: ['reader', 'writer'], client_id: 'evil',
        aud: event.callerContext.clientId },
      claimsToSuppress: ['username'],
      scopesToAdd: ['custom/read'],
      scopesToSuppress: nickname === 'no-admin-scope' ? ['aws.cognito.signin.user.admin'] : [],
    },
  };
  groups(event, details);
  event.response.claimsAndScopeOverrideDetails = details;
  return event;
};

export const migrate_user = async (event) => {
  record(event);
  const { userName: name, request } = event;
  const asked = request.validationData ?? request.clientMetadata ?? {};
  if (name.startsWith('ghost')) return event;
  if (event.triggerSource === 'UserMigration_Authentication' && request.password !== 'weak') {
    throw new Error('Bad password');
  }
  event.response.userAttributes = { email: `${name}@legacy.example`, email_verified: 'true',
    nickname: 'migrated' };
  event.response.finalUserStatus = asked.status ?? 'CONFIRMED';
  event.response.messageAction = asked.message ?? 'SUPPRESS';
  if (asked.mediums) event.response.desiredDeliveryMediums = asked.mediums.split(',');
  return event;
};
