/**
 * `npm run verify-archive -- <package folder | case number> [--offline]`: checks an approval
 * archive package (审批档案): the SM2 seal of its manifest, against the department's key registered
 * in the database, and the SM3 digest of every file. Prints the verdict and names every file that
 * changed, went missing or was added. Exit 0 when intact, 1 when not, 2 on a usage problem.
 * With a case number the package is found in the archive store (ARCHIVE_DIR); `--offline` checks
 * a folder without the database, with the key the manifest carries (a copy sent elsewhere).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { verifyPackage } from '../lib/archive/package';
import { openDb, runMain } from '../lib/runtime';

runMain('verify-archive', async () => {
  const args = process.argv.slice(2);
  const offline = args.includes('--offline');
  const target = args.find((a) => !a.startsWith('--'));
  if (!target) {
    process.stderr.write('usage: npm run verify-archive -- <package folder | case number> [--offline]\n');
    process.exit(2);
  }
  const config = loadConfig();
  const db = offline ? undefined : await openDb(config);
  try {
    let dir = target;
    if (/^[0-9]{22}$/.test(target) && !fs.existsSync(target)) {
      const row = db ? await db('archive_packages').where({ case_no: target }).first<{ location: string } | undefined>('location') : undefined;
      if (!row) {
        process.stderr.write(`verify-archive: no archive package of case ${target} is registered\n`);
        process.exit(2);
      }
      dir = path.join(config.archiveDir, ...row.location.split('/'));
    }
    const result = await verifyPackage(dir, db ? async (keyId) => (await db('archive_keys').where({ key_id: keyId }).first<{ public_key: string } | undefined>('public_key'))?.public_key : undefined);
    const lines = [
      `package   ${dir}`,
      `case      ${result.caseNo ?? '(unreadable manifest)'}`,
      `seal      ${result.sealValid ? 'valid' : 'NOT VALID'} (key ${result.keyId ?? '-'})${result.keyProblem ? `; ${result.keyProblem}` : ''}`,
      `files     ${result.files} listed`,
      ...result.changed.map((f) => `changed   ${f}`),
      ...result.missing.map((f) => `missing   ${f}`),
      ...result.unexpected.map((f) => `added     ${f}`),
      `verdict   ${result.verdict}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = result.verdict === 'intact' ? 0 : 1;
  } finally {
    await db?.destroy();
  }
});
