import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import {
  createLambdaApp,
  isAppApiCall,
  isCdsServiceCall,
  isFeedbackCall,
  servingOnly,
} from '../../functions/handlers/lambda-service';

describe('which calls each Lambda serves', () => {
  test.each([
    ['GET', '/cds-services', true, false, false],
    ['OPTIONS', '/cds-services', true, false, false],
    ['POST', '/cds-services/tailor-order-sign', true, false, false],
    ['OPTIONS', '/cds-services/tailor-order-sign/feedback', true, false, false],
    ['POST', '/cds-services/tailor-order-sign/feedback', false, true, false],
    ['GET', '/health', true, false, false],
    ['POST', '/api/assessment', false, false, true],
    ['GET', '/api/drugs', false, false, true],
    ['GET', '/cds-servicesX', false, false, false],
    ['GET', '/apix', false, false, false],
    ['GET', '/api', false, false, true],
    ['POST', '/cds-services/a/b/feedback', true, false, false],
  ])('%s %s: CDS services %s, feedback %s, app API %s', (method, path, cds, feedback, appApi) => {
    expect(isCdsServiceCall(method, path)).toBe(cds);
    expect(isFeedbackCall(method, path)).toBe(feedback);
    expect(isAppApiCall(method, path)).toBe(appApi);
  });

  test('servingOnly passes served calls through unchanged and answers the others 404 as problem JSON', async () => {
    const inner = new Hono();
    inner.get('/health', (c) => c.json({ status: 'ok' }));
    inner.get('/secret', (c) => c.json({ leaked: true }));
    const outer = servingOnly(inner, (_method, path) => path === '/health');
    const ok = await outer.request('/health');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    const refused = await outer.request('/secret');
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain('leaked');
  });
});

describe('createLambdaApp refuses to start without what AWS requires', () => {
  test('no audit secret (neither the value nor its ARN)', async () => {
    await expect(createLambdaApp({ TAILOR_CDS_CLIENTS: '/var/task/cds-clients.json' })).rejects.toThrow(
      /TAILOR_AUDIT_SECRET_ARN \(or TAILOR_AUDIT_SECRET\) is required/,
    );
  });

  test('no trusted CDS clients: no unauthenticated mode behind API Gateway', async () => {
    await expect(createLambdaApp({ TAILOR_AUDIT_SECRET: 'a-long-enough-secret-value' })).rejects.toThrow(
      /TAILOR_CDS_CLIENTS is required in AWS/,
    );
  });
});
