/** Typed domain errors, mapped to status and page by the one error handler. */
export class DomainError extends Error {
  status = 400;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A refusal that can name the fields it is about (a form shows each message beside its field; the API lists them). */
export abstract class FieldsError extends DomainError {
  constructor(
    message: string,
    public readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Input that no form of ours sends (an id that is not a number, an impossible date, a malformed body): 400. */
export class BadRequestError extends FieldsError { status = 400; }

/** A body in a format no route reads (JSON, plain text where a form is expected): 415. */
export class UnsupportedMediaTypeError extends DomainError { status = 415; }

/** Nothing there, or nothing the user may know is there: 404. */
export class NotFoundError extends DomainError { status = 404; }

/** Known to exist, not for this user: 403. */
export class PermissionDeniedError extends DomainError { status = 403; }

/** Input a form may send that a rule refuses: 422, the form shown again with the messages. */
export class ValidationError extends FieldsError { status = 422; }

/** The state changed under the request (taken, already done, no longer open): 409. */
export class ConflictError extends DomainError { status = 409; }

/** A tenant query was attempted outside a tenant context: a programming error, never user input. */
export class TenantContextError extends Error {
  constructor(message = 'Consulta a dados de ente fora de um contexto de ente') {
    super(message);
    this.name = 'TenantContextError';
  }
}
