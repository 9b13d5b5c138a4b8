/**
 * The CDS Hooks feedback Lambda in AWS: POST /cds-services/{id}/feedback only, under a trusted CDS client's
 * JWT. Reads the card's provenance and writes feedback and JWT replay claims, all in the audit table; it never
 * touches the rule sets. Only this concern's route exists here: a misrouted call is a 404.
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../http/app';
import { composeCdsAuthentication } from '../server/concerns/cds-auth';
import { feedbackConcern } from '../server/concerns/feedback';
import { createLambdaCommon, loadLambdaCdsClients } from './lambda-service';

const common = await createLambdaCommon(process.env, 'cds-clients');
const authenticate = composeCdsAuthentication(common, await loadLambdaCdsClients(common.config));

export const handler = handle(createApp(common, [feedbackConcern(common, { authenticate })]));
