/**
 * The SMART app's API Lambda in AWS (/api/*: drug list, assessment), authenticated by the EHR-issued id_token
 * of an allowed SMART issuer (TAILOR_SMART_ISSUERS, required); it needs no CDS client. Reads the active rule
 * set, writes audit records. Only this concern's routes exist here: a misrouted call is a 404.
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../http/app';
import { appApiConcern } from '../server/concerns/app-api';
import { composeRuleSets } from '../server/concerns/rule-sets';
import { createLambdaCommon } from './lambda-service';

const common = await createLambdaCommon(process.env, 'smart-issuers');
const { ruleSets } = composeRuleSets(common);

export const handler = handle(createApp(common, [appApiConcern(common, { ruleSets })]));
