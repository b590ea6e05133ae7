/**
 * A bare static file host for the hosting journey: serves a folder under a sub-path
 * (http://127.0.0.1:PORT/PREFIX/), GET only, with a content type and nothing else — no COOP/COEP,
 * no CSP header — as a plain static host (GitHub Pages, an object store) does.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticHost {
  /** The site's address, ending in the prefix and a slash. */
  url: string;
  /** Every path requested, in order. */
  requested: string[];
  /** Every path requested that the host did not have. */
  missing: string[];
  close(): Promise<void>;
}

/**
 * Serves `root` under `/${prefix}/`. `skip` names top-level entries the host leaves out;
 * `replace` maps a path under the prefix to a body served in place of the file.
 */
export async function serveStatic(root: string, prefix: string, options: { skip?: string[]; replace?: Record<string, string> } = {}): Promise<StaticHost> {
  const requested: string[] = [];
  const missing: string[] = [];
  const base = `/${prefix}/`;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
      requested.push(path);
      const relative = path.startsWith(base) ? path.slice(base.length) || 'index.html' : undefined;
      const file = relative === undefined ? undefined : normalize(join(root, relative));
      const skipped = relative !== undefined && (options.skip ?? []).includes(relative.split('/')[0]);
      if (request.method !== 'GET' || !file || !file.startsWith(root + sep) || skipped) {
        missing.push(path);
        response.writeHead(404).end();
        return;
      }
      const replaced = options.replace?.[relative!];
      try {
        let body: string | Buffer;
        if (replaced !== undefined) body = replaced;
        else if ((await stat(file)).isFile()) body = await readFile(file);
        else throw new Error('not a file');
        response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        missing.push(path);
        response.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the static host has no port');
  return {
    url: `http://127.0.0.1:${address.port}${base}`,
    requested,
    missing,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
