"""AWS-style service errors.

Handlers raise CognitoError; the dispatcher turns it into the JSON 1.1 error body
`{"__type": code, "message": text}` with the `x-amzn-ErrorType` header.
"""


class CognitoError(Exception):
    """`commit=True`: the call's writes are kept although it fails (a counted failed
    attempt, a consumed session); the dispatcher commits before answering."""

    def __init__(self, code: str, message: str, status: int = 400, *, commit: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.commit = commit


def not_found(message: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", message)


def invalid(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def not_authorized(message: str) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def user_not_found() -> CognitoError:
    return CognitoError("UserNotFoundException", "User does not exist.")


def pool_not_found(pool_id: str) -> CognitoError:
    return not_found(f"User pool {pool_id} does not exist.")


def client_not_found(client_id: str) -> CognitoError:
    # Wording and code: aws/aws-sdk-php#2183 (raw 400 body), anomalyco/guide#82 (SignUp),
    # aws-amplify/amplify-flutter#740 - the same text for every ClientId-based call.
    return not_found(f"User pool client {client_id} does not exist.")
