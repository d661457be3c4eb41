// The output folder of `webgrpo train`: created (with its missing parents) and proven writable before
// anything else happens, so a folder that cannot be written fails at once with one line, instead of
// after the browser started or in the middle of a run.
//
//   prepareOutDir('runs/demo')   // throws OutDirError: --out /proc/x: cannot create it (ENOENT); ...
import fs from 'node:fs';
import path from 'node:path';

export class OutDirError extends Error {
  readonly name = 'OutDirError';
}

const ADVICE = 'choose a folder you can write to';

/**
 * Creates `dir` one level at a time (Node's recursive mkdir spins forever under /proc), then writes and
 * removes a probe file (`option` names it in errors). On failure, removes the folders it created and throws OutDirError.
 */
export function prepareOutDir(dir: string, option = `--out ${dir}`): void {
  const missing: string[] = [];
  let existing = dir;
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    const up = path.dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  if (fs.existsSync(existing) && !fs.statSync(existing).isDirectory())
    throw new OutDirError(`${option}: ${existing} is a file, not a folder; ${ADVICE}`);
  const created: string[] = [];
  try {
    for (const m of missing) {
      fs.mkdirSync(m);
      created.push(m);
    }
    const probe = path.join(dir, `.webgrpo-write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    for (const c of created.reverse()) fs.rmSync(c, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    const what = created.length < missing.length ? 'cannot create it' : 'cannot write there';
    throw new OutDirError(`${option}: ${what} (${err.code ?? err.message}); ${ADVICE}`);
  }
}
