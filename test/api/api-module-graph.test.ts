/**
 * The API process never loads activity code: not the executors that reach deployment targets,
 * not the activity runtime. Each module below records when anything requires it; the API's
 * module graph (everything `createApi` imports, which is what `main` starts) must leave the
 * list empty, while the worker's graph, loaded after it as a control, must fill it.
 */
const mockLoaded: string[] = [];

jest.mock('@temporalio/activity', () => {
  mockLoaded.push('@temporalio/activity');
  return jest.requireActual('@temporalio/activity');
});
jest.mock('@temporalio/testing', () => {
  mockLoaded.push('@temporalio/testing');
  return jest.requireActual('@temporalio/testing');
});
jest.mock('../../activities/change/executors/http.executor', () => {
  mockLoaded.push('http executor');
  return jest.requireActual('../../activities/change/executors/http.executor');
});

describe('the API module graph', () => {
  it('loads neither the activity runtime nor the http executor; the worker graph loads both', () => {
    require('reflect-metadata');
    const api = require('../../apps/api/src/create-api') as { createApi?: unknown };
    expect(typeof api.createApi).toBe('function');
    expect(mockLoaded).toEqual([]);

    require('../../apps/worker/src/worker.module');
    expect(mockLoaded).toEqual(expect.arrayContaining(['@temporalio/activity', 'http executor']));
  });
});
