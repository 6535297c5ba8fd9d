import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { HostResolver } from '../../../activities/change/executors';

/**
 * A tiny DNS server on a loopback UDP port: it answers A queries for any name from a script
 * (the first query gets `answers[0]`, the second `answers[1]`... the last repeats), with a TTL
 * of 0, as a rebinding attacker's name server would. AAAA and other types get an empty answer.
 */
export interface DnsResponder {
  /** `127.0.0.1:<port>`, for a Resolver's setServers. */
  server: string;
  /** Every A query, in order: the name asked. */
  queries: string[];
  close(): Promise<void>;
}

function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  while (message[at] !== 0) {
    const length = message[at];
    labels.push(message.subarray(at + 1, at + 1 + length).toString('ascii'));
    at += 1 + length;
  }
  return { name: labels.join('.'), end: at + 1 };
}

export async function startDnsResponder(answers: string[][]): Promise<DnsResponder> {
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const { name, end } = readName(message, 12);
    const type = message.readUInt16BE(end);
    const question = message.subarray(12, end + 4);
    let records: string[] = [];
    if (type === 1) {
      queries.push(name);
      records = answers[Math.min(queries.length - 1, answers.length - 1)];
    }
    const header = Buffer.alloc(12);
    message.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180, 2); // response, recursion desired and available, NOERROR
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const answerRecords = records.map((address) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(0, 6); // TTL 0: ask again next time
      record.writeUInt16BE(4, 10);
      address.split('.').forEach((part, i) => record.writeUInt8(Number(part), 12 + i));
      return record;
    });
    socket.send(Buffer.concat([header, question, ...answerRecords]), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return { server: `127.0.0.1:${port}`, queries, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** The executor's resolver, asking the given DNS server instead of the system's. */
export class DnsServerResolver extends HostResolver {
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 1 });

  constructor(server: string) {
    super();
    this.resolver.setServers([server]);
  }

  override async resolve(hostname: string): Promise<string[]> {
    return this.resolver.resolve4(hostname);
  }
}

/** A resolver function injected into the executor: answers from the script, and counts. */
export class ScriptedResolver extends HostResolver {
  readonly asked: string[] = [];

  constructor(private readonly answers: string[][]) {
    super();
  }

  override async resolve(hostname: string): Promise<string[]> {
    this.asked.push(hostname);
    return this.answers[Math.min(this.asked.length - 1, this.answers.length - 1)];
  }
}
