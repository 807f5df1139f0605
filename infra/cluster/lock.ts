// One cluster command at a time changes the cluster (up, scale, down).
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { processAlive } from '../lib/process.ts';
import { paths, runDir } from './paths.ts';

export async function withClusterLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(runDir(), { recursive: true });
  let fd: number;
  try {
    fd = openSync(paths.lock(), 'wx');
  } catch {
    const holder = Number(readFileSync(paths.lock(), 'utf8'));
    if (holder && processAlive(holder)) throw new Error(`another cluster command (pid ${holder}) is running`);
    unlinkSync(paths.lock());
    fd = openSync(paths.lock(), 'wx');
  }
  writeSync(fd, String(process.pid));
  closeSync(fd);
  try {
    return await work();
  } finally {
    unlinkSync(paths.lock());
  }
}
