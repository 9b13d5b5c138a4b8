import { Command, CommanderError, Option } from 'commander';
import { rulesDiff } from './diff-command';
import { evaluateCommand } from './evaluate-command';
import { CliError, type CliIo, EXIT } from './io';
import { rulesTest, rulesValidate } from './rules-commands';
import { rulesStats } from './stats-command';
import {
  rulesApprove,
  rulesHistory,
  rulesList,
  rulesPublish,
  rulesShow,
  rulesSwitch,
} from './store-commands';

/** The options every command that reads or writes the store accepts. */
function storeOptions(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      "a DynamoDB-API endpoint, e.g. the running server's store (npm start prints it)",
    )
    .option('--table <prefix>', 'DynamoDB tables <prefix>-rules and <prefix>-audit (default: tailor)')
    .option('--region <region>', 'AWS region (default: from your AWS configuration)')
    .option('--json', 'machine-readable output');
}

const STORE_HELP = `
Store: the local embedded store in $TAILOR_DATA_DIR/dynalite (default .data/dynalite, the one npm start
uses) unless --endpoint, --table or --region is given; then DynamoDB with your own AWS credentials (the
default provider chain: AWS_PROFILE, SSO, environment ...).`;

/**
 * The `tailor` command line for rule authors and operators. Every command exits non-zero on failure and
 * says what is wrong: 1 refused (invalid rules, failed cases, four eyes ...), 2 usage, 3 store unreachable.
 */
export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const run = (work: () => Promise<number>) => async () => done(await work());
  const program = new Command('tailor')
    .description('Tailor: genomic clinical decision support. Rules, tests, versions and evaluation.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    });

  const rules = program
    .command('rules')
    .description('Author, check, publish, approve and activate rule sets')
    .addHelpText('after', STORE_HELP);
  rules
    .command('validate')
    .description(
      'Check every rule, gene table, drug and diagnosis file: schema, references, ids and versions',
    )
    .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
    .option('--json', 'machine-readable output')
    .action((options: { rules?: string; json?: boolean }) => run(() => rulesValidate(options, io))());
  rules
    .command('test')
    .description("Validate, then run every rule's example patients (<id>.cases.json)")
    .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
    .option('--rule <id>', "only this rule's cases")
    .option('--json', 'machine-readable output')
    .action((options: { rules?: string; rule?: string; json?: boolean }) =>
      run(() => rulesTest(options, io))(),
    );
  storeOptions(
    rules
      .command('diff <from> <to>')
      .description(
        "Evaluate every case patient and example patient under two versions (stored, or 'working' for the rules directory) and show whose recommendations change",
      )
      .option('--rules <dir>', "the rules directory 'working' means (default: the bundled rules/)")
      .option(
        '--patients <dir>',
        'FHIR bundles to evaluate besides the case patients (default: examples/bundles)',
      ),
  ).action((from: string, to: string, options) => run(() => rulesDiff(from, to, options, io))());
  storeOptions(
    rules
      .command('publish')
      .description(
        'Validate and test the rules directory, then store it, immutably, as the version its ruleset.json names',
      )
      .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
      .option('--by <name>', 'who publishes (default: $TAILOR_USER)')
      .option('--note <text>', 'what changed, for the history'),
  ).action((options) => run(() => rulesPublish(options, io))());
  storeOptions(
    rules
      .command('approve <version>')
      .description('Approve a published version: four eyes, so not by its publisher')
      .option('--by <name>', 'who approves (default: $TAILOR_USER)')
      .option('--why <text>', 'a note for the history'),
  ).action((version: string, options) => run(() => rulesApprove(version, options, io))());
  storeOptions(
    rules
      .command('activate <version>')
      .description(
        'Make an approved version the one the service uses (picked up within its refresh interval)',
      )
      .option('--by <name>', 'who activates (default: $TAILOR_USER)')
      .option('--why <text>', 'why (required; recorded)'),
  ).action((version: string, options) => run(() => rulesSwitch('activate', version, options, io))());
  storeOptions(
    rules
      .command('rollback <version>')
      .description('Go back to an earlier approved version')
      .option('--by <name>', 'who rolls back (default: $TAILOR_USER)')
      .option('--why <text>', 'why (required; recorded)'),
  ).action((version: string, options) => run(() => rulesSwitch('rollback', version, options, io))());
  storeOptions(rules.command('list').description('Every stored version and its state')).action((options) =>
    run(() => rulesList(options, io))(),
  );
  storeOptions(
    rules
      .command('show <version>')
      .description('One version: state, hash (verified), files, acts, and its rules with their versions'),
  ).action((version: string, options) => run(() => rulesShow(version, options, io))());
  storeOptions(
    rules.command('history').description('Every publish, approval, activation and rollback, oldest first'),
  ).action((options) => run(() => rulesHistory(options, io))());
  storeOptions(
    rules
      .command('stats')
      .description(
        'Per rule: cards shown, accepted, overridden, and the override reasons (audit trail and feedback)',
      )
      .option('--since <date>', 'only cards shown since this date or time')
      .option('--rule <id>', 'only this rule')
      .addOption(new Option('--rule-set <version>', 'only cards from this rule-set version')),
  ).action((options) => run(() => rulesStats(options, io))());

  storeOptions(
    program
      .command('evaluate <file>')
      .description("Evaluate a FHIR Bundle holding a patient's genomic results and medication orders")
      .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
      .option('--version <version>', 'a published rule set from the store instead (reproduces its advice)')
      .option('--indication <indication>', 'clinical context, e.g. acs-pci, neurovascular, malignancy')
      .option('--context <key=value...>', 'more clinical context (drugNaive=true, pregnant=false ...)'),
  ).action((file: string, options) => run(() => evaluateCommand(file, options, io))());
  return program;
}

/** Runs one command line (argv without node and script) and returns its exit code; never throws. */
export async function runTailor(args: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const wantsJson = args.includes('--json');
  try {
    await buildProgram(io, (c) => {
      code = c;
    }).parseAsync([...args], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      if (wantsJson)
        io.out(JSON.stringify({ error: { reason: error.reason, message: error.message } }, null, 2));
      io.err(error.message);
      return error.exitCode;
    }
    io.err(`tailor: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
}
