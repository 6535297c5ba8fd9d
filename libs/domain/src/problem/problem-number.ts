const PROBLEM_ID = /^PRB-(\d{6,})$/;
const ARTICLE_ID = /^KB-(\d{6,})$/;

function format(prefix: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`not a ${prefix} number: ${sequence}`);
  return `${prefix}-${String(sequence).padStart(6, '0')}`;
}

/** `PRB-000123`: six digits at least, like change and incident numbers. */
export function formatProblemId(sequence: number): string {
  return format('PRB', sequence);
}

export function isProblemId(value: string): boolean {
  return PROBLEM_ID.test(value);
}

/** `KB-000123`: a knowledge article. */
export function formatArticleId(sequence: number): string {
  return format('KB', sequence);
}

export function isArticleId(value: string): boolean {
  return ARTICLE_ID.test(value);
}

/** What recurring incidents are counted by; none without a category. */
export function incidentSignature(serviceKey: string, category: string | null | undefined): string | null {
  return category ? `${serviceKey}|${category}` : null;
}
