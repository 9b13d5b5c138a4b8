import { describeCdsService, describeStoreFailure } from '../support/cds-service.contract';
import { lambdaDoor } from '../support/doors';

describeCdsService('Lambda handlers', () => lambdaDoor());
describeStoreFailure('Lambda handlers', (env) => lambdaDoor(env));
