import { httpFhirSourceFactory } from '../../adapters/fhir/http-fhir-source';
import type { FhirSourceFactory, RuleSetProvider } from '../../core/ports';
import type { Mount } from '../../http/app';
import type { Authenticate } from '../../http/cds-common';
import { mountCdsServices } from '../../http/cds-services';
import { composeAcknowledgements, type ServiceCommon } from './common';

/** The CDS Hooks services (discovery, service calls, /health) on the active rule set. */
export function cdsServicesConcern(
  common: ServiceCommon,
  shared: { ruleSets: RuleSetProvider; authenticate: Authenticate | undefined; fhir?: FhirSourceFactory },
): Mount {
  const { config } = common;
  const { authenticate } = shared;
  const acknowledgements = composeAcknowledgements(common);
  return (app) =>
    mountCdsServices(app, {
      ruleSets: shared.ruleSets,
      fhir: shared.fhir ?? httpFhirSourceFactory,
      audit: common.audit,
      clock: common.clock,
      ids: common.ids,
      metrics: common.metrics,
      log: common.log,
      pseudonymise: common.pseudonymise,
      fetchBudgetMs: config.fetchBudgetMs,
      auditBudgetMs: config.auditWaitMs,
      ...(acknowledgements
        ? { acknowledgements: { store: acknowledgements, windowMs: config.ackWindowHours * 3_600_000 } }
        : {}),
      // With trusted clients, the EHR's access token must not travel in clear to a plain-http fhirServer.
      ...(authenticate ? { authenticate, requireHttpsFhirServer: true } : {}),
      ...(config.publicBaseUrl ? { publicBaseUrl: config.publicBaseUrl } : {}),
      ...(config.smartLaunchUrl ? { smartLaunchUrl: config.smartLaunchUrl } : {}),
    });
}
