import { describeCdsService, describeStoreFailure } from '../support/cds-service.contract';
import { httpDoor } from '../support/doors';

describeCdsService('local HTTP server', () => httpDoor());
describeStoreFailure('local HTTP server', (env) => httpDoor(env));
