/**
 * Which network targets the http executor may call: pure rules, no I/O.
 *
 * An executor call names a URL that a requester wrote; the worker that runs it sits inside the
 * operator's network. Without a guard, a plan step could reach the cloud metadata service, the
 * database or the Temporal frontend (SSRF). Every address the target's host resolves to is
 * classified; anything but a public address is refused unless EXECUTOR_ALLOWED_TARGETS lets it.
 */

/** What kind of address an IP is, as far as calling it from a worker goes. */
export const ADDRESS_CLASSES = ['public', 'loopback', 'private', 'link-local', 'unspecified', 'multicast', 'reserved'] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

export interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): Uint8Array | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const pieces = part.split(':');
    const groups: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEX_GROUP.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * An IPv4 address in dotted-decimal form, or an IPv6 address (with or without brackets, with
 * or without a zone id such as `%eth0`, with an embedded dotted IPv4 tail). Anything else —
 * hostnames, shorthand or octal IPv4 forms — is not an IP address here (undefined).
 */
export function parseIpAddress(text: string): ParsedIp | undefined {
  let candidate = text.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const v4 = parseIpv4(candidate);
  if (v4) return { family: 4, bytes: v4 };
  if (!candidate.includes(':')) return undefined;
  const zone = candidate.indexOf('%');
  if (zone >= 0) candidate = candidate.slice(0, zone);
  const v6 = parseIpv6(candidate);
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the forms that reach an
 * IPv4 host: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated),
 * NAT64 (`64:ff9b::/96`) and 6to4 (`2002:AABB:CCDD::/48`).
 */
export function embeddedIpv4(ip: ParsedIp): Uint8Array | undefined {
  if (ip.family === 4) return ip.bytes;
  const b = ip.bytes;
  if (isZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  if (isZero(b, 0, 12) && !isZero(b, 12, 15)) return b.slice(12); // not :: nor ::1
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && isZero(b, 4, 12)) return b.slice(12);
  if (startsWith(b, [0x20, 0x02])) return b.slice(2, 6);
  return undefined;
}

function classifyIpv4(b: Uint8Array): AddressClass {
  if (b[0] === 0) return 'unspecified'; // 0.0.0.0/8, "this network": reaches the local host on Linux
  if (b[0] === 127) return 'loopback';
  if (b[0] === 10) return 'private';
  if (b[0] === 172 && (b[1] & 0xf0) === 16) return 'private';
  if (b[0] === 192 && b[1] === 168) return 'private';
  if (b[0] === 100 && (b[1] & 0xc0) === 64) return 'private'; // 100.64.0.0/10, shared address space (CGNAT, some cloud metadata)
  if (b[0] === 169 && b[1] === 254) return 'link-local';
  if ((b[0] & 0xf0) === 224) return 'multicast';
  if ((b[0] & 0xf0) === 240) return 'reserved'; // 240.0.0.0/4, including 255.255.255.255
  return 'public';
}

/** The class of an IP address; throws a TypeError for anything that is not one. */
export function classifyAddress(address: string | ParsedIp): AddressClass {
  const ip = typeof address === 'string' ? parseIpAddress(address) : address;
  if (!ip) throw new TypeError(`not an IP address: ${String(address)}`);
  if (ip.family === 4) return classifyIpv4(ip.bytes);
  const b = ip.bytes;
  if (isZero(b, 0, 16)) return 'unspecified';
  if (isZero(b, 0, 15) && b[15] === 1) return 'loopback';
  const v4 = embeddedIpv4(ip);
  if (v4) return classifyIpv4(v4);
  if ((b[0] & 0xfe) === 0xfc) return 'private'; // fc00::/7, unique local
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return 'private'; // fec0::/10, deprecated site-local
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (b[0] === 0xff) return 'multicast'; // ff00::/8
  return 'public';
}

/**
 * One spelling per address, for comparing: dotted IPv4 (also for an IPv4-mapped IPv6 address),
 * or eight lower-case hex groups for IPv6.
 */
export function canonicalAddress(address: string | ParsedIp): string {
  const ip = typeof address === 'string' ? parseIpAddress(address) : address;
  if (!ip) throw new TypeError(`not an IP address: ${String(address)}`);
  const b = ip.bytes;
  if (ip.family === 4 || (isZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff)) return Array.from(b.slice(-4)).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return groups.join(':');
}

