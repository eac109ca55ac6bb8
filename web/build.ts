/**
 * Builds the browser app with Vite into web/dist, served by the API. `npm run build:web` runs
 * it; `npm start` and the browser tests call `ensureWebBuilt()`, which builds only when the
 * output is missing or older than a source file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Plugin } from 'vite' with { 'resolution-mode': 'import' };

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
    plugins: [react(), firstPaint()],
    // Hashed file names (Vite's default) so the API can cache them for ever; no source map is published.
    build: {
      outDir: distDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000,
      // Every module the first page needs in the first file: otherwise the bundler splits what the
      // entry shares with a lazy chunk (React's JSX runtime, the kit, …) into files of their own,
      // and on a phone's network each file is another round trip and another of six connections.
      rollupOptions: { output: { codeSplitting: { groups: [{ name: 'index', tags: ['$initial'] }] } } },
    },
  });
  precompress(distDir);
}

/**
 * The first paint. index.html holds a static shell: the hall's first screen and a spinner. Which
 * of the two shows is said by a one-line script (no inline script under the CSP), loaded async
 * and first of all (six connections per host), so that it holds up nothing. Vite puts the app's stylesheet in <head>, where it would hold up the first
 * paint until it has downloaded beside the script; moved to the end of <body>, it lets the static
 * shell paint first, and the module script still runs only after every stylesheet of the page has
 * loaded, so the app never renders unstyled. The shell is styled by src/shell.css alone, emitted
 * as its own hashed file (Vite would merge a stylesheet linked from index.html into the app's)
 * and linked as the one stylesheet in <head>, before everything else.
 */
/** Says whether the address is the hall's first screen (#/hall), for the shell's stylesheet: class at-hall on <html>. */
export const shellScript = "if (/^#\\/hall\\/?(\\?.*)?$/.test(location.hash)) document.documentElement.classList.add('at-hall');\n";

export function firstPaint(): Plugin {
  const source = fs.readFileSync(path.join(webDir, 'src', 'shell.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s*\n\s*/g, '\n').trim();
  const hashed = (text: string, ext: string) => `assets/shell-${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 8)}.${ext}`;
  const fileName = hashed(source, 'css');
  const script = shellScript;
  const scriptName = hashed(script, 'js');
  return {
    name: 'onewindow:first-paint',
    enforce: 'post',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName, source });
      this.emitFile({ type: 'asset', fileName: scriptName, source: script });
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const links = [...html.matchAll(/[ \t]*<link rel="stylesheet"[^>]*href="\/assets\/[^"]+\.css"[^>]*>\n?/g)].map((m) => m[0]);
        if (links.length === 0 || !html.includes('</title>\n')) throw new Error('index.html: expected a <title> and the app stylesheet');
        const moved = links.reduce((h, l) => h.replace(l, ''), html);
        return moved
          .replace('</title>\n', `</title>\n  <link rel="stylesheet" href="/${fileName}">\n  <script async src="/${scriptName}"></script>\n`)
          .replace('</body>', `${links.map((l) => `  ${l.trim()}\n`).join('')}</body>`);
      },
    },
  };
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
