/** Typed domain errors, mapped to status and page by the one error handler. */
export class DomainError extends Error {
  status = 400;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that no form of ours sends (an id that is not a number, an impossible date, a malformed body): 400. */
export class BadRequestError extends DomainError {
  status = 400;
  constructor(
    message: string,
    /** The fields that did not fit, when known (the integration API lists them). */
    public readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A body in a format no route reads (JSON, plain text where a form is expected): 415. */
export class UnsupportedMediaTypeError extends DomainError {
  status = 415;
}

export class NotFoundError extends DomainError {
  status = 404;
}

export class PermissionDeniedError extends DomainError {
  status = 403;
}

export class ValidationError extends DomainError {
  status = 422;
  constructor(
    message: string,
    public readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {
  status = 409;
}

/** A tenant query was attempted outside a tenant context: a programming error, never user input. */
export class TenantContextError extends Error {
  constructor(message = 'Consulta a dados de ente fora de um contexto de ente') {
    super(message);
    this.name = 'TenantContextError';
  }
}
