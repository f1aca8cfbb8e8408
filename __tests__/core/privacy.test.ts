import * as fc from 'fast-check';
import { ClickPrivacy, contextPseudonymOf, pseudonymOf, truncateIp } from '../../core/privacy';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['::ffff:198.51.100.9', '198.51.100.0'],
    ['2001:db8:abcd:12::192.0.2.33', '2001:db8:abcd::'],
    [' 203.0.113.77 ', '203.0.113.0'],
  ])('cuts %s to %s', (address, network) => {
    expect(truncateIp(address)).toBe(network);
  });

  it.each([['APIGWY'], [''], ['203.0.113.77, 10.0.0.1'], ['999.1.1.1'], ['2001:db8::g']])(
    'finds no address in %j',
    (value) => {
      expect(truncateIp(value)).toBeUndefined();
    },
  );

  it('never keeps the host part of an IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        const network = truncateIp(address)!;
        expect(network.endsWith('.0')).toBe(true);
        expect(network.split('.').slice(0, 3)).toEqual(address.split('.').slice(0, 3));
      }),
    );
  });

  it('keeps at most the first 48 bits of an IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const network = truncateIp(address);
        if (network === undefined) throw new Error(`no network for ${address}`);
        // Either an IPv4-mapped address cut to /24, or three groups and '::'.
        expect(network).toMatch(/^(?:[0-9a-f]{1,4}:){3}:$|^\d+\.\d+\.\d+\.0$/);
      }),
    );
  });
});

describe('ClickPrivacy', () => {
  it('truncates by default, drops to the seed placeholder, or keeps', () => {
    const modes = (clientIp: 'truncate' | 'drop' | 'keep') =>
      new ClickPrivacy({ clientIp, user: 'keep' }).clientIp('203.0.113.77');
    expect([modes('truncate'), modes('drop'), modes('keep')]).toEqual(['203.0.113.0', 'APIGWY', '203.0.113.77']);
  });

  it('keeps a value that is not an address only under keep', () => {
    const of = (clientIp: 'truncate' | 'drop' | 'keep') =>
      new ClickPrivacy({ clientIp, user: 'keep' }).clientIp('somewhere');
    expect([of('truncate'), of('drop'), of('keep')]).toEqual(['APIGWY', 'APIGWY', 'somewhere']);
  });

  it('pseudonymizes users: short, stable per key, different across keys; GUEST stays GUEST', () => {
    const privacy = new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' }, KEY);
    const alice = privacy.user('alice@example.com');
    expect(alice).toMatch(/^u_[a-z2-7]{26}$/);
    expect(privacy.user('alice@example.com')).toBe(alice);
    expect(pseudonymOf('alice@example.com', KEY)).toBe(alice);
    expect(pseudonymOf('alice@example.com', OTHER_KEY)).not.toBe(alice);
    expect(privacy.user('bob@example.com')).not.toBe(alice);
    expect(privacy.user('GUEST')).toBe('GUEST');
  });

  it('keeps or drops users as configured', () => {
    expect(new ClickPrivacy({ clientIp: 'keep', user: 'keep' }).user('alice@example.com')).toBe('alice@example.com');
    expect(new ClickPrivacy({ clientIp: 'keep', user: 'drop' }).user('alice@example.com')).toBe('GUEST');
  });

  it('refuses to pseudonymize without a 32-byte key', () => {
    expect(() => new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' })).toThrow(
      'pseudonymizing users needs a key of 32 bytes',
    );
    expect(() => new ClickPrivacy({ clientIp: 'truncate', user: 'pseudonymize' }, Buffer.alloc(16))).toThrow();
  });

  it('gives distinct users distinct pseudonyms', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(pseudonymOf(a, KEY)).not.toBe(pseudonymOf(b, KEY));
      }),
    );
  });
});

describe('suppression', () => {
  const alice = pseudonymOf('alice@example.com', KEY);
  const visit = contextPseudonymOf('visit-9', KEY);

  it.each(['pseudonymize', 'keep', 'drop'] as const)(
    'suppresses an erased user by the name as sent, whatever the user mode (%s)',
    (user) => {
      const privacy = new ClickPrivacy({ clientIp: 'truncate', user }, KEY, new Set([alice]));
      expect(privacy.isSuppressed('alice@example.com', 'visit-1')).toBe(true);
      expect(privacy.isSuppressed('bob@example.com', 'visit-1')).toBe(false);
    },
  );

  it('suppresses an erased visit by its contextid, and never GUEST as such', () => {
    const privacy = new ClickPrivacy({ clientIp: 'truncate', user: 'keep' }, KEY, new Set([visit]));
    expect(privacy.isSuppressed('GUEST', 'visit-9')).toBe(true);
    expect(privacy.isSuppressed('GUEST', 'visit-8')).toBe(false);
    expect(contextPseudonymOf('visit-9', KEY)).toMatch(/^c_[a-z2-7]{26}$/);
    expect(contextPseudonymOf('visit-9', KEY)).not.toBe(pseudonymOf('visit-9', KEY).replace(/^u_/, 'c_'));
  });

  it('suppresses nobody with an empty list, and needs the key for a list', () => {
    expect(new ClickPrivacy({ clientIp: 'keep', user: 'keep' }).isSuppressed('alice@example.com', 'v')).toBe(false);
    expect(() => new ClickPrivacy({ clientIp: 'keep', user: 'keep' }, undefined, new Set([alice]))).toThrow(
      'pseudonymizing users needs a key of 32 bytes',
    );
  });
});
