import { Command, CommanderError } from 'commander';
import { evaluateCommand } from './evaluate-command';
import { rulesTest, rulesValidate } from './rules-commands';

/**
 * The `tailor` command line for rule authors and operators. Every command exits non-zero on failure
 * and names the file, the rule and the problem.
 */
export function buildProgram(): Command {
  const program = new Command('tailor')
    .description(
      'Tailor: genomic clinical decision support. Rules, tests and evaluation from the command line.',
    )
    .showHelpAfterError()
    .exitOverride();

  const rules = program.command('rules').description('Author and check rule sets');
  rules
    .command('validate')
    .description(
      'Check every rule, gene table, drug and diagnosis file: schema, references, ids and versions',
    )
    .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
    .option('--json', 'machine-readable output')
    .action(async (options: { rules?: string; json?: boolean }) => {
      process.exitCode = await rulesValidate(options);
    });
  rules
    .command('test')
    .description("Validate, then run every rule's example patients (<id>.cases.json)")
    .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
    .option('--rule <id>', "only this rule's cases")
    .option('--json', 'machine-readable output')
    .action(async (options: { rules?: string; rule?: string; json?: boolean }) => {
      process.exitCode = await rulesTest(options);
    });

  program
    .command('evaluate <file>')
    .description("Evaluate a FHIR Bundle holding a patient's genomic results and medication orders")
    .option('--rules <dir>', 'rules directory (default: the bundled rules/)')
    .option('--indication <indication>', 'clinical context, e.g. acs-pci, neurovascular, malignancy')
    .option('--context <key=value...>', 'more clinical context (drugNaive=true, pregnant=false ...)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: EvaluateOptions) => {
      process.exitCode = await evaluateCommand(file, options);
    });
  return program;
}

export interface EvaluateOptions {
  rules?: string;
  indication?: string;
  context?: string[];
  json?: boolean;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`tailor: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

await main(process.argv);
