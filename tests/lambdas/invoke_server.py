"""A tiny stand-in for `sam local start-lambda`: the Lambda Invoke API
(POST /2015-03-31/functions/<name>/invocations) running the Python handlers in handlers.py.

    with InvokeServer() as server:      # server.url, server.requests (what it received)
        ...
    InvokeServer(my_handlers_module)     # functions named after another module's functions
"""
import json
import re
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.lambdas import handlers

_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


class _Context:
    def __init__(self, name: str):
        self.function_name = name
        self.aws_request_id = "invoke-server"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):       # keep test output quiet
        pass

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": url.path, "query": parse_qs(url.query),
                                     "headers": dict(self.headers), "body": body})
        m = _PATH.match(url.path)
        function = None
        for module in self.server.modules if m else ():
            function = getattr(module, m["name"], None)
            if callable(function):
                break
        if not callable(function):
            name = m["name"] if m else url.path
            return self._send(404, {"Type": "User", "message": f"Function not found: {name}"},
                              {"x-amzn-ErrorType": "ResourceNotFoundException"})
        try:
            result = function(json.loads(body or b"null"), _Context(m["name"]))
        except Exception as exc:
            return self._send(200, {"errorMessage": str(exc), "errorType": type(exc).__name__,
                                    "stackTrace": traceback.format_tb(exc.__traceback__)},
                              {"X-Amz-Function-Error": "Unhandled"})
        self._send(200, result)

    def _send(self, status: int, payload, headers: dict | None = None):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the caller gave up waiting (the timeout tests): nobody to tell
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # http.server's default backlog of 5 drops concurrent callers


class InvokeServer:
    def __init__(self, *modules):
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.modules = modules or (handlers,)
        self.httpd.requests = []
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list:
        return self.httpd.requests

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
