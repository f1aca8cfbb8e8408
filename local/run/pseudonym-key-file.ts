/**
 * The local run's pseudonym key: 32 random bytes in `pseudonym.key` in the output folder, mode
 * 0600, made by the first run that needs it (the cloud keeps its key in SSM). It outlives runs
 * without --keep, so that a user's pseudonym stays the same across them.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { ClickPrivacy, PSEUDONYM_KEY_BYTES, type PrivacySettings } from '../../core/privacy';

export const PSEUDONYM_KEY_FILE = 'pseudonym.key';

/** Reads the output folder's key, or makes it; two runs that start together end with the same key. */
export async function loadPseudonymKeyFile(outDir: string): Promise<Uint8Array> {
  const file = path.join(outDir, PSEUDONYM_KEY_FILE);
  let key = await fs.readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (key === undefined) {
    await fs.mkdir(outDir, { recursive: true });
    // Written whole under another name, then linked: a link fails if the key exists, so the
    // first run's key stands, and no run ever reads a half-written one.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await fs.writeFile(draft, randomBytes(PSEUDONYM_KEY_BYTES), { flag: 'wx', mode: 0o600 });
      await fs.link(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await fs.rm(draft, { force: true });
    }
    key = await fs.readFile(file);
  }
  if (key.length !== PSEUDONYM_KEY_BYTES) {
    throw new UserError(
      `${file} is not a pseudonym key (${PSEUDONYM_KEY_BYTES} bytes); remove it to make a new one, and the users' pseudonyms with it`,
    );
  }
  return key;
}

/** The key, when the settings or the suppression list need one: users are pseudonymized, or someone was erased. */
export async function keyIfNeeded(
  settings: PrivacySettings,
  outDir: string,
  suppressed: readonly string[],
): Promise<Uint8Array | undefined> {
  const needsKey = settings.user === 'pseudonymize' || suppressed.length > 0;
  return needsKey ? await loadPseudonymKeyFile(outDir) : undefined;
}

/** What the local run keeps of personal data: the stack's settings, the folder's key and its suppression list. */
export async function localPrivacy(
  settings: PrivacySettings,
  outDir: string,
  suppressed: readonly string[],
): Promise<ClickPrivacy> {
  return new ClickPrivacy(settings, await keyIfNeeded(settings, outDir, suppressed), new Set(suppressed));
}
