"""One error family for the user-pool domain's endpoints (after Authlib's OAuth errors): each
kind says how it is answered, so an endpoint raises and one place answers.

    PageError        an HTML error page: there is nowhere safe to redirect to (unknown
                     client, unregistered redirect_uri, a refused SAML response)
    RedirectError    back to the client's (valid) redirect_uri with error, error_description
                     and state (RFC 6749 4.1.2.1)
    ClientAuthError  the token and revocation endpoints' client authentication failed: JSON,
                     401 and WWW-Authenticate Basic where the client tried Basic (RFC 6749 5.2)
    BearerError      the userInfo endpoint's access token: WWW-Authenticate Bearer (RFC 6750)

The token endpoint's grant errors (invalid_grant, ...) are auth/oauth_codes.GrantError: they
are raised inside the grant's transaction and may keep its writes (a used-up code), so they
are CognitoErrors with commit; the token endpoint answers them as JSON.
"""
from __future__ import annotations

from starlette.responses import HTMLResponse

from . import templates


class OAuthError(Exception):
    """An error of the user-pool domain's endpoints: `error` (the OAuth code or a page's text),
    `description`, `status`."""

    def __init__(self, error: str, description: str | None = None, status: int = 400):
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


class PageError(OAuthError):
    """Shown as an HTML error page (nowhere safe to redirect to)."""

    def __init__(self, text: str, status: int = 400, title: str = "An error was encountered"):
        super().__init__(text, None, status)
        self.text, self.title = text, title


class RedirectError(OAuthError):
    """An OAuth error answered by redirecting to the (valid) redirect_uri."""

    def __init__(self, error: str, description: str | None = None):
        super().__init__(error, description)
        self.areq = None  # the AuthRequest, set once the request is known


class ClientAuthError(OAuthError):
    """Client authentication at the token or revocation endpoint failed."""

    def __init__(self, error: str, status: int = 400, basic: bool = False):
        super().__init__(error, None, status)
        self.basic = basic


class BearerError(OAuthError):
    """The access token given to a resource endpoint (userInfo) was refused."""


def error_page(err: PageError) -> HTMLResponse:
    return HTMLResponse(templates.error_page(err.title, err.text), err.status)
