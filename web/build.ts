/**
 * Builds the browser app with Vite into web/dist, served by the API. `npm run build:web` runs
 * it; `npm start` and the browser tests call `ensureWebBuilt()`, which builds only when the
 * output is missing or older than a source file.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const webDir = __dirname;
export const distDir = path.join(webDir, 'dist');

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

/** True when web/dist is missing or a source (src/, index.html, this file) is newer. */
export function webBuildIsStale(): boolean {
  const built = path.join(distDir, 'index.html');
  if (!fs.existsSync(built)) return true;
  const sources = Math.max(newestMtime(path.join(webDir, 'src')), newestMtime(path.join(webDir, 'index.html')), newestMtime(__filename));
  return sources > fs.statSync(built).mtimeMs;
}

export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  await build({
    root: webDir,
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    // Hashed file names (Vite's default) so the API can cache them for ever; no source map is published.
    build: { outDir: distDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  });
  precompress(distDir);
}

/** Brotli and gzip copies of every text file, served as they are by api/web-static.ts. */
export function precompress(dir: string): void {
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, f);
    if (!/\.(js|css|html|svg|json)$/.test(f) || !fs.statSync(file).isFile()) continue;
    const raw = fs.readFileSync(file);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
  }
}

/** Builds when stale; returns whether it built. */
export async function ensureWebBuilt(log: (line: string) => void = () => undefined): Promise<boolean> {
  if (!webBuildIsStale()) return false;
  log('building the web app (Vite) …');
  await buildWeb();
  return true;
}

if (require.main === module) {
  buildWeb().then(() => console.log(`web app built into ${path.relative(process.cwd(), distDir) || '.'}`), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
