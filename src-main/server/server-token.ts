// The access token of a studio server reachable from other machines: 256 random bits, new at every start (a
// token printed in an old terminal stops working), kept in <user data>/server-token, readable by its owner only,
// so the photographer can find it again and scripts on this machine can use it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { writeFileAtomic } from '../services/library/atomic-write.js';

export const TOKEN_FILE = 'server-token';

export async function issueToken(userDataDir: string): Promise<{ token: string; file: string }> {
  const token = randomBytes(32).toString('base64url');
  const file = join(userDataDir, TOKEN_FILE);
  await writeFileAtomic(file, Buffer.from(`${token}\n`), 0o600);
  return { token, file };
}
