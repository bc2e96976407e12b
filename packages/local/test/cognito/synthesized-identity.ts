import { Identity } from "@photogate/stacks";
import { Testing } from "cdktf";
import { env } from "./local-pool";

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is read attribute by attribute
type Block = Record<string, any>;

/** The user pool, groups and app clients the Identity construct synthesizes for the local pool's environment. */
export function synthesizedIdentity() {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      new Identity(scope, "identity", { env, bucketArn: `arn:aws:s3:::${env.bucketName}` });
    }),
  ) as { resource: Record<string, Record<string, Block>> };
  const all = (type: string) => Object.entries(json.resource[type] ?? {});
  const pool = all("aws_cognito_user_pool")[0]?.[1];
  if (!pool) throw new Error("the Identity construct synthesized no user pool");
  return {
    pool,
    groups: all("aws_cognito_user_group").map(([, group]) => group),
    client(id: "upload-client" | "admin-client"): Block {
      const found = all("aws_cognito_user_pool_client").find(([name]) => name.includes(id));
      if (!found) throw new Error(`the Identity construct synthesized no ${id}`);
      return found[1];
    },
  };
}
