import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Constraints that say a value has the wrong type. When a field breaks one of them, that is the
 * problem to name: "timeline must be an array", not what its length rule makes of a string.
 */
const TYPE_CONSTRAINTS = [
  'isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isIn', 'isEnum', 'isDateString', 'isISO8601', 'isDate', 'nestedValidation',
];

/** The one message a field gets: its type problem if it has one, else the first rule it breaks. */
function messageOf(constraints: Record<string, string>): string | undefined {
  const type = TYPE_CONSTRAINTS.find((name) => constraints[name] !== undefined);
  return type ? constraints[type] : Object.values(constraints)[0];
}

/** Flattens class-validator's tree into one line per violated field, named by its full path. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = messageOf(error.constraints ?? {});
    const own = message === undefined
      ? []
      : [{ field, message: message.startsWith(`${error.property} `) ? `${field}${message.slice(error.property.length)}` : `${field}: ${message}` }];
    // A field of the wrong type has no meaningful children to report.
    const typeWrong = TYPE_CONSTRAINTS.some((name) => error.constraints?.[name] !== undefined);
    return [...own, ...(typeWrong ? [] : fieldProblems(error.children ?? [], field))];
  });
}

/** Swagger's record of a DTO property, which says whether `null` is one of its values. */
function declaredNullable(target: object, property: string): boolean {
  const meta = Reflect.getMetadata('swagger/apiModelProperties', Object.getPrototypeOf(target), property) as { nullable?: boolean } | undefined;
  return meta?.nullable === true;
}

/**
 * `@IsOptional()` lets `null` through as well as a missing field, and a column that may not be
 * null then answers 500. Null is a value only where the DTO declares it nullable; free-form
 * objects (plain `attributes`, `data`) are the caller's own JSON and are left alone.
 */
export function nullProblems(value: unknown, parent = ''): FieldProblem[] {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) === Object.prototype) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nullProblems(item, `${parent}[${i}]`));
  return Object.entries(value as Record<string, unknown>).flatMap(([property, item]) => {
    const field = parent ? `${parent}.${property}` : property;
    if (item === null) return declaredNullable(value, property) ? [] : [{ field, message: `${field} must not be null` }];
    return nullProblems(item, field);
  });
}

export function invalidFields(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException({
    message: problems.map((p) => (p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`)).join('; '),
    details: problems,
  });
}

/**
 * PostgreSQL stores no NUL character in text (and none in jsonb strings): a string carrying one
 * would end as a 500 at the database. It is refused at the edge, wherever it sits.
 */
export function nulProblems(value: unknown, parent = ''): FieldProblem[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [{ field: parent || 'value', message: `${parent || 'value'} must not contain NUL characters` }] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const field = parent ? `${parent}.${key}` : key;
    if (key.includes('\u0000')) return [{ field: parent || 'value', message: `${parent || 'value'} must not contain NUL characters` }];
    return nulProblems(item, field);
  });
}

/** The global pipe: NUL characters refused, class-validator, then the refusal of nulls nobody declared. */
class StewardValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const nul = nulProblems(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    if (nul.length > 0) throw invalidFields(nul);
    const dto = await super.transform(value, metadata);
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = nullProblems(dto);
      if (problems.length > 0) throw invalidFields(problems);
    }
    return dto;
  }
}

/** Whitelist, refuse unknown fields, transform to DTO classes; every violated field named once. */
export function stewardValidationPipe(): ValidationPipe {
  return new StewardValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidFields(fieldProblems(errors)),
  });
}
