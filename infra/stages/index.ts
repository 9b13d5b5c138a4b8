import { type StageConfig, StageConfigError, validateStageConfig } from '../config';
import { dev } from './dev';

/** Every committed stage; add a hospital's stage here beside its file. */
export const STAGES: Readonly<Record<string, unknown>> = { dev };

/** The named stage's configuration, validated (fails naming the field, or the stages that exist). */
export function stageConfig(name: string): StageConfig {
  const raw = STAGES[name];
  if (raw === undefined) {
    throw new StageConfigError(name, [`no such stage (known: ${Object.keys(STAGES).join(', ')})`]);
  }
  return validateStageConfig(raw);
}
