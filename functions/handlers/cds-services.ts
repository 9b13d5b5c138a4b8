/**
 * The CDS Hooks Lambda in AWS: discovery, the service calls, their CORS preflights, and /health (everything
 * but feedback). Reads the active rule set, writes audit records and JWT replay claims; every call but
 * /health carries a trusted CDS client's JWT. API Gateway HTTP API, payload v2. Only this concern's routes
 * exist here: a misrouted call is a 404.
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../http/app';
import { composeCdsAuthentication } from '../server/concerns/cds-auth';
import { cdsServicesConcern } from '../server/concerns/cds-services';
import { composeRuleSets } from '../server/concerns/rule-sets';
import { createLambdaCommon, loadLambdaCdsClients } from './lambda-service';

const common = await createLambdaCommon(process.env, 'cds-clients');
const { ruleSets } = composeRuleSets(common);
const authenticate = composeCdsAuthentication(common, await loadLambdaCdsClients(common.config));

export const handler = handle(createApp(common, [cdsServicesConcern(common, { ruleSets, authenticate })]));
