"""Functions behind the AWS Lambda Invoke API (`sam local start-lambda`, LocalStack, ...):
POST {endpoint}/2015-03-31/functions/<name>/invocations with the event as the body."""
import http.client
import json
import re
from urllib.parse import quote, urlsplit

from .errors import LambdaError

_ACCOUNT = re.compile(r"^\d{12}$")


def invoke(endpoint: str, name: str, qualifier: str | None, event, *, timeout: float,
           region: str, account: str | None):
    url = urlsplit(endpoint if "://" in endpoint else "http://" + endpoint)
    path = f"{url.path.rstrip('/')}/2015-03-31/functions/{quote(name, safe='')}/invocations"
    if qualifier:
        path += "?Qualifier=" + quote(qualifier, safe="")
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": "RequestResponse",
               "X-Amz-Log-Type": "None"}
    headers.update(_signature(f"{url.scheme}://{url.netloc}{path}", body, headers, region,
                              account))
    connection_class = (http.client.HTTPSConnection if url.scheme == "https"
                        else http.client.HTTPConnection)
    where = f"{url.scheme}://{url.netloc}"
    conn = connection_class(url.hostname, url.port, timeout=timeout)
    try:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        data = response.read()
    except TimeoutError:
        raise LambdaError("timeout", f"function {name} did not answer within {timeout:.3g} "
                                     f"seconds (Lambda endpoint {where})") from None
    except (OSError, http.client.HTTPException) as exc:
        raise LambdaError("invoke_failed", f"cannot invoke function {name} at the Lambda "
                                           f"endpoint {where}: {exc}") from None
    finally:
        conn.close()
    return _result(name, where, response, data)


def _result(name: str, where: str, response, data: bytes):
    text = data.decode("utf-8", "replace")
    if response.status == 404:
        raise LambdaError("not_found", _service_message(text) or
                          f"Function not found: {name} (Lambda endpoint {where})")
    if not 200 <= response.status < 300:
        kind = response.getheader("x-amzn-ErrorType", "").split(":", 1)[0]
        detail = _service_message(text) or text[:300]
        raise LambdaError("invoke_failed", f"the Lambda endpoint {where} answered HTTP "
                                           f"{response.status} for function {name}: "
                                           f"{kind + ': ' if kind else ''}{detail}")
    if response.getheader("X-Amz-Function-Error"):      # "Unhandled" or "Handled"
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "errorMessage" in payload:
            message = payload["errorMessage"]
            message = message if isinstance(message, str) else json.dumps(message)
            raise LambdaError("function_error", message, error_type=payload.get("errorType"))
        raise LambdaError("function_error", text)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise LambdaError("invalid_response", f"function {name} answered something that is "
                                              f"not JSON: {text[:200]!r}") from None


def _service_message(text: str) -> str | None:
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    if isinstance(payload, dict):
        message = payload.get("message") or payload.get("Message") or payload.get("errorMessage")
        return message if isinstance(message, str) else None
    return None


def _signature(url: str, body: bytes, headers: dict, region: str, account: str | None) -> dict:
    """SigV4 with dummy credentials. sam local ignores it; LocalStack reads the region from
    the credential scope and the account from a 12-digit access key id."""
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:
        return {}
    key = account if account and _ACCOUNT.match(account) else "test"
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(key, "test"), "lambda", region).add_auth(request)
    return {k: v for k, v in request.headers.items() if k.lower() in
            ("authorization", "x-amz-date", "x-amz-content-sha256")}
