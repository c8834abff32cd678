import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validationError } from '../../src/api/errors.js';
import { isDependencyUnavailable } from '../../src/api/unavailable.js';

describe('validationError', () => {
  const schema = z.object({ leads: z.array(z.object({ email: z.email() })), name: z.string().min(2) });

  it('is 400 invalid_request for wrong types and missing fields', () => {
    const err = validationError(schema.safeParse({ leads: 'x' }).error!, 'json');
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_request');
  });

  it('is 422 validation_failed for rule violations, naming the index and field', () => {
    const err = validationError(schema.safeParse({ leads: [{ email: 'a@b.co' }, { email: 'nope' }], name: 'x' }).error!, 'json');
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect(err.errors).toEqual(
      expect.arrayContaining([
        { index: 1, field: 'email', message: expect.any(String) },
        { index: null, field: 'name', message: expect.any(String) },
      ]),
    );
  });

  it('is 400 for a bad query or path whatever the rule', () => {
    expect(validationError(z.object({ limit: z.number().max(5) }).safeParse({ limit: 9 }).error!, 'query').status).toBe(400);
  });
});

describe('isDependencyUnavailable', () => {
  it('recognises connection failures through error causes', () => {
    expect(isDependencyUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isDependencyUnavailable(Object.assign(new Error('x'), { code: 14 }))).toBe(true);
    expect(isDependencyUnavailable(new Error('Unique constraint failed'))).toBe(false);
  });

  it("recognises pg's broken pooled client, which carries no code (a nested create while PostgreSQL restarts)", () => {
    expect(isDependencyUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDependencyUnavailable(new Error('Client was closed and is not queryable'))).toBe(true);
  });

  it("looks inside Prisma's errors for the driver's code (PostgreSQL stopping or starting)", () => {
    // The shape PrismaClientKnownRequestError has over @prisma/adapter-pg: the code in meta, not in cause.
    const prisma = (cause: object) =>
      Object.assign(new Error('Invalid `db.apiKey.findUnique()` invocation'), {
        code: 'P2010',
        meta: { driverAdapterError: Object.assign(new Error(String((cause as { kind: string }).kind)), { name: 'DriverAdapterError', cause }) },
      });
    expect(isDependencyUnavailable(prisma({ kind: 'postgres', originalCode: '57P01', originalMessage: 'terminating connection due to administrator command' }))).toBe(true);
    expect(isDependencyUnavailable(prisma({ kind: 'postgres', originalCode: '57P03', originalMessage: 'the database system is starting up' }))).toBe(true);
    expect(isDependencyUnavailable(prisma({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBe(true);
    expect(isDependencyUnavailable(prisma({ kind: 'UniqueConstraintViolation', originalCode: '23505' }))).toBe(false);
  });
});
