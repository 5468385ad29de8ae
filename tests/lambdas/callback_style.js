// CommonJS handlers in the callback style older Lambda code uses.
exports.handler = function (event, context, callback) {
  setTimeout(() => {
    event.response = { echoed: true, runtime: 'node-cjs-callback', request: context.awsRequestId };
    callback(null, event);
  }, 5);
};

exports.failing = function (event, context, callback) {
  callback(new Error('Bad answer'));
};

exports.failingString = function (event, context, callback) {
  callback('plain string error');
};

exports.legacySucceed = function (event, context) {
  context.succeed({ legacy: true });
};

exports.asyncHandler = async (event) => {
  event.response = { echoed: true, runtime: 'node-cjs-async' };
  return event;
};

exports.neverCalls = function (event, context, callback) {
  // forgets to call back: the emulator's timeout ends it
};