/** A parsed EXECUTOR_ALLOWED_TARGETS entry. */
export interface TargetPattern {
  /** As configured, for messages. */
  source: string;
  host: { kind: 'any' } | { kind: 'ip'; address: string } | { kind: 'hostname'; name: string };
  port: number | '*';
}

const PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|\*):(\d{1,5}|\*)$/;

/**
 * Parses a `host:port` pattern: host is `*`, an IPv4 address, a bracketed IPv6 address or a
 * hostname (matched literally against the URL's hostname); port is a number or `*`.
 * Throws an Error naming the pattern when it is malformed.
 */
export function parseTargetPattern(pattern: string): TargetPattern {
  const source = pattern.trim();
  const match = PATTERN.exec(source);
  const port = match ? (match[2] === '*' ? '*' : Number(match[2])) : undefined;
  if (!match || (port !== '*' && (port === undefined || port < 1 || port > 65535))) {
    throw new Error(`"${pattern}" is not a host:port pattern (e.g. 127.0.0.1:8080, 10.0.0.5:*, [::1]:*, *:8080)`);
  }
  const hostText = match[1];
  if (hostText === '*') return { source, host: { kind: 'any' }, port: port! };
  const ip = parseIpAddress(hostText);
  if (hostText.startsWith('[') && (!ip || ip.family !== 6)) throw new Error(`"${pattern}" has a bad IPv6 address`);
  if (ip) return { source, host: { kind: 'ip', address: canonicalAddress(ip) }, port: port! };
  return { source, host: { kind: 'hostname', name: hostText.toLowerCase() }, port: port! };
}

/** Where a call goes: the URL's hostname and effective port, and one address it resolved to. */
export interface TargetAddress {
  /** The URL's hostname, as the URL parser spells it (IPv6 in brackets). */
  hostname: string;
  port: number;
  address: string;
}

export function matchesTargetPattern(pattern: TargetPattern, target: TargetAddress): boolean {
  if (pattern.port !== '*' && pattern.port !== target.port) return false;
  switch (pattern.host.kind) {
    case 'any':
      return true;
    case 'hostname':
      return pattern.host.name === target.hostname.toLowerCase();
    case 'ip': {
      const ip = parseIpAddress(target.address);
      return ip !== undefined && canonicalAddress(ip) === pattern.host.address;
    }
  }
}

/** The port a URL connects to: its own, or the scheme's default. */
export function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

export interface CheckedAddress {
  address: string;
  addressClass: AddressClass;
  /** The pattern that let a non-public address through. */
  allowedBy?: string;
}

export type TargetVerdict =
  | { allowed: true; addresses: CheckedAddress[] }
  | { allowed: false; address?: string; addressClass?: AddressClass; reason: string };

/**
 * Whether a call to `hostname:port` may go ahead when the host resolved to `addresses`: every
 * address must be public or matched by an allowed pattern, since the connection may use any
 * of them. Fails closed: no address, or one that is not an IP, refuses.
 */
export function evaluateTarget(input: { hostname: string; port: number; addresses: readonly string[]; allowed: readonly TargetPattern[] }): TargetVerdict {
  if (input.addresses.length === 0) return { allowed: false, reason: `${input.hostname} resolved to no address` };
  const checked: CheckedAddress[] = [];
  for (const address of input.addresses) {
    const ip = parseIpAddress(address);
    if (!ip) return { allowed: false, address, reason: `${input.hostname} resolved to "${address}", which is not an IP address` };
    const addressClass = classifyAddress(ip);
    if (addressClass === 'public') {
      checked.push({ address, addressClass });
      continue;
    }
    const pattern = input.allowed.find((p) => matchesTargetPattern(p, { hostname: input.hostname, port: input.port, address }));
    if (!pattern) {
      const via = parseIpAddress(input.hostname) ? '' : ` (${input.hostname} resolves to it)`;
      return {
        allowed: false,
        address,
        addressClass,
        reason: `${address} is a ${addressClass} address${via} and ${hostPort(input.hostname, input.port)} is not in EXECUTOR_ALLOWED_TARGETS`,
      };
    }
    checked.push({ address, addressClass, allowedBy: pattern.source });
  }
  return { allowed: true, addresses: checked };
}

function hostPort(hostname: string, port: number): string {
  return `${hostname}:${port}`;
}
