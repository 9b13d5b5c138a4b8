/**
 * The SMART app's API Lambda as deployed (/api/*: drug list, assessment), authenticated by the EHR-issued
 * id_token of an allowed SMART issuer; reads the active rule set, writes audit records. Unlike app-api.ts it
 * starts through createLambdaApp: the audit secret comes from Secrets Manager and trusted CDS clients are
 * required, as for every function in AWS.
 */
import { handle } from 'hono/aws-lambda';
import { createLambdaApp, isAppApiCall, servingOnly } from './lambda-service';

export const handler = handle(servingOnly(await createLambdaApp(process.env), isAppApiCall));
