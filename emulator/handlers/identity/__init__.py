"""Operation handlers of the identity-pool service (cognito-identity), registered with
`operation(name, service=model.IDENTITY_SERVICE)`."""
