import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  type ListUsersCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";

/**
 * cognito-local 5.3 gaps the admin API meets, filled on the admin API's own client (local only):
 * - ListUsers ignores `Limit` and `PaginationToken` and returns every user: paged here, with the
 *   offset as the token (the API wraps it in its own opaque token, as it does Cognito's).
 * - AdminResetUserPassword is not implemented: answered after checking the user exists
 *   (UserNotFoundException as on AWS); no reset code is sent (there is no email either way).
 *   (AdminUserGlobalSignOut is the user-pool front's: it revokes the user's tokens.)
 */
export function addLocalCognitoShims(client: CognitoIdentityProviderClient, userPoolId: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      switch (context.commandName) {
        case "ListUsersCommand": {
          const limit = typeof input.Limit === "number" ? input.Limit : 60;
          const offset =
            typeof input.PaginationToken === "string" ? Number.parseInt(input.PaginationToken, 10) : 0;
          const { Limit: _l, PaginationToken: _p, ...rest } = input;
          const result = await next({ ...args, input: rest });
          const output = result.output as ListUsersCommandOutput;
          const users = output.Users ?? [];
          const page = users.slice(offset, offset + limit);
          const more = offset + limit < users.length;
          return {
            ...result,
            output: { ...output, Users: page, ...(more ? { PaginationToken: String(offset + limit) } : {}) },
          };
        }
        case "AdminResetUserPasswordCommand": {
          await client.send(
            new AdminGetUserCommand({ UserPoolId: userPoolId, Username: String(input.Username) }),
          );
          return { output: { $metadata: {} }, response: undefined } as Awaited<ReturnType<typeof next>>;
        }
        default:
          return next(args);
      }
    },
    { step: "initialize", name: "photogateLocalCognitoShims" },
  );
}
