import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { photoTable } from "@photogate/core";
import { type Logger, type ProcessorClients, parseS3Event } from "@photogate/processor";
import type { S3Event } from "aws-lambda";

/**
 * Ends the processing leases that the local stack's earlier process held for the notifications
 * it left in the journal, so their redelivery at start takes them over at once.
 *
 * A lease keeps a second run off a photo while the first may still be working (on AWS, until
 * Lambda's timeout). Locally a restart proves that run dead: it lived in the process that was
 * killed or stopped. Without this, the redelivery would be skipped as "leased" and the photo
 * would wait for the lease to run out. Only records still `processing` for that very upload
 * (same sequencer) are touched.
 */
export async function endDeadLeases(
  dynamo: ProcessorClients["dynamo"],
  table: string,
  events: readonly S3Event[],
  log: Logger,
  now: Date = new Date(),
): Promise<number> {
  let ended = 0;
  for (const upload of events.flatMap((event) => parseS3Event(event, log))) {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { [photoTable.partitionKey]: upload.owner, [photoTable.sortKey]: upload.photoId },
          UpdateExpression: "SET #leaseExpiresAt = :now",
          ConditionExpression: "#status = :processing AND #sourceSequencer = :seq AND #leaseExpiresAt > :now",
          ExpressionAttributeNames: {
            "#leaseExpiresAt": "leaseExpiresAt",
            "#status": "status",
            "#sourceSequencer": "sourceSequencer",
          },
          ExpressionAttributeValues: {
            ":now": now.toISOString(),
            ":processing": "processing",
            ":seq": upload.sequencer,
          },
        }),
      );
      ended++;
      log.info("lease.ended-dead-run", { owner: upload.owner, photoId: upload.photoId });
    } catch (error) {
      // No live lease for this upload (never claimed, finished, or superseded): nothing to end.
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
    }
  }
  return ended;
}
