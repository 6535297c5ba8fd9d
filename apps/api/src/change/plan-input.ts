import type { ImplementationPlan } from '@steward/contracts';
import { planProblems, type PlanProblem } from '@steward/domain';
import type { ImplementationPlanDto } from './dtos/create-change.dto';

/** A plan as stored and hashed: only the fields the contract defines, in a fixed shape. */
export function toPlan(dto: ImplementationPlanDto): ImplementationPlan {
  return {
    steps: dto.steps.map(({ id, name, kind, action, rollback, estimatedMinutes, verification }) => ({
      id,
      name,
      kind,
      action,
      rollback,
      estimatedMinutes,
      ...(verification ? { verification: true } : {}),
    })),
    ...(dto.ciUpdates?.length ? { ciUpdates: dto.ciUpdates.map((u) => ({ ...u })) } : {}),
  };
}

/** Rules beyond field types: step actions, unique ids, CMDB updates only for the change's CIs. */
export function planProblemsOf(plan: ImplementationPlanDto, cis: string[]): PlanProblem[] {
  const problems = planProblems(plan.steps);
  (plan.ciUpdates ?? []).forEach((update, index) => {
    if (!cis.includes(update.ci)) problems.push({ field: `plan.ciUpdates.${index}.ci`, message: `${update.ci} is not one of the change's cis` });
  });
  return problems;
}
