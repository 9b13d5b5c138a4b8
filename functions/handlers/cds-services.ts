/**
 * The CDS Hooks Lambda in AWS: discovery, the service calls and /health (everything but feedback). Reads the
 * active rule set, writes audit records and JWT replay claims. API Gateway HTTP API, payload v2.
 */
import { handle } from 'hono/aws-lambda';
import { createLambdaApp, isCdsServiceCall, servingOnly } from './lambda-service';

export const handler = handle(servingOnly(await createLambdaApp(process.env), isCdsServiceCall));
