// A pool-and-user round trip through the AWS SDK for JavaScript v3.
// Usage: node sdk_v3_roundtrip.mjs <endpoint>   -> prints one JSON line
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, AdminCreateUserCommand,
  AdminGetUserCommand, DeleteUserPoolCommand, DescribeUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const endpoint = process.argv[2];
const client = new CognitoIdentityProviderClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
const out = {};
const pool = (await client.send(new CreateUserPoolCommand({ PoolName: "js-sdk-v3" }))).UserPool;
out.poolId = pool.Id;
out.described = (await client.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool.Name;
await client.send(new AdminCreateUserCommand({
  UserPoolId: pool.Id, Username: "js-user", MessageAction: "SUPPRESS",
  UserAttributes: [{ Name: "email", Value: "js@example.com" }],
}));
const user = await client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: "js-user" }));
out.username = user.Username;
out.status = user.UserStatus;
out.email = user.UserAttributes.find((a) => a.Name === "email").Value;
out.createdIsDate = user.UserCreateDate instanceof Date;
try {
  await client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: "nobody" }));
} catch (err) {
  out.errorName = err.name;
  out.errorMessage = err.message;
}
await client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
console.log(JSON.stringify(out));
