import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (DataConverter.failureConverterPath) in the worker, the clients and the
 * workflow bundle alike. `encodeCommonAttributes` moves every failure's message and stack trace
 * into a payload, which the payload codec then encrypts: an error that quotes a plan, a URL or
 * a token shows in Temporal as "Encoded failure" only. This file is bundled into the workflow
 * sandbox, so it imports nothing but the SDK.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
