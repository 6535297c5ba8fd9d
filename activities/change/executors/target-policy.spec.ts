import {
  canonicalAddress,
  classifyAddress,
  effectivePort,
  evaluateTarget,
  matchesTargetPattern,
  parseIpAddress,
  parseTargetPattern,
  type AddressClass,
} from './target-policy';

describe('parseIpAddress', () => {
  it.each([
    ['127.0.0.1', 4],
    ['255.255.255.255', 4],
    ['::1', 6],
    ['[::1]', 6],
    ['fe80::1%eth0', 6],
    ['::ffff:127.0.0.1', 6],
    ['2001:db8::8:800:200c:417a', 6],
    ['1:2:3:4:5:6:7::', 6],
    ['::', 6],
  ])('reads %s as IPv%s', (text, family) => {
    expect(parseIpAddress(text)?.family).toBe(family);
  });

  it.each(['localhost', '256.0.0.1', '1.2.3', '0x7f.0.0.1', '010.0.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', '::ffff:1.2.3.4:5', '1.2.3.4::', ':1::', '12345::', ''])(
    'does not read %j as an IP address',
    (text) => {
      expect(parseIpAddress(text)).toBeUndefined();
    },
  );
});

describe('classifyAddress', () => {
  const cases: Array<[string, AddressClass]> = [
    // IPv4
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.169.0.1', 'public'],
    ['100.64.0.1', 'private'],
    ['100.100.100.200', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['169.253.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    // IPv6
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    // IPv6 forms that reach an IPv4 host are judged by that host
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
  ];

  it.each(cases)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('refuses to classify what is not an IP address', () => {
    expect(() => classifyAddress('localhost')).toThrow(TypeError);
  });
});

describe('canonicalAddress', () => {
  it('spells IPv4-mapped addresses as IPv4 and expands IPv6', () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:7F00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('[::1]')).toBe('0:0:0:0:0:0:0:1');
    expect(canonicalAddress('2001:DB8:0:0::1')).toBe('2001:db8:0:0:0:0:0:1');
  });
});

describe('parseTargetPattern', () => {
  it('reads IP, IPv6, hostname and wildcard hosts with a port or any port', () => {
    expect(parseTargetPattern('127.0.0.1:*')).toEqual({ source: '127.0.0.1:*', host: { kind: 'ip', address: '127.0.0.1' }, port: '*' });
    expect(parseTargetPattern('10.0.0.5:8443')).toEqual({ source: '10.0.0.5:8443', host: { kind: 'ip', address: '10.0.0.5' }, port: 8443 });
    expect(parseTargetPattern('*:8080')).toEqual({ source: '*:8080', host: { kind: 'any' }, port: 8080 });
    expect(parseTargetPattern('[::1]:*').host).toEqual({ kind: 'ip', address: '0:0:0:0:0:0:0:1' });
    expect(parseTargetPattern('Deploy.Internal:443').host).toEqual({ kind: 'hostname', name: 'deploy.internal' });
  });

  it.each(['example.com', '127.0.0.1', ':80', '127.0.0.1:0', '127.0.0.1:65536', 'a b:80', '[zz]:80', 'http://x:80', '*:*:*'])('refuses %j', (pattern) => {
    expect(() => parseTargetPattern(pattern)).toThrow(/host:port pattern|IPv6/);
  });
});

describe('matchesTargetPattern', () => {
  const target = (hostname: string, port: number, address: string) => ({ hostname, port, address });

  it('matches IP patterns against the resolved address, on the given port or any', () => {
    expect(matchesTargetPattern(parseTargetPattern('127.0.0.1:*'), target('127.0.0.1', 1234, '127.0.0.1'))).toBe(true);
    expect(matchesTargetPattern(parseTargetPattern('127.0.0.1:*'), target('[::ffff:127.0.0.1]', 1234, '::ffff:127.0.0.1'))).toBe(true);
    expect(matchesTargetPattern(parseTargetPattern('127.0.0.1:*'), target('127.0.0.2', 1234, '127.0.0.2'))).toBe(false);
    expect(matchesTargetPattern(parseTargetPattern('10.0.0.5:8443'), target('deploy.internal', 8443, '10.0.0.5'))).toBe(true);
    expect(matchesTargetPattern(parseTargetPattern('10.0.0.5:8443'), target('10.0.0.5', 443, '10.0.0.5'))).toBe(false);
    expect(matchesTargetPattern(parseTargetPattern('[::1]:*'), target('[::1]', 80, '::1'))).toBe(true);
    expect(matchesTargetPattern(parseTargetPattern('[::1]:*'), target('127.0.0.1', 80, '127.0.0.1'))).toBe(false);
  });

  it('matches hostname patterns against the URL hostname literally, case-insensitively', () => {
    const pattern = parseTargetPattern('deploy.internal:8443');
    expect(matchesTargetPattern(pattern, target('deploy.internal', 8443, '10.9.9.9'))).toBe(true);
    expect(matchesTargetPattern(pattern, target('DEPLOY.internal', 8443, '10.9.9.9'))).toBe(true);
    expect(matchesTargetPattern(pattern, target('deploy.internal.', 8443, '10.9.9.9'))).toBe(false);
    expect(matchesTargetPattern(pattern, target('x.deploy.internal', 8443, '10.9.9.9'))).toBe(false);
    expect(matchesTargetPattern(pattern, target('deploy.internal', 8080, '10.9.9.9'))).toBe(false);
  });

  it('matches any host on a port with *:port', () => {
    const pattern = parseTargetPattern('*:8080');
    expect(matchesTargetPattern(pattern, target('anything', 8080, '192.168.0.1'))).toBe(true);
    expect(matchesTargetPattern(pattern, target('anything', 8081, '192.168.0.1'))).toBe(false);
  });
});

