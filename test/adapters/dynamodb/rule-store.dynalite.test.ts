import { startDynalite } from '../../support/dynalite';
import { describeRuleStoreContract } from '../rule-store.contract';
import { dynamoRuleStoreFixture, useDynamoBackend } from './harness';

const backend = useDynamoBackend(startDynalite);

describeRuleStoreContract('DynamoRuleStore on dynalite', dynamoRuleStoreFixture(backend), { raceRounds: 8 });
