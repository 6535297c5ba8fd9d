import { Global, Injectable, Module, RequestMethod, type DynamicModule, type LoggerService, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import pretty from 'pino-pretty';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type LogFormat = 'json' | 'pretty';
export type ProcessLabel = 'api' | 'worker' | 'steward';

export interface StewardLoggerOptions {
  level: string;
  /** Which process this is: every line carries it, so one terminal can show both. */
  service: ProcessLabel;
  /** `pretty` on a terminal, JSON otherwise, unless LOG_FORMAT says which. */
  format?: LogFormat;
  /** Where lines go (default: standard output). Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** LOG_FORMAT wins; else human-readable lines on a terminal, JSON for anything that parses them. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return stdout.isTTY ? 'pretty' : 'json';
}

/**
 * One pino logger per process part. Each has its own instance (nestjs-pino kept a single one per
 * Node process, so in `npm start`, where API and worker share a process, every line said
 * "worker"). Bearer tokens and cookies never reach the logs.
 */
export function createStewardLogger(options: StewardLoggerOptions): Pino {
  const settings = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  };
  if (options.destination) return pino(settings, options.destination);
  if ((options.format ?? logFormat()) === 'json') return pino(settings);
  const stream = pretty({
    colorize: Boolean(process.stdout.isTTY),
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat: (log: Record<string, unknown>, messageKey: string) => {
      const req = log.req as { method?: string; url?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      const http = req ? ` ${req.method} ${req.url}${res?.statusCode ? ` ${res.statusCode}` : ''}${log.responseTime !== undefined ? ` ${String(log.responseTime)} ms` : ''}` : '';
      return `[${String(log.service)}]${log.context ? ` ${String(log.context)}:` : ''} ${String(log[messageKey] ?? '')}${http}`;
    },
  });
  return pino(settings, stream);
}

/** Nest's own start-up chatter (modules loaded, routes mapped): useful when debugging only. */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's logger interface over this process part's pino logger. */
@Injectable()
export class StewardLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const target = context ? this.pino.child({ context }) : this.pino;
    if (message instanceof Error) target[level]({ err: message }, message.message);
    else if (typeof message === 'object' && message !== null) target[level](message as object, typeof rest[0] === 'string' && rest.length > 1 ? (rest[0] as string) : '');
    else target[level](String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    this.write(typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest.filter((r) => typeof r === 'string' && !r.includes('\n    at ')));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
}

/** The HTTP request log: a request id per request (the caller's sane `X-Request-Id`, else new). */
function requestLogger(logger: Pino) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health' },
  });
}

/**
 * Structured logs for one process part, as a module: `StewardLogger` for Nest (`app.useLogger`),
 * and for the API the request log middleware on every route.
 */
export function stewardLoggerModule(options: StewardLoggerOptions): DynamicModule {
  const logger = new StewardLogger(createStewardLogger(options));
  @Global()
  @Module({ providers: [{ provide: StewardLogger, useValue: logger }], exports: [StewardLogger] })
  class StewardLoggerModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      if (options.service === 'api') consumer.apply(requestLogger(logger.pino)).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
    }
  }
  return { module: StewardLoggerModule };
}
