// The program one Node.js function runs in:
//   node node_worker.mjs <reply fd> <handler file> <export name>
// Loads the handler once (CommonJS or ESM), then reads requests (JSON lines) on stdin and
// writes replies (JSON lines) to the reply fd. console.log and friends go to stdout/stderr,
// which the emulator copies to its log, so they can never be taken for a reply.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [replyFdArg, file, exportName] = process.argv.slice(2);
const replyFd = Number(replyFdArg);
const env = process.env;

function write(text) {
  const buf = Buffer.from(text + '\n');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(replyFd, buf, off);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
}

function send(message) {
  write(JSON.stringify(message));
}

function describe(err) {
  // What the Lambda Node.js runtime reports for a thrown value or callback(err).
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message,
             trace: String(err.stack || '').split('\n') };
  }
  if (typeof err === 'string') return { errorType: 'string', errorMessage: err };
  let text;
  try { text = JSON.stringify(err); } catch { text = String(err); }
  return { errorType: typeof err, errorMessage: text === undefined ? String(err) : text };
}

async function load() {
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    console.error(err && err.stack ? err.stack : err);
    const syntax = err instanceof SyntaxError;
    return { error: { errorType: syntax ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError',
                      errorMessage: `${err && err.name ? err.name + ': ' : ''}${err && err.message !== undefined ? err.message : err}` } };
  }
  // ESM named export, or a CommonJS module.exports property.
  let handler = mod[exportName];
  if (typeof handler !== 'function' && mod.default && typeof mod.default === 'object') {
    handler = mod.default[exportName];
  }
  if (typeof handler !== 'function') {
    return { error: { errorType: 'Runtime.HandlerNotFound',
                      errorMessage: `${base}.${exportName} is undefined or not exported` } };
  }
  return { handler };
}

let current = null;   // the request in progress: { id, fail(err) }

function run(handler, request) {
  const id = request.id;
  let settled = false;
  const ok = (result) => {
    if (settled) return;
    settled = true;
    current = null;
    let text;
    try {
      text = JSON.stringify(result === undefined ? null : result);
    } catch (err) {
      send({ id, invalid: `Unable to stringify response body: ${err.message}` });
      return;
    }
    if (text === undefined) text = 'null';       // e.g. a function was returned
    write(`{"id":${JSON.stringify(id)},"result":${text}}`);
  };
  const fail = (err, extra = {}) => {
    if (settled) return;
    settled = true;
    current = null;
    const error = describe(err);
    console.error(`${id}\tERROR\tInvoke Error\t${JSON.stringify(error)}`);
    send({ id, error, ...extra });
  };
  current = { id, fail };
  const callback = (err, result) => (err !== undefined && err !== null ? fail(err) : ok(result));
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: request.arn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(request.deadline_ms - Date.now(), 0),
    // The legacy context methods old handlers still call.
    done: (err, result) => callback(err, result),
    succeed: (result) => ok(result),
    fail: (err) => fail(err ?? new Error('handled')),
  };
  let returned;
  try {
    returned = handler(request.event, context, callback);
  } catch (err) {
    fail(err);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then(ok, (err) => fail(err ?? new Error('Promise rejected without a reason')));
  } else if (handler.length < 3) {
    // Neither a promise nor a callback parameter: the runtime answers with what it got
    // (Lambda would answer null once the event loop empties).
    ok(returned);
  }
  // Otherwise wait for the callback (or the emulator's timeout).
}

function fatal(kind) {
  return (err) => {
    console.error(err && err.stack ? err.stack : err);
    if (current) {
      const error = kind === 'unhandledRejection'
        ? Object.assign(new Error(err instanceof Error ? `${err.name}: ${err.message}` : String(err)),
                        { name: 'Runtime.UnhandledPromiseRejection' })
        : err;
      current.fail(error, { exiting: true });
    }
    process.exit(129);   // as the Lambda runtime does: this environment is not reused
  };
}
process.on('uncaughtException', fatal('uncaughtException'));
process.on('unhandledRejection', fatal('unhandledRejection'));

const { handler, error } = await load();
send({ ready: true, error: error || null });
if (error) process.exit(0);

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (line) run(handler, JSON.parse(line));
});
lines.on('close', () => process.exit(0));
