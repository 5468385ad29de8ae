"""The built-in mock identity providers' table: one mock per provider type, its slug under
/_emulator/idp/, its well-known client id and its protocol shape. How to use them, and their
endpoints: web/mock_idps/__init__.py. What they say: shapes.py; their records: state.py."""
from __future__ import annotations

from dataclasses import dataclass

PREFIX = "/_emulator/idp"


@dataclass(frozen=True)
class Mock:
    provider_type: str
    slug: str
    client_id: str
    oidc: bool                  # id_token, discovery and JWKS
    authorize_path: str = "/authorize"
    token_path: str = "/token"
    attributes_path: str = "/userinfo"


MOCKS = {
    "Google": Mock("Google", "google", "mock-google-client", True),
    "SignInWithApple": Mock("SignInWithApple", "apple", "mock-apple-client", True,
                            attributes_path=""),
    "Facebook": Mock("Facebook", "facebook", "mock-facebook-client", False,
                     authorize_path="/dialog/oauth", token_path="/oauth/access_token",
                     attributes_path="/me"),
    "LoginWithAmazon": Mock("LoginWithAmazon", "amazon", "mock-amazon-client", False,
                            authorize_path="/ap/oa", token_path="/auth/o2/token",
                            attributes_path="/user/profile"),
    "OIDC": Mock("OIDC", "oidc", "mock-oidc-client", True),
}
BY_SLUG = {mock.slug: mock for mock in MOCKS.values()}


def for_provider(provider: dict) -> Mock | None:
    """The mock a provider record uses: its type's mock when its client_id is the mock's."""
    mock = MOCKS.get(provider.get("ProviderType") or "")
    details = provider.get("ProviderDetails") or {}
    return mock if mock is not None and details.get("client_id") == mock.client_id else None


def base(settings, mock: Mock) -> str:
    """The mock's issuer / base URL on the emulator's own base URL."""
    return f"{settings.base_url}{PREFIX}/{mock.slug}"
