#!/usr/bin/env node
// The `tailor` command: runs the TypeScript CLI through tsx, so `npx tailor ...` works from a clone.
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/main.ts');
