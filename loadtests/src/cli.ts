// npm run loadtest -- <scenario> [options]: runs one scenario against the cluster, writes
// its report and exits non-zero on a violated invariant or a failed step. The options
// and their defaults are listed in options.ts (`--help` prints them), the scenarios in
// scenarios/registry.ts.
import { parseArgs } from 'node:util';
import { optionSpec, optionsFrom, usage } from './options.ts';
import { printSummary } from './report/terminal.ts';
import { writeReport } from './report/write.ts';
import { scenarios } from './scenarios/registry.ts';
import { api, loadTarget } from './target.ts';

function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { ...optionSpec, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    // An unknown or malformed option: say which, then what there is.
    console.error(`loadtest: ${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

const { values, positionals } = readArgs();

async function main(): Promise<number> {
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const options = optionsFrom(values);
  const name = positionals[0] ?? '';
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`loadtest: no scenario '${name}'\n\n${usage}`);
    return 2;
  }
  const target = {
    ...loadTarget({ url: values.url, clusterFile: values.cluster }),
    connectAtStart: values['connect-at-start'] === true,
  };
  const client = api(target);
  try {
    console.log(`loadtest ${name} against ${target.baseUrl}`);
    const report = await scenario(options, target, client);
    // Written before anything else is done with it: a summary that fails to print
    // does not lose the run (the scenarios mark their own failed steps in `failures`).
    const files = writeReport(report);
    try {
      printSummary(report);
    } finally {
      console.log(`\n  report: ${files.html}\n  data:   ${files.json}`);
    }
    const violated =
      report.oversold + report.lost + report.phantom > 0 ||
      (report.check && !report.check.valid) ||
      (report.failures?.length ?? 0) > 0;
    return violated ? 1 : 0;
  } finally {
    client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`loadtest: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  },
);
