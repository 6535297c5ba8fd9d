const INCIDENT_ID = /^INC-(\d{6,})$/;

/** `INC-000123`: six digits at least, like change and problem numbers. */
export function formatIncidentId(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`not an incident number: ${sequence}`);
  return `INC-${String(sequence).padStart(6, '0')}`;
}

export function isIncidentId(value: string): boolean {
  return INCIDENT_ID.test(value);
}
