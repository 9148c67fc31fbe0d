import { defineConfig, type Plugin } from 'vite';
import { cp, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extname, join, normalize } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The repository's embedded checkpoint and dataset, served at /embedded/… by the dev server and
 * copied into the build, so the page trains with no download and `dist/` deploys as it is.
 */
const EMBEDDED: Record<string, string> = {
  'embedded/bert-tiny-tfjs-peft': join(ROOT, 'assets/bert-tiny-tfjs-peft'),
  'embedded/spam-assassin': join(ROOT, 'data/spam-assassin'),
};

const TYPES: Record<string, string> = { '.json': 'application/json', '.txt': 'text/plain', '.tsv': 'text/tab-separated-values', '.md': 'text/markdown' };

function embeddedFiles(): Plugin {
  let outDir = 'dist';
  return {
    name: 'tfjs-peft-embedded-files',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/+/, ''));
        const prefix = Object.keys(EMBEDDED).find((p) => url.startsWith(`${p}/`));
        if (!prefix) return next();
        const file = normalize(join(EMBEDDED[prefix]!, url.slice(prefix.length + 1)));
        if (
          !file.startsWith(EMBEDDED[prefix]!) ||
          !(await stat(file).then(
            (s) => s.isFile(),
            () => false,
          ))
        )
          return next();
        res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
        res.end(await readFile(file));
      });
    },
    async closeBundle() {
      for (const [to, from] of Object.entries(EMBEDDED)) await cp(from, join(outDir, to), { recursive: true });
    },
  };
}

// Cross-origin isolation lets tfjs load its threaded wasm build in the page.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [embeddedFiles()],
  // a missing file is a 404, not index.html (loaders probe for optional files such as tokenizer_config.json)
  appType: 'mpa',
  resolve: { dedupe: ['@tensorflow/tfjs-core'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  // not minified: tfjs-backend-wasm hands its threaded build to Web Workers as `factory.toString()`, and
  // a minifier renames the variables that function closes over (the workers then fail to start)
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
    minify: false,
    rollupOptions: { input: { main: join(ROOT, 'examples/browser/index.html'), image: join(ROOT, 'examples/browser/image.html') } },
  },
});
