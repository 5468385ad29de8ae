"""Built-in mock identity providers at /_emulator/idp/<slug>/...: offline stand-ins for Google,
Sign in with Apple, Facebook, Login with Amazon and any OIDC issuer, each speaking its real
protocol shape (web/oidc_federation.py is the relying party that talks to them over HTTP,
exactly as it talks to an outside provider). Nothing leaves the machine.

    type             slug      well-known client_id     shape
    Google           google    mock-google-client       OIDC: discovery, JWKS, id_token, userinfo
    SignInWithApple  apple     mock-apple-client        OIDC, response_mode=form_post, Apple's
                                                        claim names (email_verified "true", the
                                                        `user` JSON posted on sign-in)
    Facebook         facebook  mock-facebook-client     OAuth2 dialog, GET token, Graph /me?fields=
    LoginWithAmazon  amazon    mock-amazon-client       OAuth2, token, /user/profile
    OIDC             oidc      mock-oidc-client         OIDC: discovery, JWKS, userinfo, PKCE S256

Routes (per slug): GET|POST /authorize (Facebook also /dialog/oauth, Amazon /ap/oa), POST
/token (Facebook GET /oauth/access_token), GET /.well-known/openid-configuration and GET /jwks
(OIDC shapes), GET|POST /userinfo (OIDC shapes), GET /me (Facebook), GET /user/profile
(Amazon). GET /_emulator/idp/mocks lists them (JSON).

(a) A test against a mock: create the provider with the mock's client_id (any client_secret;
    Apple: any team_id/key_id and a real EC P-256 private_key PEM; OIDC: any oidc_issuer, e.g.
    "https://mock.invalid", and attributes_request_method GET or POST):

        cognito.create_identity_provider(UserPoolId=pool, ProviderName="Google",
            ProviderType="Google", ProviderDetails={"client_id": "mock-google-client",
            "client_secret": "x", "authorize_scopes": "openid email profile"},
            AttributeMapping={"email": "email", "name": "name"})

    The relying party then uses <base_url>/_emulator/idp/google/... instead of Google's URLs.
    /oauth2/authorize?identity_provider=Google&... redirects to the mock's sign-in page (a form:
    sub, email, email_verified, name, extra claims as JSON). To skip the page, pass
    `login_hint` to /oauth2/authorize (forwarded to the provider) or to the mock's /authorize:
    a JSON object of claims (`{"sub": "123", "email": "a@example.com", "email_verified": true,
    "name": "A", "custom_claim": "x"}`) or a plain email (sub derived from it). The mock
    answers at once with its redirect (Apple: an auto-posting form to /oauth2/idpresponse).
(b) A test against an outside issuer: an OIDC provider with any other client_id, its
    `oidc_issuer` (discovery at <issuer>/.well-known/openid-configuration, cached 5 min) or the
    explicit authorize_url / token_url / attributes_url / jwks_uri. https is required (the
    emulator trusts the system CAs plus SSL_CERT_FILE); an http:// issuer is accepted only on
    a loopback host (emulator-only, for test servers). The provider must accept the redirect
    URI <base_url>/oauth2/idpresponse (or <pool domain origin>/oauth2/idpresponse when the
    authorize request came through the pool's domain).
(c) An identity pool: SupportedLoginProviders {"accounts.google.com": "mock-google-client"}
    (likewise appleid.apple.com, graph.facebook.com, www.amazon.com) takes the mock's ID token
    (Google, Apple) or access token (Facebook, Amazon) in Logins (auth/identity_social.py;
    docs/IDENTITY_POOLS.md, "Social logins"). Get it as an app would: the mock's authorize
    with login_hint, then its token endpoint with the code.

The mocks authenticate nobody: whoever reaches the page can be anyone (hence no CSRF token).
Here: routes.py (the endpoints) and identity.py (the identity a tester picks). Below web/, in
domain/mock_idps/: the table above (`MOCKS`), what each mock says (shapes.py) and its state
(state.py), so that identity pools can check the mocks' tokens too (auth/identity_social.py).
State (kind "mock_idp", scope ""): "key" (one RSA key, made once, signs every mock's ID
tokens), "code/<code>" and "token/<access token>" (single-use codes, 5 minutes; access
tokens, 1 hour; read as absent once expired, and swept: emulator/sweep.py). /_emulator/reset
wipes them.
"""
