/**
 * The shape the workflow sees of an activity class: its public async methods. Workflows import
 * this type only, never the class, so no I/O code reaches the workflow bundle.
 */
export type ActivityInterfaceOf<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => Promise<unknown> ? K : never]: T[K];
};
