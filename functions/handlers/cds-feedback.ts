/**
 * The CDS Hooks feedback Lambda: POST /cds-services/{id}/feedback only. Reads the card's provenance and
 * writes feedback and JWT replay claims, all in the audit table; it never touches the rule sets.
 */
import { handle } from 'hono/aws-lambda';
import { createLambdaApp, isFeedbackCall, servingOnly } from './lambda-service';

export const handler = handle(servingOnly(await createLambdaApp(process.env), isFeedbackCall));
