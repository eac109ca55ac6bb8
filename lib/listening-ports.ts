/**
 * The TCP ports this process listens on (Linux: /proc/self/fd and /proc/self/net/tcp{,6}). Used
 * by the worker to find the port the Temporal SDK's Prometheus exporter took when it was given
 * port 0 (the SDK does not report it); elsewhere it returns an empty list.
 */
import fs from 'node:fs';

export function listeningPorts(): number[] {
  let inodes: Set<string>;
  try {
    inodes = new Set(fs.readdirSync('/proc/self/fd').map((f) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${f}`);
      } catch {
        return '';
      }
    }).filter((l) => l.startsWith('socket:[')).map((l) => l.slice(8, -1)));
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      // sl local_address rem_address st … inode: state 0A is LISTEN.
      if (c.length > 9 && c[3] === '0A' && inodes.has(c[9])) ports.add(parseInt(c[1].split(':')[1], 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
