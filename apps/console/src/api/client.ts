import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type ChangeView = Schemas['ChangeView'];
export type DemoUser = Schemas['DemoUserView'];
export type Principal = Schemas['PrincipalView'];
export type Decision = Schemas['DecisionDto']['decision'];

export type ApprovalRecord = Schemas['ApprovalView'];
export type RuleProgress = Schemas['RuleProgressView'];
export type RiskFactor = Schemas['RiskFactorView'];
export type PolicyRef = Schemas['PolicyRefView'];
export type PlanStep = Schemas['PlanStepView'];

/** The API's one error shape; `message` is shown to the user exactly as the API words it. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let bearer: string | undefined;
export function useBearer(token: string | undefined): void {
  bearer = token;
}

const authenticate: Middleware = {
  onRequest({ request }) {
    if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(authenticate);

/** The data of an openapi-fetch answer, or an ApiRefusal carrying the API's own message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const error = result.error as { message?: unknown } | undefined;
  const message = Array.isArray(error?.message) ? error.message.join('; ') : typeof error?.message === 'string' ? error.message : `${result.response.status} ${result.response.statusText}`;
  throw new ApiRefusal(result.response.status, message);
}
