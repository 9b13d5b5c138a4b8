import { processIo } from './io';
import { runTailor } from './program';

// The AWS SDK warns on stderr about future Node versions; rule authors reading output need no such noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `tailor rules show 1.0.0 | head`: a closed pipe ends the command quietly, as for any Unix tool.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runTailor(process.argv.slice(2), processIo());
