import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAIL_FROM, parseConfig, parseStartupConfig } from '../../src/config.js';
import { workerNodeOptions } from '../../src/worker/heap.js';

describe('parseConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    expect(parseConfig({})).toMatchObject({
      PORT: 3000,
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      DATA_DIR: './.data',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'sequent',
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_PRIVATE_URLS: false,
      WORKER_CACHED_WORKFLOWS: 250,
      EVENT_RETENTION_DAYS: 30,
    });
    expect(parseConfig({}).SECRET_ENCRYPTION_KEY).toBeUndefined();
    expect(parseConfig({}).DATABASE_URL).toBeUndefined();
    expect(parseConfig({}).RESEND_API_KEY).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_UI_PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233'],
    ['LOG_LEVEL', 'verbose'],
    ['RESEND_BASE_URL', 'not a url'],
    ['BOOTSTRAP_API_KEY', 'sk_test_123'],
    ['ADMIN_TOKEN', 'short'],
    ['WEBHOOK_ALLOW_PRIVATE_URLS', 'yes'],
    ['WORKER_CACHED_WORKFLOWS', '-1'],
    ['WORKER_CACHED_WORKFLOWS', 'many'],
    ['EVENT_RETENTION_DAYS', '29'],
    ['EVENT_RETENTION_DAYS', 'forever'],
    ['SECRET_ENCRYPTION_KEY', 'too-short'],
    ['SECRET_ENCRYPTION_KEY', 'ab'.repeat(31)],
  ])('refuses a bad %s and names it', (name, value) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
  });

  it('treats empty strings as unset', () => {
    const config = parseConfig({ RESEND_API_KEY: '', DATABASE_URL: ' ' });
    expect(config.RESEND_API_KEY).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });
});

describe('parseStartupConfig', () => {
  const refusal = (env: Record<string, string | undefined>) => {
    try {
      parseStartupConfig(env);
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('refuses RESEND_API_KEY with the default MAIL_FROM, naming both and what to set', () => {
    for (const env of [{ RESEND_API_KEY: 're_123' }, { RESEND_API_KEY: 're_123', MAIL_FROM: DEFAULT_MAIL_FROM }]) {
      const error = refusal(env);
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('MAIL_FROM');
      expect(message).toContain('RESEND_API_KEY');
      expect(message).toContain('sequent@localhost');
      expect(message).toMatch(/verified in Resend/);
    }
  });

  it('refuses any localhost sender with Resend', () => {
    expect(refusal({ RESEND_API_KEY: 're_123', MAIL_FROM: 'me@LOCALHOST' })).toBeInstanceOf(ConfigError);
    expect(refusal({ RESEND_API_KEY: 're_123', MAIL_FROM: 'Dev <dev@app.localhost>' })).toBeInstanceOf(ConfigError);
  });

  it('accepts Resend with a real sender, and the default sender without Resend', () => {
    expect(parseStartupConfig({ RESEND_API_KEY: 're_123', MAIL_FROM: 'Acme <sales@acme.com>' }).MAIL_FROM).toBe('Acme <sales@acme.com>');
    expect(parseStartupConfig({ RESEND_API_KEY: 're_123', MAIL_FROM: 'sales@localhost.acme.com' }).RESEND_API_KEY).toBe('re_123');
    expect(parseStartupConfig({}).MAIL_FROM).toBe(DEFAULT_MAIL_FROM);
    expect(parseStartupConfig({ RESEND_API_KEY: ' ' }).MAIL_FROM).toBe(DEFAULT_MAIL_FROM);
  });

  it('leaves parseConfig alone: tests build partial configurations with it', () => {
    expect(parseConfig({ RESEND_API_KEY: 're_123' }).MAIL_FROM).toBe(DEFAULT_MAIL_FROM);
  });

  it('still names a bad single value', () => {
    expect((refusal({ PORT: 'abc' }) as ConfigError).message).toContain('PORT');
  });
});

describe('workerNodeOptions', () => {
  it("bounds the worker's heap unless the operator set NODE_OPTIONS", () => {
    expect(workerNodeOptions({})).toBe('--max-old-space-size=512');
    expect(workerNodeOptions({ NODE_OPTIONS: ' ' })).toBe('--max-old-space-size=512');
    expect(workerNodeOptions({ NODE_OPTIONS: '--max-old-space-size=2048' })).toBe('--max-old-space-size=2048');
  });
});
