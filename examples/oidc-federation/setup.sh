#!/bin/sh
# A user pool federated with the Keycloak realm of docker-compose.yml, and an app client that
# offers it; prints the URL to open. Needs the AWS CLI (any credentials: the emulator does not
# check them). E, ISSUER and CALLBACK change the emulator's URL, the issuer and the app's
# callback (tests/examples/test_oidc_federation_example.py runs this with npm oidc-provider
# standing in for Keycloak).
set -eu
E=${E:-http://localhost:9229}
ISSUER=${ISSUER:-https://keycloak:8443/realms/demo}
CALLBACK=${CALLBACK:-http://localhost:3000/callback}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-x} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-x}
export AWS_DEFAULT_REGION=us-east-1
idp() { aws cognito-idp --endpoint-url "$E" "$@"; }

POOL=$(idp create-user-pool --pool-name keycloak-demo --query UserPool.Id --output text)
idp create-identity-provider --user-pool-id "$POOL" --provider-name Keycloak \
  --provider-type OIDC \
  --provider-details client_id=cognito-emulator,client_secret=cognito-emulator-secret,attributes_request_method=GET,oidc_issuer=$ISSUER,authorize_scopes="openid email profile" \
  --attribute-mapping email=email,email_verified=email_verified,name=name,given_name=given_name,family_name=family_name \
  >/dev/null
# JSON input: AWS CLI v1 would fetch an argument that is a URL (--callback-urls http://...).
CLIENT=$(idp create-user-pool-client --query UserPoolClient.ClientId --output text \
  --cli-input-json "{\"UserPoolId\": \"$POOL\", \"ClientName\": \"web\",
    \"SupportedIdentityProviders\": [\"COGNITO\", \"Keycloak\"],
    \"CallbackURLs\": [\"$CALLBACK\"], \"AllowedOAuthFlows\": [\"code\"],
    \"AllowedOAuthScopes\": [\"openid\", \"email\", \"profile\"],
    \"AllowedOAuthFlowsUserPoolClient\": true}")

echo "pool $POOL, app client $CLIENT"
echo "Open: $E/oauth2/authorize?client_id=$CLIENT&response_type=code&scope=openid+email+profile&redirect_uri=$CALLBACK"
echo "Choose 'Sign in with Keycloak', sign in as alice / alice: the browser lands on"
echo "$CALLBACK?code=... (nothing listens there; the code is in the address)."
echo "Then: AdminGetUser shows Keycloak_<Keycloak's user id>, status EXTERNAL_PROVIDER:"
echo "  aws cognito-idp --endpoint-url $E list-users --user-pool-id $POOL"
