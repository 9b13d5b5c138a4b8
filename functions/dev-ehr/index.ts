export { CDS_SERVICE_CLIENT_ID, CDS_SERVICE_SCOPE } from './auth-server';
export { type PatientScenario, SCENARIOS } from './scenarios';
export { CLINICIAN, type DevEhr, type DevEhrOptions, startDevEhr } from './server';
