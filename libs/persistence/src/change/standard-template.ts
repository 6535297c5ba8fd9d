import type { PlanStep } from '@steward/contracts';
import { canonicalJson } from '@steward/domain';
import type { ChangeTemplateEntity } from './change-approval.entities';

/**
 * A standard change is pre-approved only when it is exactly what the CAB approved: the
 * template's steps, on CIs the template covers. Returns why not, or nothing when it matches.
 */
export function templateDeviation(template: ChangeTemplateEntity | null, steps: PlanStep[], ciKeys: string[]): string | undefined {
  if (!template) return 'no active template with that id';
  const outside = ciKeys.filter((key) => !template.ciKeys.includes(key));
  if (outside.length > 0) return `template ${template.templateId} v${template.version} does not cover ${outside.join(', ')}`;
  if (canonicalJson(steps) !== canonicalJson(template.steps)) return `the steps differ from template ${template.templateId} v${template.version}`;
  return undefined;
}
