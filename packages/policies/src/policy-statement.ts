/** One IAM statement in AWS's own JSON shape, so what the code says is what AWS reads. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyJson {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Renders statements as a policy JSON string; Terraform references inside stay interpolated. */
export function policyJson(statements: PolicyStatement[]): string {
  const document: PolicyJson = { Version: "2012-10-17", Statement: statements };
  return JSON.stringify(document);
}
