export { type AwsDeadLetters, awsDeadLetters, queueUrlByName } from "./aws-dead-letters";
export { describeDeadLetterPayload } from "./dead-letter-payload";
export { lambdaReplay } from "./lambda-replay";
export {
  type DeadLetterMessage,
  type DeadLetterSource,
  errorText,
  type RedriveOptions,
  type Replay,
  redriveDeadLetters,
} from "./redrive";
export { RedriveBusyError, ReplayFailedError } from "./redrive-errors";
export { parseDeadLetterMessage, type SqsDeadLettersOptions, sqsDeadLetters } from "./sqs-dead-letters";
