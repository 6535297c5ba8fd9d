import type { PlanStep } from './change-vocabulary';
import { canonicalJson } from './canonical-json';

/** A standard change template as the CAB approved it (one version). */
export interface StandardTemplate {
  templateId: string;
  version: number;
  /** The CIs the template covers. */
  ciKeys: readonly string[];
  /** The exact steps a request must carry. */
  steps: readonly unknown[];
}

/**
 * A standard change is pre-approved only when it is exactly what the CAB approved: the
 * template's steps, on CIs the template covers. Returns why not, or nothing when it matches.
 */
export function templateDeviation(template: StandardTemplate | null, steps: readonly PlanStep[], ciKeys: readonly string[]): string | undefined {
  if (!template) return 'no active template with that id';
  const outside = ciKeys.filter((key) => !template.ciKeys.includes(key));
  if (outside.length > 0) return `template ${template.templateId} v${template.version} does not cover ${outside.join(', ')}`;
  if (canonicalJson(steps) !== canonicalJson(template.steps)) return `the steps differ from template ${template.templateId} v${template.version}`;
  return undefined;
}
