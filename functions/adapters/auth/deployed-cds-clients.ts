import { createHash } from 'node:crypto';
import {
  type CdsClientConfig,
  type CdsClientsFile,
  ConfigError,
  checkCdsClients,
  readCdsClientsJson,
} from './cds-client-config';

/** The SHA-256 (hex) of the clients file a deployed function was given, as computed at synthesis. */
export const CDS_CLIENTS_SHA256_ENV = 'TAILOR_CDS_CLIENTS_SHA256';

/** The checksum a deployed function is given with its clients file. */
export const cdsClientsSha256 = (bytes: Buffer | string): string =>
  createHash('sha256').update(bytes).digest('hex');

/**
 * The trusted clients of a deployed function. CDK writes the file at synthesis from the stage's
 * configuration, after checking it against the full clients-file schema (infra/config.ts), and hands the
 * function its checksum. At cold start the bytes must match that checksum, and the checks beyond the schema
 * run again; the schema's compiled validator (about 20 KB) stays out of the Lambda bundles.
 */
export async function loadDeployedCdsClients(path: string, sha256: string): Promise<CdsClientConfig[]> {
  const { bytes, json } = await readCdsClientsJson(path);
  const actual = cdsClientsSha256(bytes);
  if (actual !== sha256.trim().toLowerCase()) {
    const problem = `its SHA-256 is ${actual}, not the ${CDS_CLIENTS_SHA256_ENV} it was checked with at synthesis`;
    throw new ConfigError(`CDS clients file ${path}: ${problem}`, path, [problem]);
  }
  const file = json as CdsClientsFile;
  const errors = checkCdsClients(file);
  if (errors.length > 0)
    throw new ConfigError(`CDS clients file ${path}: ${errors.join('; ')}`, path, errors);
  return file.clients;
}
