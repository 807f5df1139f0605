// `npm run loadtest -- --help` is how a user finds the options: it must name every
// option the command accepts, and an unknown option must be refused with the list.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { optionSpec } from '../src/options.ts';

const run = promisify(execFile);
const cli = new URL('../src/cli.ts', import.meta.url).pathname;

describe('loadtest command line', () => {
  it('when asked for --help, then it lists every option it accepts and exits 0', async () => {
    const { stdout } = await run(process.execPath, [cli, '--help']);
    for (const name of Object.keys(optionSpec)) expect(stdout).toContain(`--${name}`);
    expect(stdout).toMatch(/<browse\|spread\|hot-event\|sellout\|scale\|watch\|faults\|surge\|soak>/);
  });

  it('when given an unknown option, then it names it, prints the options and exits 2', async () => {
    const failed = await run(process.execPath, [cli, 'spread', '--bogus', '1']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("'--bogus'");
    expect(failed?.stderr).toContain('--connections');
  });
});
