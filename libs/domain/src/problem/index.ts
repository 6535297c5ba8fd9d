export * from './problem-number';
export * from './problem-lifecycle';
