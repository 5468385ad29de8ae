"""The whole passkey story against a running emulator, with a software authenticator standing
in for the browser and the phone (the one the tests use).

    scripts/serve --config examples/passkey/config.yaml        # terminal 1
    .venv/bin/python examples/passkey/demo.py                   # terminal 2

Run both from the repository root so they share examples/passkey/passkeys.json.
"""
import argparse
import json
import os
import sys

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(os.path.dirname(HERE))]  # passkeys.py; tests.support

import register  # noqa: E402

from tests.support.webauthn_authenticator import SoftAuthenticator  # noqa: E402

CLIENT_ID = "passkey0example0client0001"
ORIGIN = "http://localhost:3000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:9229")
    parser.add_argument("--username", default="alice")
    parser.add_argument("--password", default="Example-Passw0rd!")
    args = parser.parse_args()
    cognito = boto3.client("cognito-idp", endpoint_url=args.endpoint, region_name="us-east-1",
                           aws_access_key_id="local", aws_secret_access_key="local",
                           config=Config(retries={"max_attempts": 1}))

    print("1. sign in with the password (only a signed-in user may add a passkey)")
    tokens = cognito.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": args.username,
                                                   "PASSWORD": args.password})
    access_token = tokens["AuthenticationResult"]["AccessToken"]

    print("2. register a passkey")
    authenticator = SoftAuthenticator()
    options, state = register.begin(cognito, access_token)
    credential = register.finish(state, authenticator.create(options, origin=ORIGIN))
    print(f"   stored credential {credential['id']}")

    print("3. sign in with the passkey: InitiateAuth CUSTOM_AUTH")
    started = cognito.initiate_auth(ClientId=CLIENT_ID, AuthFlow="CUSTOM_AUTH",
                                    AuthParameters={"USERNAME": args.username})
    request_options = json.loads(started["ChallengeParameters"]["passkeyOptions"])
    print("   request options:", json.dumps(request_options, indent=2).replace("\n", "\n   "))

    print("4. the authenticator signs the challenge; RespondToAuthChallenge with the assertion")
    assertion = authenticator.get(request_options, origin=ORIGIN)
    done = cognito.respond_to_auth_challenge(
        ClientId=CLIENT_ID, ChallengeName="CUSTOM_CHALLENGE", Session=started["Session"],
        ChallengeResponses={"USERNAME": started["ChallengeParameters"]["USERNAME"],
                            "ANSWER": json.dumps(assertion)})
    print("   signed in; access token:", done["AuthenticationResult"]["AccessToken"][:40] + "...")


if __name__ == "__main__":
    main()
