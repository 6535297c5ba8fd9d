import { Transform } from 'class-transformer';

/** Strings are trimmed at the edge: "  " is empty, and stored text has no stray spaces. */
export const Trim = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
