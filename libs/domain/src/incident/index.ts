/*
 * Incident rules: classification, escalation plans, SLA clocks and business calendars. Pure and
 * deterministic, with no zone data and no I/O, so the incident workflow imports them directly.
 */
export type { ClassifyIncidentInput, Impact, ImpactRaisingRule, IncidentClassification, Priority, ServiceImpactFacts, Urgency } from './priority';
export { DEFAULT_IMPACT_RULES, PRIORITIES, PRIORITY_MATRIX, classifyIncident, describeImpactRule, impactRuleProblems, isMajorPriority, priorityFor } from './priority';
export type { EscalationLevel, EscalationNotification, EscalationPolicy } from './escalation';
export { MAX_ESCALATION_REPEAT, escalationPlan, escalationPolicyProblems, escalationStepAt, nextEscalationStep } from './escalation';
export type { BusinessCalendar, BusinessHours, Weekday } from './business-calendar';
export { BUSINESS_DAY_MS, HOUR_MS, STANDARD_BUSINESS_CALENDAR, addBusinessMs, businessCalendarProblems, businessMsBetween, isBusinessTime } from './business-calendar';
export type { SlaClock, SlaPause, SlaTarget, SlaTargetKind, SlaTargets, StartClockInput } from './sla-clock';
export type { BlameFinding, ReviewText } from './review';
export { blameFindings } from './review';
export { DEFAULT_SLA_TARGETS, breached, dueAt, elapsed, isPaused, pause, pausedMs, remaining, resume, retarget, slaTargetFor, startClock, stop } from './sla-clock';
export { slaClockView } from './sla-clock-view';
export type { CarriedIncidentState, IncidentCarriedState, IncidentCaseFacts, IncidentStart } from './incident-case';
export { IncidentCase, SLA_KINDS } from './incident-case';
export { formatIncidentId, isIncidentId } from './incident-number';
export type { SlaDefinitionFacts, SlaTerms } from './sla-terms';
export { DEFAULT_SLA_SCOPE, slaTermsFor } from './sla-terms';
export type { ChangeFailureFacts } from './failed-change-incident';
export { FAILED_CHANGE_IMPACT, FAILED_CHANGE_URGENCY, PRODUCTION_ENVIRONMENT, failedChangeIncident, failedChangeService } from './failed-change-incident';
