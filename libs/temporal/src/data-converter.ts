import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { resolve } from 'node:path';

/** The failure converter module: `.ts` from source (tests), `.js` from dist. */
export const FAILURE_CONVERTER_PATH = require.resolve(resolve(__dirname, 'failure-converter'));

/**
 * The data converter of every Steward process that talks to Temporal (API client, worker,
 * tests, bench, scripts): the payload codec when one is given, and always the failure converter
 * that puts messages and stacks into payloads. Without a codec (only the bench's comparison run)
 * those payloads are plain JSON.
 */
export function stewardDataConverter(codec?: PayloadCodec): DataConverter {
  return { payloadCodecs: codec ? [codec] : [], failureConverterPath: FAILURE_CONVERTER_PATH };
}
