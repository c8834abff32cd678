import type { Context } from 'hono';
import type { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { ConflictError, InvalidValueError, NotFoundError, PreconditionError, VersionMismatchError, type DomainError } from '../domain/errors.js';

export type FieldError = { index: number | null; field: string; message: string };

/** An error the API answers with `{error: {code, message}}` (and `errors[]` when it has field errors). */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A domain refusal as the API answers it: missing → 404, conflicting → 409, not ready → 400, unacceptable → 422. */
export function fromDomainError(err: DomainError): ApiError {
  if (err instanceof VersionMismatchError) return new ApiError(412, err.code, err.message);
  if (err instanceof InvalidValueError) return new ApiError(422, err.code, err.message, [{ index: null, field: err.field, message: err.reason }]);
  const status = err instanceof NotFoundError ? 404 : err instanceof ConflictError ? 409 : err instanceof PreconditionError ? 400 : 422;
  return new ApiError(status, err.code, err.message);
}

/** The one answer to a body that is not JSON, whether requireJson or a route's media-type check refuses it. */
export const unsupportedMediaType = () => new ApiError(415, 'unsupported_media_type', 'Request bodies must be JSON (Content-Type: application/json).');

/**
 * Hono's own refusals: a body it cannot parse (400), or, on a route that takes a body, one of
 * another media type (415, zod-openapi's check; an empty one gets past requireJson). Their messages
 * are safe and specific.
 */
export function fromHttpException(err: HTTPException): ApiError {
  if (err.status === 415) return unsupportedMediaType();
  return new ApiError(err.status, 'invalid_request', err.status === 400 ? 'The request body is not valid JSON.' : err.message || 'The request is invalid.');
}

export function errorBody(err: ApiError) {
  return {
    error: { code: err.code, message: err.message },
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export function respondError(c: Context, err: ApiError) {
  for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
  return c.json(errorBody(err), err.status);
}

/**
 * Paths whose first segment is an array (`leads.3.email`) report the element's index separately,
 * so a bulk caller can find the bad item.
 */
export function toFieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    const indexed = issue.path.length >= 2 && typeof issue.path[1] === 'number';
    return {
      index: indexed ? (issue.path[1] as number) : null,
      field: (indexed ? path.slice(2) : path).join('.') || path.join('.'),
      message: issue.message,
    };
  });
}

/**
 * Wrong types and missing fields are a malformed request (400); a well-formed request whose values
 * break a rule (a bad email, a step-number gap, a limit) fails validation (422).
 */
export function validationError(error: ZodError, target: string): ApiError {
  // Only the body's own shape counts as malformed; a bad value inside an item (a lead, a step) is
  // that item failing validation, reported by index.
  const malformed = error.issues.some(
    (i) => i.path.length <= 1 && (i.code === 'invalid_type' || i.code === 'unrecognized_keys' || i.code === 'invalid_union'),
  );
  const errors = toFieldErrors(error);
  const first = errors[0];
  const where = first && first.field ? ` (${first.index !== null ? `[${first.index}] ` : ''}${first.field}: ${first.message})` : '';
  return malformed || target !== 'json'
    ? new ApiError(400, 'invalid_request', `The request ${target === 'json' ? 'body' : target} is invalid${where}.`, errors)
    : new ApiError(422, 'validation_failed', `The request failed validation${where}.`, errors);
}
