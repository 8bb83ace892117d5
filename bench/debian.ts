// The bench's load generator comes from Debian's archive: installed when missing, as root or through sudo.
import { execFileSync } from 'node:child_process';

/**
 * `apt-get install -y <pkg>`, waiting up to 5 minutes for another apt to release its lock. Throws with apt's own
 * message, which the caller wraps in what the tool is for and how to install it by hand.
 */
export function aptInstall(pkg: string): void {
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const [command, ...args] = [...asRoot, 'apt-get', '-o', 'DPkg::Lock::Timeout=300', 'install', '-y', pkg];
  execFileSync(command as string, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}
