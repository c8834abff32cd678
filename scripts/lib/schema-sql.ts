/**
 * The SQL that creates, from nothing, the database `prisma/schema.prisma` describes, computed by
 * Prisma's own schema engine (its WebAssembly build, which needs no download). Used to write
 * migrations offline and by the drift test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);
// Exported at runtime but missing from the package's type declarations.
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils') as {
  bindMigrationAwareSqlAdapterFactory: (factory: unknown) => unknown;
};

let loaded: Promise<void> | undefined;

// The wasm-bindgen glue imports the .wasm as an ES module, which Node 20 cannot; instantiate it by hand.
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
      message: '',
      set_message(this: { message: string }, message: string) {
        this.message = message;
      },
    };
    const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = await wasm.instantiate(await wasm.compile(readFileSync(wasmPath)), { './schema_engine_bg.js': bg });
    const glue = bg as unknown as { __wbg_set_wasm(exports: unknown): void };
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  })();
  return loaded;
}

/** `connectionString`: any reachable PostgreSQL; the engine connects but this diff changes nothing. */
export async function schemaToSql(schemaPath: string, connectionString: string): Promise<string> {
  await loadWasm();
  const schema = readFileSync(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }));
  const engine = await (bg as unknown as { SchemaEngine: { new: (...args: unknown[]) => Promise<SchemaEngine> } }).SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    adapter,
  );
  const result = await engine.diff({
    from: { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout;
}

// @types/node 20 does not declare the WebAssembly global.
type WasmApi = {
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(module: unknown, imports: Record<string, unknown>): Promise<{ exports: unknown }>;
};
type SchemaEngine = { diff(params: unknown): Promise<{ stdout: string; exitCode: number | null }> };
