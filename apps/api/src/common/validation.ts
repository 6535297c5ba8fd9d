import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Flattens class-validator's tree into one line per violated field, named by its full path. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`${error.property} `) ? `${field}${message.slice(error.property.length)}` : `${field}: ${message}`,
    }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

export function invalidFields(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException({
    message: problems.map((p) => (p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`)).join('; '),
    details: problems,
  });
}

/** Whitelist, refuse unknown fields, transform to DTO classes; every violation named. */
export function stewardValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    // One message per field: the first rule it breaks, not every rule an empty value breaks.
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidFields(fieldProblems(errors)),
  });
}
