"""The one error every runner raises."""

KINDS = ("not_found", "function_error", "timeout", "invalid_response", "invoke_failed")


class LambdaError(Exception):
    """kind: one of KINDS. message: for function_error, the function's own error message
    (a thrown Error's message, str(exception), a Lambda errorMessage). error_type: for
    function_error, the function's error type when known (e.g. "ValueError", "Error",
    "Runtime.ExitError")."""

    def __init__(self, kind: str, message: str, *, error_type: str | None = None):
        assert kind in KINDS, kind
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.error_type = error_type

    def __repr__(self) -> str:
        return f"LambdaError({self.kind!r}, {self.message!r})"
