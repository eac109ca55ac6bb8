/**
 * 审批档案: an archive package is a folder of files and a manifest that lists each file with its
 * size and SM3 digest, sealed with the department's SM2 key (`manifest.sig`: the signature of
 * manifest.json's bytes, base64 DER). Writing is atomic (a temporary folder renamed into place);
 * verifying recomputes every digest and names each file that changed, went missing or was added,
 * and checks the seal against the department's registered public key.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sm2Sign, sm2Verify, sm3, type Sm2KeyPair } from '../../adapters/sm2';

export const manifestFile = 'manifest.json';
export const sealFile = 'manifest.sig';
export const archiveFormat = 'onewindow-archive/1';

export function sm3Hex(data: Uint8Array): string {
  return sm3(data).toString('hex');
}

export interface PackageFile {
  /** Relative path inside the package, with `/`. */
  path: string;
  /** What the file is, in words (申请表, 材料, 文书 …). */
  what: string;
  content: Uint8Array;
}

export interface ManifestEntry {
  path: string;
  what: string;
  bytes: number;
  sm3: string;
}

export interface Manifest {
  format: typeof archiveFormat;
  caseNo: string;
  department: { code: string; name: string };
  item: { code: string; name: string };
  archivedAt: string;
  files: ManifestEntry[];
  seal: { algorithm: 'SM2-SM3'; keyId: string; publicKey: string };
}

/** A file name safe in any file system: no separators, controls or reserved characters, at most 120 characters. */
export function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return cleaned || '_';
}

/** Writes the package to `dir` (which must not exist yet): files, manifest, seal. Returns the manifest and its SM3. */
export async function writePackage(dir: string, head: Omit<Manifest, 'files' | 'seal' | 'format'>, files: PackageFile[], key: { keyId: string; pair: Sm2KeyPair }): Promise<{ manifest: Manifest; manifestSm3: string; bytes: number }> {
  const manifest: Manifest = {
    format: archiveFormat, ...head,
    files: files.map((f) => ({ path: f.path, what: f.what, bytes: f.content.byteLength, sm3: sm3Hex(f.content) })),
    seal: { algorithm: 'SM2-SM3', keyId: key.keyId, publicKey: key.pair.publicKey },
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const tmp = `${dir}.tmp-${process.pid}-${crypto.randomUUID()}`;
  await fs.mkdir(tmp, { recursive: true });
  try {
    for (const f of files) {
      const target = path.join(tmp, ...f.path.split('/'));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, f.content);
    }
    await fs.writeFile(path.join(tmp, manifestFile), manifestText, 'utf8');
    await fs.writeFile(path.join(tmp, sealFile), `${sm2Sign(manifestText, key.pair)}\n`, 'utf8');
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const bytes = files.reduce((n, f) => n + f.content.byteLength, 0);
  return { manifest, manifestSm3: sm3Hex(Buffer.from(manifestText, 'utf8')), bytes };
}

export interface Verification {
  caseNo: string | null;
  /** intact: the seal holds and every file is as listed; tampered: something differs (named below). */
  verdict: 'intact' | 'tampered';
  sealValid: boolean;
  keyId: string | null;
  /** The seal's key is not the department's registered one (or none was registered to compare with). */
  keyProblem: string | null;
  files: number;
  changed: string[];
  missing: string[];
  unexpected: string[];
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Checks a package folder. `registeredKey` gives the department's public key for a key id (from
 * `archive_keys`); without one the key inside the manifest is used and `keyProblem` says so.
 */
export async function verifyPackage(dir: string, registeredKey?: (keyId: string) => Promise<string | undefined>): Promise<Verification> {
  let manifestText: string;
  try {
    manifestText = await fs.readFile(path.join(dir, manifestFile), 'utf8');
  } catch {
    return { caseNo: null, verdict: 'tampered', sealValid: false, keyId: null, keyProblem: null, files: 0, changed: [], missing: [manifestFile], unexpected: [] };
  }
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(manifestText) as Manifest;
  } catch {
    manifest = undefined;
  }
  if (!manifest || manifest.format !== archiveFormat || !Array.isArray(manifest.files) || !manifest.seal) {
    return { caseNo: null, verdict: 'tampered', sealValid: false, keyId: null, keyProblem: null, files: 0, changed: [manifestFile], missing: [], unexpected: [] };
  }
  const signature = (await fs.readFile(path.join(dir, sealFile), 'utf8').catch(() => '')).trim();
  const registered = registeredKey ? await registeredKey(manifest.seal.keyId) : undefined;
  const keyProblem = !registeredKey ? 'no registered key to compare with: checked with the key in the manifest'
    : registered === undefined ? `key ${manifest.seal.keyId} is not registered for any department`
      : registered !== manifest.seal.publicKey ? `the manifest names a key other than the registered ${manifest.seal.keyId}` : null;
  const sealValid = signature !== '' && sm2Verify(manifestText, signature, registered ?? manifest.seal.publicKey);

  const changed: string[] = [];
  const missing: string[] = [];
  for (const f of manifest.files) {
    let content: Buffer;
    try {
      content = await fs.readFile(path.join(dir, ...f.path.split('/')));
    } catch {
      missing.push(f.path);
      continue;
    }
    if (content.byteLength !== f.bytes || sm3Hex(content) !== f.sm3) changed.push(f.path);
  }
  if (!sealValid) changed.unshift(manifestFile);
  const listed = new Set([...manifest.files.map((f) => f.path), manifestFile, sealFile]);
  const unexpected = (await listFiles(dir)).filter((p) => !listed.has(p)).sort();
  const intact = sealValid && (registeredKey === undefined || keyProblem === null) && changed.length === 0 && missing.length === 0 && unexpected.length === 0;
  return { caseNo: manifest.caseNo, verdict: intact ? 'intact' : 'tampered', sealValid, keyId: manifest.seal.keyId, keyProblem, files: manifest.files.length, changed, missing, unexpected };
}

/** Every file of a package folder (manifest and seal included), for a download. */
export async function readPackage(dir: string): Promise<{ path: string; content: Buffer }[]> {
  const files = await listFiles(dir);
  return Promise.all(files.sort().map(async (p) => ({ path: p, content: await fs.readFile(path.join(dir, ...p.split('/'))) })));
}
