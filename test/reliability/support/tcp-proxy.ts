// A TCP proxy between the service and PostgreSQL that a test can cut (reset or blackhole) and restore.
import net from 'node:net';

/**
 * - reset: every open connection is reset (RST) and new ones are refused (the port stops listening),
 *   as when the database host goes down or restarts.
 * - blackhole: open connections stop carrying bytes and new ones are accepted but never forwarded,
 *   as when the network between us and the database drops packets silently. Nothing is answered, so only
 *   the client's own timeouts end a request.
 */
export type CutMode = 'reset' | 'blackhole';

interface Link {
  client: net.Socket;
  upstream?: net.Socket;
}

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted since start, blackholed ones included. */
  readonly accepted: number;
  cut(mode: CutMode): Promise<void>;
  /** Forwards again: blackholed connections resume where they stopped; the port listens again after a reset. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let state: 'forwarding' | CutMode = 'forwarding';
  let accepted = 0;

  function connectUpstream(link: Link): void {
    const upstream = net.connect(target.port, target.host);
    link.upstream = upstream;
    // Plain data handlers rather than pipe(): pause() must stop the flow until resume(), whatever pipe() thinks.
    link.client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => link.client.write(chunk));
    link.client.on('end', () => upstream.end());
    upstream.on('end', () => link.client.end());
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => link.client.destroy());
    link.client.resume();
  }

  const server = net.createServer((client) => {
    accepted++;
    const link: Link = { client };
    links.add(link);
    client.on('error', () => undefined); // a reset from either side is expected here
    client.on('close', () => {
      link.upstream?.destroy();
      links.delete(link);
    });
    // A blackholed connection is held, unread, until restore; only then does it reach the database.
    if (state === 'blackhole') client.pause();
    else connectUpstream(link);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },

    async cut(mode) {
      if (state !== 'forwarding') throw new Error(`the proxy is already cut (${state})`);
      state = mode;
      if (mode === 'reset') {
        for (const link of links) {
          link.client.resetAndDestroy();
          link.upstream?.destroy();
        }
        await stopListening();
      } else {
        // Unread bytes stay in the kernel's buffers, so neither side hears from the other until restore.
        for (const link of links) {
          link.client.pause();
          link.upstream?.pause();
        }
      }
    },

    async restore() {
      const previous = state;
      state = 'forwarding';
      if (previous === 'reset') await listen(port);
      if (previous === 'blackhole') {
        for (const link of links) {
          if (link.upstream) {
            link.client.resume();
            link.upstream.resume();
          } else if (!link.client.destroyed) {
            connectUpstream(link);
          }
        }
      }
    },

    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      if (state !== 'reset') await stopListening();
    },
  };
}
