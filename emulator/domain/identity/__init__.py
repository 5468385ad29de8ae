"""Identity pools (the cognito-identity service): pools and their roles (pools.py),
identities, logins, OpenID tokens and credentials (identities.py, logins.py, credentials.py).
Same store and layers as the user pools; a user-pool ID token is checked through auth/."""