describe('effectivePort', () => {
  it('uses the URL port or the scheme default', () => {
    expect(effectivePort(new URL('http://a/'))).toBe(80);
    expect(effectivePort(new URL('https://a/'))).toBe(443);
    expect(effectivePort(new URL('https://a:8443/'))).toBe(8443);
    expect(effectivePort(new URL('http://a:80/'))).toBe(80);
  });
});

describe('evaluateTarget', () => {
  const allowed = ['127.0.0.1:*', '10.0.0.5:8443', '*:8080', 'deploy.internal:443'].map(parseTargetPattern);

  it('lets public addresses through without any pattern', () => {
    expect(evaluateTarget({ hostname: 'example.com', port: 443, addresses: ['93.184.216.34', '2606:2800:220:1::'], allowed: [] })).toEqual({
      allowed: true,
      addresses: [
        { address: '93.184.216.34', addressClass: 'public' },
        { address: '2606:2800:220:1::', addressClass: 'public' },
      ],
    });
  });

  it('refuses a non-public address no pattern allows, naming its class', () => {
    const verdict = evaluateTarget({ hostname: '127.0.0.1', port: 9000, addresses: ['127.0.0.1'], allowed: [] });
    expect(verdict).toMatchObject({ allowed: false, address: '127.0.0.1', addressClass: 'loopback' });
    if (!verdict.allowed) expect(verdict.reason).toBe('127.0.0.1 is a loopback address and 127.0.0.1:9000 is not in EXECUTOR_ALLOWED_TARGETS');
  });

  it('refuses when any one of the addresses is refused (the connection may use any)', () => {
    const verdict = evaluateTarget({ hostname: 'mixed.example', port: 443, addresses: ['93.184.216.34', '169.254.169.254'], allowed });
    expect(verdict).toMatchObject({ allowed: false, address: '169.254.169.254', addressClass: 'link-local' });
    if (!verdict.allowed) expect(verdict.reason).toContain('mixed.example resolves to it');
  });

  it('refuses localhost allowed only as 127.0.0.1 when it also resolves to ::1', () => {
    expect(evaluateTarget({ hostname: 'localhost', port: 80, addresses: ['127.0.0.1', '::1'], allowed })).toMatchObject({ allowed: false, address: '::1', addressClass: 'loopback' });
  });

  it('refuses IPv4-mapped loopback unless allowed, and allows it under the IPv4 pattern', () => {
    expect(evaluateTarget({ hostname: '[::ffff:7f00:1]', port: 80, addresses: ['::ffff:7f00:1'], allowed: [] })).toMatchObject({ allowed: false, addressClass: 'loopback' });
    expect(evaluateTarget({ hostname: '[::ffff:7f00:1]', port: 80, addresses: ['::ffff:7f00:1'], allowed })).toMatchObject({ allowed: true });
  });

  it('names the pattern that let an address through', () => {
    expect(evaluateTarget({ hostname: 'deploy.internal', port: 443, addresses: ['10.1.1.1'], allowed })).toEqual({
      allowed: true,
      addresses: [{ address: '10.1.1.1', addressClass: 'private', allowedBy: 'deploy.internal:443' }],
    });
    expect(evaluateTarget({ hostname: 'build', port: 8443, addresses: ['10.0.0.5'], allowed })).toMatchObject({ allowed: true, addresses: [{ allowedBy: '10.0.0.5:8443' }] });
    expect(evaluateTarget({ hostname: 'build', port: 8443, addresses: ['10.0.0.6'], allowed })).toMatchObject({ allowed: false, addressClass: 'private' });
    expect(evaluateTarget({ hostname: 'anything', port: 8080, addresses: ['fd00::1', '224.0.0.1'], allowed })).toMatchObject({ allowed: true });
  });

  it.each<[string, AddressClass]>([
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['239.1.1.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'private'],
    ['192.168.0.10', 'private'],
    ['172.20.0.1', 'private'],
    ['255.255.255.255', 'reserved'],
  ])('refuses %s (%s) without a pattern', (address, addressClass) => {
    expect(evaluateTarget({ hostname: 'target', port: 80, addresses: [address], allowed: [] })).toMatchObject({ allowed: false, addressClass });
  });

  it('fails closed on no address or a non-IP answer', () => {
    expect(evaluateTarget({ hostname: 'x', port: 80, addresses: [], allowed })).toMatchObject({ allowed: false });
    expect(evaluateTarget({ hostname: 'x', port: 8080, addresses: ['not-an-ip'], allowed })).toMatchObject({ allowed: false, address: 'not-an-ip' });
  });
});
