// Node.js (ESM) Lambda handlers the runner tests use; pick one with `handlers.mjs:<name>`.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

export const handler = async (event, context) => {
  event.response = { echoed: true, runtime: 'node-esm', pid: process.pid };
  return event;
};

export const fail = async () => {
  throw new Error('Registration from this domain is not allowed.');
};

export const hang = () => new Promise(() => {});

export const slow = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, (event.seconds ?? 0.2) * 1000));
  return { slept: event.seconds, pid: process.pid };
};

export const crash = async () => {
  process.exit(3);
};

export const text = async () => 'just a string';

export const bigint = async () => ({ big: 10n });

export const chatty = async (event) => {
  console.log('hello from node', event.n);
  console.error('a warning from node');
  event.response = { said: 'hello' };
  return event;
};

export const contextInfo = async (event, context) => ({
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remaining: context.getRemainingTimeInMillis(),
  envName: process.env.AWS_LAMBDA_FUNCTION_NAME,
});

export const lateThrow = async (event) => {
  setTimeout(() => { throw new Error('thrown later'); }, 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return event;
};

export const pid = async (event) => ({ pid: process.pid, n: event.n });

export const switcher = async (event) => {
  switch (event.do) {
    case 'hang': return new Promise(() => {});
    case 'crash': process.exit(3);
    case 'fail': throw new TypeError('asked to fail');
    case 'garbage': return { big: 1n };
    default: return { pid: process.pid, n: event.n };
  }
};

// Concurrency without a clock (see rendezvous in handlers.py): leave a file in event.dir, then
// wait (at most event.within seconds) until event.party files are there.
export const rendezvous = async (event) => {
  writeFileSync(join(event.dir, `${event.n}-${process.pid}`), '');
  const deadline = Date.now() + (event.within ?? 20) * 1000;
  while (readdirSync(event.dir).length < event.party && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { n: event.n, met: readdirSync(event.dir).length, pid: process.pid };
};
