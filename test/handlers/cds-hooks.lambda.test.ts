import { describeCdsService, describeStoreFailure } from '../support/cds-service.contract';
import { lambdaDoor } from '../support/doors';

describeCdsService('Lambda handler', () => lambdaDoor());
describeStoreFailure('Lambda handler', (env) => lambdaDoor(env));
