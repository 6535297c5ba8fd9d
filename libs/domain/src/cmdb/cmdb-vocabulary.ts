/**
 * The lifecycle status of a configuration item: one list for the API's validators, the entity
 * (and its check constraint) and the CI updates a change plan carries.
 */
export const CI_STATUSES = ['planned', 'active', 'maintenance', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];
