import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config.js';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/contract.js';

// No Docker engine runs here, so the deployment is checked by reading it.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, any>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** Compose's `${VAR:-default}` as the container would see it with nothing set. */
const resolveDefaults = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

describe('docker-compose.yml', () => {
  it('has every service a production deploy needs', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'migrate', 'postgres', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    for (const s of Object.values(services)) expect(String(s.image ?? '')).not.toMatch(/auto-setup|:latest$/);
  });

  it('builds api, worker and migrate from the Dockerfile with their entry points', () => {
    expect(existsSync('Dockerfile')).toBe(true);
    expect(services.api.command).toEqual(['npm', 'run', 'api']);
    expect(services.worker.command).toEqual(['npm', 'run', 'worker']);
    expect(services.migrate.command).toEqual(['npm', 'run', 'db:migrate']);
    for (const name of ['api', 'worker', 'migrate']) expect(services[name].build).toBe('.');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const script of ['api', 'worker', 'db:migrate']) expect(pkg.scripts[script]).toBeTruthy();
  });

  it('gives the app processes a valid configuration pointing at the compose services', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const env = resolveDefaults(services[name].environment);
      const config = parseConfig(env);
      expect(config.DATABASE_URL).toMatch(/@postgres:5432\/sequent$/);
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(config.TEMPORAL_NAMESPACE).toBe('default');
      expect(config.TEMPORAL_TASK_QUEUE).toBe('sequent');
    }
    expect(services.api.ports).toContain('3000:3000');
    expect(resolveDefaults(services.api.environment).PORT).toBe('3000');
  });

  it('sets up Temporal: schemas, namespace and every search attribute', () => {
    const schemaScript = services['temporal-schema'].command.join('\n');
    expect(schemaScript).toMatch(/setup-schema/);
    expect(schemaScript).toMatch(/temporal_visibility/);
    const setupScript = services['temporal-setup'].command.join('\n');
    for (const key of SEARCH_ATTRIBUTES) expect(setupScript).toContain(key.name);
    expect(setupScript).toMatch(/--type Keyword/);
    expect(services.temporal.ports).toContain('7233:7233');
    expect(services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('orders start-up: migrations and Temporal setup before api and worker', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(services[name].depends_on['temporal-setup'].condition).toBe('service_completed_successfully');
    }
    for (const s of Object.values(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep]).toBeDefined();
    }
    expect(compose.volumes['postgres-data']).toBeDefined();
  });
});
