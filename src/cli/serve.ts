// The CLI's local web server: serves the built app (and a local model folder) to the headless browser on
// http://localhost:<port>. Any page open in the user's browser can send requests to it, so it trusts none:
// - it listens on 127.0.0.1 only, and answers only requests addressed to localhost or 127.0.0.1 at its own
//   port (a page on another name that resolves to 127.0.0.1 gets 403);
// - only GET and HEAD (405 otherwise); a request whose path does not decode, or holds "..", ".", a
//   backslash, a NUL or an empty segment, is answered 400 and the server carries on;
// - a file is served only when its real path (symbolic links resolved) lies inside the real path of the
//   folder it is served from, compared with a path separator, so `dist` never serves `distsecret`;
// - a handler that fails answers 500 instead of stopping the process.
//
//   const s = await serveStatic('dist', { 'local-model': '/models/qwen' })   // s.url, await s.close()
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export class PortInUseError extends Error {
  readonly name = 'PortInUseError';
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** A folder served under a URL prefix, with the real paths its files may live in. */
interface Root {
  prefix: string;
  roots: string[];
  dir: string;
}

// A Hugging Face cache snapshot (`.../snapshots/<rev>/`) holds links into the repository's `blobs/` folder;
// that folder is allowed too, so such a snapshot can be given as a local model.
function realRoots(dir: string): string[] {
  const real = fs.realpathSync(dir);
  const roots = [real];
  if (path.basename(path.dirname(real)) === 'snapshots') {
    const blobs = path.join(path.dirname(path.dirname(real)), 'blobs');
    if (fs.existsSync(blobs)) roots.push(fs.realpathSync(blobs));
  }
  return roots;
}

const inside = (file: string, root: string) => file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The URL path's segments, decoded; throws HttpError 400 for anything but a plain relative path. */
export function pathSegments(rawUrl: string): string[] {
  if (!rawUrl.startsWith('/')) throw new HttpError(400, 'bad request: the path must start with /');
  const pathname = rawUrl.split(/[?#]/, 1)[0];
  const segments = pathname.split('/').slice(1);
  return segments.map((s, i) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw new HttpError(400, 'bad request: the path is not valid percent-encoded UTF-8');
    }
    if (d === '..' || d === '.' || /[\\/\0]/.test(d) || (d === '' && i < segments.length - 1))
      throw new HttpError(400, 'bad request: the path may not hold "..", ".", empty segments, slashes or backslashes');
    return d;
  });
}

/** The file a request names, or HttpError 404 when none may be served. */
function resolveFile(segments: string[], roots: Root[], fallback: Root): string {
  const root = roots.find((r) => segments.length > 1 && segments[0] === r.prefix) ?? fallback;
  const rel = root === fallback ? segments : segments.slice(1);
  const name = rel.length === 0 || rel.join('') === '' ? ['index.html'] : rel;
  const file = path.join(root.dir, ...name);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    throw new HttpError(404, 'not found');
  }
  if (!root.roots.some((r) => inside(real, r)) || !fs.statSync(real).isFile()) throw new HttpError(404, 'not found');
  return real;
}

function allowedHost(host: string | undefined, port: number): boolean {
  return host === `localhost:${port}` || host === `127.0.0.1:${port}`;
}

/**
 * Serves a folder on http://localhost:<port> (a free one when port is 0); extra maps URL prefixes to other
 * folders (e.g. a model mirror).
 */
export async function serveStatic(
  dir: string,
  extra: Record<string, string> = {},
  port = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const fallback: Root = { prefix: '', dir, roots: realRoots(dir) };
  const roots: Root[] = Object.entries(extra).map(([prefix, d]) => ({ prefix, dir: d, roots: realRoots(d) }));
  let bound = port;
  const server = http.createServer((req, res) => {
    try {
      if (!allowedHost(req.headers.host, bound)) throw new HttpError(403, 'forbidden: unknown host');
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      const file = resolveFile(pathSegments(req.url ?? '/'), roots, fallback);
      const size = fs.statSync(file).size;
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(e instanceof HttpError ? e.message : 'internal error');
    }
  });
  // a request the HTTP parser itself rejects gets 400 and costs only its own connection
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new PortInUseError(`port ${port} on localhost is in use by another program: stop it and try again`)
          : e,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  bound = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${bound}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
