import { Lazy } from "cdktf";

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

/**
 * A policy document that other constructs can still add statements to after the resource
 * holding it was created: it renders lazily, at synth time. A bucket has one policy, so
 * this is how the TLS rule, CloudFront's OAC read and later grants share it.
 */
export class PolicyDocument {
  private readonly statements: PolicyStatement[] = [];

  constructor(statements: PolicyStatement[] = []) {
    this.addStatements(...statements);
  }

  addStatements(...statements: PolicyStatement[]): void {
    for (const statement of statements) {
      if (statement.Sid && this.statements.some((s) => s.Sid === statement.Sid)) {
        throw new Error(`Policy statement Sid "${statement.Sid}" is already used in this document`);
      }
      this.statements.push(statement);
    }
  }

  /** A copy of the statements added so far. */
  get statementList(): readonly PolicyStatement[] {
    return [...this.statements];
  }

  /** A string token that becomes the policy JSON when the stack is synthesized. */
  toJsonToken(): string {
    return Lazy.stringValue({ produce: () => policyJson(this.statements) });
  }
}

/** Trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string): string {
  return policyJson([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);
}
