import { createIdTokenVerifier } from '../../adapters/auth/smart-id-token';
import type { RuleSetProvider } from '../../core/ports';
import type { Mount } from '../../http/app';
import { mountAppApi } from '../../http/app-api';
import type { ServiceCommon } from './common';

/**
 * The SMART app's API (/api) on the active rule set. It authenticates the EHR-issued id_token of an allowed
 * SMART issuer, never a CDS client JWT; without an issuer configured every call is refused.
 */
export function appApiConcern(common: ServiceCommon, shared: { ruleSets: RuleSetProvider }): Mount {
  const { config } = common;
  const verifyIdToken =
    config.smartIssuers.length > 0
      ? createIdTokenVerifier({ issuers: config.smartIssuers, clientId: config.smartClientId })
      : undefined;
  return (app) =>
    mountAppApi(app, {
      ruleSets: shared.ruleSets,
      log: common.log,
      metrics: common.metrics,
      clock: common.clock,
      ids: common.ids,
      audit: common.audit,
      pseudonymise: common.pseudonymise,
      ...(verifyIdToken ? { verifyIdToken } : {}),
    });
}
