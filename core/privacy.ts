/**
 * The personal data a click carries, `clientip` and `user`, as ingestion stores it: by default
 * the address cut to its network (/24, /48) and the user a keyed pseudonym. Applied before
 * anything is sent to Firehose, by the Lambda and the local run alike.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_USER, UNKNOWN_CLIENT_IP } from './click-schema';

export const CLIENT_IP_MODES = ['truncate', 'drop', 'keep'] as const;
export const USER_MODES = ['pseudonymize', 'keep', 'drop'] as const;
export type ClientIpMode = (typeof CLIENT_IP_MODES)[number];
export type UserMode = (typeof USER_MODES)[number];

/** The pseudonym key's size: 32 random bytes per stage. */
export const PSEUDONYM_KEY_BYTES = 32;

/** The ingestion function's settings that carry the modes, and the name of the key's parameter (never the key). */
export const PRIVACY_VARIABLES = {
  clientIp: 'CLIENT_IP_MODE',
  user: 'USER_MODE',
  keyParameter: 'PSEUDONYM_KEY_PARAMETER',
  /** The bucket whose suppression list (ERASURE.suppressionList) ingestion honours. */
  suppressionBucket: 'SUPPRESSION_BUCKET',
} as const;

/** How ingestion treats the two fields; the key is needed to pseudonymize, and only then. */
export interface PrivacySettings {
  readonly clientIp: ClientIpMode;
  readonly user: UserMode;
}

/** The modes from the function's settings (CLIENT_IP_MODE, USER_MODE); unset, the defaults: truncate, pseudonymize. */
export function privacySettings(variables: Readonly<Record<string, string | undefined>>): PrivacySettings {
  const mode = <T extends string>(name: string, modes: readonly T[]): T => {
    const value = variables[name] || modes[0];
    if (!modes.includes(value as T)) throw new Error(`${name} must be one of ${modes.join(', ')}, got "${value}"`);
    return value as T;
  };
  return {
    clientIp: mode(PRIVACY_VARIABLES.clientIp, CLIENT_IP_MODES),
    user: mode(PRIVACY_VARIABLES.user, USER_MODES),
  };
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** `u_` and 26 base32 characters: 130 bits of the HMAC, short and stable. */
const PSEUDONYM_CHARACTERS = 26;

function base32(bytes: Uint8Array, characters: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < characters) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === characters) break;
  }
  return out;
}

/** The 8 groups of an IPv6 address (a trailing dotted quad included), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const quad = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1].split('.').map(Number);
    text = `${text.slice(0, quad.index)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = part(head);
  const back = part(tail);
  const groups =
    tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 ? groups : undefined;
}

/** IPv4 to its /24 (203.0.113.0), IPv6 to its /48 (2001:db8:abcd::); an IPv4-mapped IPv6 address as IPv4. */
export function truncateIp(value: string): string | undefined {
  // A zone (fe80::1%eth0) names this host's interface: not part of the address.
  const trimmed = value.trim();
  const zone = trimmed.indexOf('%');
  const address = zone === -1 ? trimmed : trimmed.slice(0, zone);
  if (isIPv4(address)) return `${address.slice(0, address.lastIndexOf('.'))}.0`;
  if (!isIPv6(address)) return undefined;
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0`;
  }
  return `${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(':')}::`;
}

/**
 * What ingestion keeps of one click's `clientip` and `user`. Pseudonyms of recent users are
 * remembered: a visitor's clicks arrive together, and an HMAC per click is most of the cost.
 */
export class ClickPrivacy {
  private readonly pseudonyms = new Map<string, string>();
  private readonly suppressesUsers: boolean;
  private readonly suppressesVisits: boolean;

  constructor(
    readonly settings: PrivacySettings,
    private readonly key?: Uint8Array,
    /** Pseudonyms (`u_…`, `c_…`) of people who were erased: their clicks are not stored again. */
    private readonly suppressed: ReadonlySet<string> = new Set(),
  ) {
    const needsKey = settings.user === 'pseudonymize' || suppressed.size > 0;
    if (needsKey && (key === undefined || key.length < PSEUDONYM_KEY_BYTES)) {
      throw new Error(`pseudonymizing users needs a key of ${PSEUDONYM_KEY_BYTES} bytes`);
    }
    this.suppressesUsers = [...suppressed].some((id) => id.startsWith('u_'));
    this.suppressesVisits = [...suppressed].some((id) => id.startsWith('c_'));
  }

  clientIp(value: string): string {
    // The seed's placeholder, which most clicks without an HTTP source carry, is no address.
    if (value === UNKNOWN_CLIENT_IP || this.settings.clientIp === 'keep') return value;
    if (this.settings.clientIp === 'drop') return UNKNOWN_CLIENT_IP;
    return truncateIp(value) ?? UNKNOWN_CLIENT_IP;
  }

  user(value: string): string {
    if (this.settings.user === 'keep' || value === DEFAULT_USER) return value;
    if (this.settings.user === 'drop') return DEFAULT_USER;
    return this.pseudonym(value);
  }

  /** True when the click's user (as sent) or its visit was erased, whatever the user mode. */
  isSuppressed(user: string, contextid: string): boolean {
    if (this.suppressesUsers && user !== DEFAULT_USER && this.suppressed.has(this.pseudonym(user))) return true;
    return this.suppressesVisits && this.suppressed.has(contextPseudonymOf(contextid, this.key!));
  }

  private pseudonym(value: string): string {
    let pseudonym = this.pseudonyms.get(value);
    if (pseudonym === undefined) {
      pseudonym = pseudonymOf(value, this.key!);
      if (this.pseudonyms.size >= 10_000) this.pseudonyms.clear();
      this.pseudonyms.set(value, pseudonym);
    }
    return pseudonym;
  }
}

/** `u_` and 26 base32 characters of HMAC-SHA-256(key, value). */
export function pseudonymOf(value: string, key: Uint8Array): string {
  const digest = createHmac('sha256', key).update(value, 'utf8').digest();
  return `u_${base32(digest, PSEUDONYM_CHARACTERS)}`;
}

/** A visit's id as the erasure log names it: `c_` and 26 base32 characters of its keyed HMAC. */
export function contextPseudonymOf(contextid: string, key: Uint8Array): string {
  const digest = createHmac('sha256', key).update(`contextid\0${contextid}`, 'utf8').digest();
  return `c_${base32(digest, PSEUDONYM_CHARACTERS)}`;
}
