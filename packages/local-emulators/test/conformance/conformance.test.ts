import { afterAll, beforeAll, describe } from "vitest";
import { cognitoIdentityCases } from "./cognito-identity.cases";
import { cognitoIdpCases } from "./cognito-idp.cases";
import { dynamoDbCases } from "./dynamodb.cases";
import { rekognitionCases } from "./rekognition.cases";
import { s3Cases } from "./s3.cases";
import { type ConformanceTarget, plannedTarget, startTarget } from "./target";

// One target for every service's cases: the embedded stack (default), LocalStack
// (LOCALSTACK_URL) or AWS (PHOTOGATE_CONFORMANCE_AWS=1); see target.ts.
const planned = plannedTarget();
let started: ConformanceTarget | undefined;
const target = (): ConformanceTarget => {
  if (!started) throw new Error("the conformance target did not start");
  return started;
};

beforeAll(async () => {
  started = await startTarget();
}, 180_000);
afterAll(async () => {
  await started?.stop();
});

describe(`AWS conformance (${planned.name})`, () => {
  cognitoIdpCases(target, planned);
  cognitoIdentityCases(target, planned);
  dynamoDbCases(target, planned);
  rekognitionCases(target, planned);
  s3Cases(target, planned);
});
