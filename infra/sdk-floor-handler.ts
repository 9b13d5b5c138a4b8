/**
 * The baseline `npm run measure:lambda` compares the CDS Hooks bundle with: a handler that makes only the AWS
 * calls the CDS bundle's cold start makes, through the same SDK clients with the same options, and answers a
 * constant. Its cold initialisation is the floor any handler doing that work with the AWS SDK pays on this
 * machine: the audit secret from Secrets Manager, the ACTIVE pointer, the active version's partition, and a
 * JWT replay claim. Never deployed.
 */
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { readServiceConfig } from '../functions/adapters/config';
import { createDynamoClient } from '../functions/adapters/dynamodb/client';
import { tableNames } from '../functions/adapters/dynamodb/tables';
import { resolveSecretEnv } from '../functions/adapters/secrets';

const config = readServiceConfig(await resolveSecretEnv(process.env));
const client = createDynamoClient(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {});
const names = tableNames(config.tablePrefix);

export async function handler(): Promise<{ statusCode: number; body: string }> {
  const { Item: pointer } = await client.send(
    new GetItemCommand({ TableName: names.rules, Key: { pk: { S: 'ACTIVE' }, sk: { S: 'ACTIVE' } } }),
  );
  const version = pointer?.version?.S;
  if (!version) return { statusCode: 500, body: 'no active rule set' };
  let items = 0;
  let from: Record<string, { S: string }> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: names.rules,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `RULESET#${version}` } },
        ...(from ? { ExclusiveStartKey: from } : {}),
      }),
    );
    items += page.Items?.length ?? 0;
    from = page.LastEvaluatedKey as typeof from;
  } while (from);
  await client.send(
    new PutItemCommand({
      TableName: names.audit,
      Item: { pk: { S: `JTI#floor-${crypto.randomUUID()}` }, sk: { S: 'JTI' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ version, items }) };
}
