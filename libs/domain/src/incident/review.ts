/**
 * Blameless post-incident reviews (principle 8): a review records what happened and which
 * conditions let it happen, never who is to blame. These rules catch the shapes that assign
 * blame to a person; they cannot catch every sentence, and do not try to read minds.
 */

/** A statement of a review that assigns blame, with where it is and why it was refused. */
export interface BlameFinding {
  field: string;
  message: string;
}

export interface ReviewText {
  impact: string;
  contributingFactors: string[];
  whatWentWell: string[];
  rootCause?: string;
  timeline: Array<{ event: string }>;
}

// "root cause: bob", "cause was @bob", "caused by user:bob", "bob's fault", "blame carol".
const BLAME_WORDS = /\b(fault|blame[ds]?|to blame|negligen(ce|t)|incompeten(ce|t)|careless(ness)?)\b/i;
const CAUSE_IS = /\b(root[\s-]*cause|cause)\s*(is|was|:|=|-)\s*(.+)$/i;
const CAUSED_BY = /\b(caused|broken|broke|triggered)\s+by\s+(.+)$/i;
const PERSON_REFERENCE = /(^|\s)(@[\w.-]+|user:[\w.@-]+)/i;
// A cause that is nothing but one or two capitalised words ("Bob", "Bob Smith") names a person;
// a system cause reads as a noun phrase ("connection pool exhausted", "DNS TTL too long").
const JUST_A_NAME = /^[A-Z][a-z'’-]+( [A-Z][a-z'’-]+)?[.!]?$/;
const HUMAN_ERROR = /\bhuman error\b/i;

/**
 * The statements of a review that assign blame to a person, as field-named findings; empty when
 * the review is blameless. `people` are the ids and names the incident knows (commander,
 * resolvers, reporter): a cause that names one of them is refused too.
 */
export function blameFindings(review: ReviewText, people: readonly string[] = []): BlameFinding[] {
  const findings: BlameFinding[] = [];
  const known = people.map((p) => p.trim().toLowerCase()).filter((p) => p.length >= 2);
  const check = (field: string, text: string | undefined, isCause: boolean) => {
    if (typeof text !== 'string' || text.trim() === '') return;
    const reason = blameIn(text, known, isCause);
    if (reason) findings.push({ field, message: `${reason}: a blameless review names conditions and systems, not people ("${excerpt(text)}")` });
  };
  check('rootCause', review.rootCause, true);
  check('impact', review.impact, false);
  (review.contributingFactors ?? []).forEach((text, i) => check(`contributingFactors[${i}]`, text, true));
  (review.whatWentWell ?? []).forEach((text, i) => check(`whatWentWell[${i}]`, text, false));
  (review.timeline ?? []).forEach((entry, i) => check(`timeline[${i}].event`, entry?.event, false));
  return findings;
}

function blameIn(text: string, known: string[], isCause: boolean): string | null {
  if (BLAME_WORDS.test(text)) return 'it assigns fault or blame';
  if (HUMAN_ERROR.test(text)) return '"human error" is where an investigation starts, not a cause';
  const cause = CAUSE_IS.exec(text)?.[3] ?? CAUSED_BY.exec(text)?.[2];
  const subject = cause?.trim() ?? (isCause ? text.trim() : undefined);
  if (subject === undefined) return null;
  if (PERSON_REFERENCE.test(` ${subject}`)) return 'it names a person as the cause';
  if (cause !== undefined && JUST_A_NAME.test(subject)) return 'it names a person as the cause';
  const lower = subject.toLowerCase();
  if (known.some((person) => new RegExp(`(^|[^\\w])${escape(person)}([^\\w]|$)`).test(lower))) return 'it names a person involved in the incident as the cause';
  return null;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
