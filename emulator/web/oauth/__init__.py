"""OAuth 2.0 / OpenID Connect endpoints of the user-pool domain (reference section 7):
/oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke, /logout.

Every pool is served on the emulator's own port: the pool comes from client_id, and also
from the Host header when it names a pool domain - `<prefix>.auth.localhost:<port>`
(browsers resolve *.localhost to loopback), `<prefix>.auth.<region>.amazoncognito.com`, or
a custom domain. The hosted pages (/login, /signup ...) are in hosted_ui/; both share the
authorize request parsed here (AuthRequest), which travels between pages in the query
string, as Cognito's own pages do.

One module per endpoint (authorize, token, userinfo, revoke, logout), the authorize
request they share (request.py) and the end of every browser sign-in (finish.py). Errors are
the web/errors.py family; plumbing is web/http.py.

Other sign-in front ends (SAML, social IdPs) plug in with:
    authorize.STARTERS[ProviderType] = fn(ctx, areq, provider record) -> URL | None
        /oauth2/authorize?identity_provider=<name> (or idp_identifier=...) redirects there;
        the provider record is the pool's kind "identity_provider" entry (client_config).
        areq.query() is the string to carry (RelayState); parse_authorize() restores it.
    finish(ctx, areq, user, auth_time) -> (redirect URL, session cookie value)
        once the user is known: issues the code (or implicit tokens) and a hosted-UI
        session; http.redirect(url, (pool id, cookie)) answers with both.
    logout.STARTERS: fn(ctx, pool, session, then) -> the provider's logout URL
"""
from starlette.routing import Route

from .authorize import authorize
from .logout import logout
from .revoke import revoke
from .token import token
from .userinfo import userinfo

# The hosted pages' routes are hosted_ui.routes (app.py mounts both lists).
routes = [
    Route("/oauth2/authorize", authorize, methods=["GET"]),
    Route("/oauth2/token", token, methods=["POST"]),
    Route("/oauth2/userInfo", userinfo, methods=["GET", "POST"]),
    Route("/oauth2/revoke", revoke, methods=["POST"]),
    Route("/logout", logout, methods=["GET"]),
]
