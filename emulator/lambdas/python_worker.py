"""The program one Python function runs in: `python -u python_worker.py <reply fd> <config>`.

Loads the handler once, then reads requests (JSON lines) on stdin and writes replies (JSON
lines) to the reply fd. Everything the handler prints or logs goes to stdout/stderr, which the
emulator copies to its log. Standalone on purpose: it does not import the emulator.
"""
import decimal
import json
import logging
import os
import sys
import time
import traceback


class LambdaContext:
    """What the AWS Python runtime passes as `context`."""

    def __init__(self, request: dict):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = request["arn"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]  # a str, as in AWS
        self.aws_request_id = request["id"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def __repr__(self) -> str:
        return (f"LambdaContext([aws_request_id={self.aws_request_id},"
                f"function_name={self.function_name},function_version={self.function_version}])")


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _setup_logging() -> None:
    # Like the Lambda runtime: a root handler is already there, level WARNING unless the
    # function raises it (logger.setLevel(logging.INFO) is the usual first line).
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = megabytes * 1024 * 1024
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _load(config: dict):
    """-> (handler, None) or (None, error dict) with the Lambda runtime's error types."""
    name = config["handler"]
    for folder in reversed(config["search_path"]):
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    if "path" in config:
        import importlib.util
        module_name = os.path.splitext(os.path.basename(config["path"]))[0]
    else:
        import importlib
        module_name = config["module"]
    try:
        if "path" in config:
            spec = importlib.util.spec_from_file_location(module_name, config["path"])
            module = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(module_name, module)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except SyntaxError as exc:
        traceback.print_exc()
        return None, {"errorType": "Runtime.UserCodeSyntaxError",
                      "errorMessage": f"Syntax error in module '{module_name}': {exc}"}
    except Exception as exc:
        traceback.print_exc()
        return None, {"errorType": "Runtime.ImportModuleError",
                      "errorMessage": f"Unable to import module '{module_name}': {exc}"}
    handler = getattr(module, name, None)
    if not callable(handler):
        return None, {"errorType": "Runtime.HandlerNotFound",
                      "errorMessage": f"Handler '{name}' missing on module '{module_name}'"}
    return handler, None


def _json_default(value):
    if isinstance(value, decimal.Decimal):        # what boto3's DynamoDB reads give you
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _Replies:
    def __init__(self, fd: int):
        self.fd = fd

    def send(self, message: dict) -> None:
        self.write(json.dumps(message, separators=(",", ":")))

    def write(self, text: str) -> None:
        data = memoryview(text.encode() + b"\n")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def main() -> None:
    reply_fd, config = int(sys.argv[1]), json.loads(sys.argv[2])
    # This file's folder is not the function's: keep it off the import path.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    # Requests arrive on fd 0; the handler's own stdin reads get nothing.
    requests = os.fdopen(os.dup(0), "rb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    replies = _Replies(reply_fd)
    _limit_memory(config["memory_limit_mb"])
    _setup_logging()

    handler, init_error = _load(config)
    replies.send({"ready": True, "error": init_error})
    if init_error:
        return

    for line in requests:
        request = json.loads(line)
        _RequestIdFilter.request_id = request["id"]
        request_id = request["id"]
        try:
            result = handler(request["event"], LambdaContext(request))
        except Exception as exc:
            # The runtime logs the failure, then reports it to the caller.
            print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr)
            traceback.print_exc()
            reply = {"id": request_id, "error": {
                "errorType": type(exc).__name__, "errorMessage": str(exc),
                "stackTrace": traceback.format_tb(exc.__traceback__)}}
        else:
            try:
                text = json.dumps(result, default=_json_default, allow_nan=False,
                                  separators=(",", ":"))
            except (TypeError, ValueError, RecursionError) as exc:
                reply = {"id": request_id, "invalid": f"Unable to marshal response: {exc}"}
            else:
                reply = None
        sys.stdout.flush()
        sys.stderr.flush()
        if reply is None:
            replies.write(f'{{"id":{json.dumps(request_id)},"result":{text}}}')
        else:
            replies.send(reply)


if __name__ == "__main__":
    main()
