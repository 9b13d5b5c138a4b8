import { randomBytes } from 'node:crypto';

/** What an EHR launch (or a standalone patient pick) hands the app with its token. */
export interface LaunchContext {
  patient?: string;
  encounter?: string;
  needPatientBanner: boolean;
  /** A CDS Hooks card link's `appContext`, verbatim (a string, usually JSON). */
  appContext?: string;
  /** SMART `intent`, when the launch asks for one. */
  intent?: string;
}

/** SMART token response members for a launch context (SMART App Launch 2.x, CDS Hooks `appContext`). */
export function tokenResponseFields(context: LaunchContext, smartStyleUrl: string): Record<string, unknown> {
  return {
    ...(context.patient ? { patient: context.patient } : {}),
    ...(context.encounter ? { encounter: context.encounter } : {}),
    need_patient_banner: context.needPatientBanner,
    smart_style_url: smartStyleUrl,
    ...(context.appContext !== undefined ? { appContext: context.appContext } : {}),
    ...(context.intent ? { intent: context.intent } : {}),
  };
}

const LAUNCH_TTL_MS = 60 * 60 * 1000;

/**
 * Opaque launch ids the EHR puts in `launch=`, each bound to its context. An id may be used again while it
 * lives (an app reloaded in its frame authorizes again); it expires after an hour.
 */
export class LaunchStore {
  private readonly launches = new Map<string, { context: LaunchContext; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  create(context: LaunchContext): string {
    this.prune();
    const id = randomBytes(16).toString('base64url');
    this.launches.set(id, { context, expires: this.now() + LAUNCH_TTL_MS });
    return id;
  }

  get(id: string): LaunchContext | undefined {
    const entry = this.launches.get(id);
    if (!entry || entry.expires <= this.now()) return undefined;
    return entry.context;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.launches) if (entry.expires <= now) this.launches.delete(id);
  }
}
