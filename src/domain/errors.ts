/**
 * What the domain refuses, in its own words; only the API's error handler turns these into HTTP
 * statuses and codes (src/api/errors.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** Things a caller names by id or address; each has its `<thing>_not_found` code. */
export type Thing = 'campaign' | 'step' | 'lead' | 'sender_account' | 'webhook' | 'workspace' | 'api_key' | 'suppressed_address';

const LABEL: Record<Thing, string> = {
  campaign: 'Campaign',
  step: 'Step',
  lead: 'Lead',
  sender_account: 'Sender account',
  webhook: 'Webhook',
  workspace: 'Workspace',
  api_key: 'API key',
  suppressed_address: 'Suppressed address',
};

/** It does not exist — or belongs to another workspace, which a caller cannot tell apart. */
export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(
    readonly thing: Thing,
    message = `${LABEL[thing]} not found.`,
  ) {
    super(message);
    this.name = 'NotFoundError';
    this.code = `${thing}_not_found`;
  }
}

/** The request contradicts the current state (a step change outside draft, a sender that exists). */
export class ConflictError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The request is well formed but its target is not ready for it (start without steps or leads). */
export class PreconditionError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PreconditionError';
  }
}

/** A value that is well formed but not acceptable (a webhook URL that resolves to a private address). */
export class InvalidValueError extends DomainError {
  readonly code = 'validation_failed';
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidValueError';
  }
}

/** An `If-Match` named a version the thing no longer has: someone changed it since it was read. */
export class VersionMismatchError extends DomainError {
  readonly code = 'version_mismatch';
  constructor(
    readonly expected: number,
    readonly current: number,
  ) {
    super(`The campaign is at version ${current}, not ${expected}: it changed since it was read. GET it again, then retry with If-Match: "${current}".`);
    this.name = 'VersionMismatchError';
  }
}
