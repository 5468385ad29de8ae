"""The hosted sign-in pages (classic hosted UI / managed login): /login, /signup,
/confirmuser, /forgotpassword, /confirmforgotpassword, plus the steps a sign-in may need
on the way (new password required, MFA code, MFA choice).

They enter the same sign-in pipeline as the JSON API (auth/pipeline.py: password_first,
then answer for each challenge), so triggers, lockout, the risk engine and MFA behave as
for InitiateAuth; signup.* for the account pages. Each POST is one store transaction
(calls.run), in a worker thread when the pool has Lambda triggers.

One module per flow: sign_in.py (/login and its steps), sign_up.py (/signup, /confirmuser),
recovery.py (/forgotpassword, /confirmforgotpassword); the pages they show are pages.py, what
they share is common.py.

Every page carries the authorize request in its URL (AuthRequest.url); every form a CSRF
token (sessions.csrf_*). A completed sign-in sets the hosted-UI session cookie and goes
back to the app with a code (or implicit tokens) through finish.

How the sign-in result becomes a code: the page's SignIn issues no API tokens
(issue_tokens False): the pipeline's success step ends in SignedIn(user), and the tokens
come when the code is redeemed at /oauth2/token (PreTokenGeneration fires there, with
TokenGeneration_HostedAuth). The pages remember no devices (track_devices False).
"""
from starlette.routing import Route

from .recovery import confirm_forgot_view, forgot_view
from .sign_in import login
from .sign_up import confirm_view, signup_view


def _both_cases(path: str, endpoint, names: tuple[str, ...]) -> list[Route]:
    return [Route(p, endpoint, methods=["GET", "POST"]) for p in (path, *names)]


# Lower-case paths as the reference names them, plus the classic hosted UI's spellings.
routes = [
    Route("/login", login, methods=["GET", "POST"]),
    *_both_cases("/signup", signup_view, ()),
    *_both_cases("/confirmuser", confirm_view, ("/confirmUser", "/confirm")),
    *_both_cases("/forgotpassword", forgot_view, ("/forgotPassword",)),
    *_both_cases("/confirmforgotpassword", confirm_forgot_view, ("/confirmForgotPassword",)),
]
