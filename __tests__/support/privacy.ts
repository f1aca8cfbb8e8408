import { ClickPrivacy } from '../../core/privacy';

/** A fixed key, so that pseudonyms in tests are the same from run to run. */
export const TEST_PSEUDONYM_KEY = Buffer.alloc(32, 0x5a);

/** The stack's defaults: addresses cut to their network, users pseudonymized. */
export const defaultPrivacy = () =>
  new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' }, TEST_PSEUDONYM_KEY);
