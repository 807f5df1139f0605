// `cluster logs [replica]`: the end of one replica's log, or of all of them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './paths.ts';

export function logs(replica?: string, lines = 200): void {
  const dir = paths.logs();
  const files = replica
    ? [`${replica}.log`]
    : existsSync(dir)
      ? readdirSync(dir).filter((f) => f.endsWith('.log'))
      : [];
  if (replica && !existsSync(join(dir, `${replica}.log`))) throw new Error(`no log for replica ${replica}`);
  for (const file of files.sort()) {
    console.log(`==> ${file} <==`);
    console.log(readFileSync(join(dir, file), 'utf8').split('\n').slice(-lines).join('\n'));
  }
}
