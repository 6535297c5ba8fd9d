const CHANGE_ID = /^CHG-(\d{6,})$/;

/** `CHG-000123`: six digits at least, more once a team passes a million changes. */
export function formatChangeId(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`not a change number: ${sequence}`);
  return `CHG-${String(sequence).padStart(6, '0')}`;
}

export function isChangeId(value: string): boolean {
  return CHANGE_ID.test(value);
}
