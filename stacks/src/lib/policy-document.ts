import { type PolicyStatement, policyJson } from "@photogate/policies";
import { Lazy } from "cdktf";

export type { PolicyJson, PolicyStatement } from "@photogate/policies";
export { policyJson };

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
