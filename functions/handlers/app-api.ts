/**
 * The SMART app's API Lambda: /api/* only (drug list, assessment), authenticated by the EHR-issued id_token
 * of an allowed SMART issuer. Reads the active rule set and writes audit records.
 */
import { handle } from 'hono/aws-lambda';
import { createLambdaApp, isAppApiCall, servingOnly } from './lambda-service';

export const handler = handle(servingOnly(await createLambdaApp(process.env), isAppApiCall));
