import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
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
    });
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

describe('workerNodeOptions', () => {
  it("bounds the worker's heap unless the operator set NODE_OPTIONS", () => {
    expect(workerNodeOptions({})).toBe('--max-old-space-size=512');
    expect(workerNodeOptions({ NODE_OPTIONS: ' ' })).toBe('--max-old-space-size=512');
    expect(workerNodeOptions({ NODE_OPTIONS: '--max-old-space-size=2048' })).toBe('--max-old-space-size=2048');
  });
});
