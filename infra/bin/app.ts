/**
 * The CDK app: `npx cdk synth|deploy -c stage=<name>` (default dev). Configuration is validated before any
 * construct is built; cdk-nag runs on every synthesis.
 */
import { App } from 'aws-cdk-lib';
import { stageConfig } from '../stages';
import { addTailorStage } from '../tailor-app';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
addTailorStage(app, stageConfig(stage));
app.synth();
