import { getOpenApiMetadata } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

type Node = z.ZodType & { _zod: { def: Record<string, unknown> } };

/** The schemas a node wraps or holds, for the kinds the API's request schemas use. */
function childrenOf(node: Node): unknown[] {
  const def = node._zod.def;
  switch (def.type) {
    case 'object':
      return Object.values(def.shape as Record<string, unknown>);
    case 'array':
      return [def.element];
    case 'record':
      return [def.valueType];
    case 'union':
      return def.options as unknown[];
    case 'pipe':
      return [def.in, def.out];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return [def.innerType];
    default:
      return [];
  }
}

/**
 * The REST schemas carry their descriptions and examples as OpenAPI metadata, which the MCP SDK's
 * JSON Schema conversion (zod's own, reading zod's global registry) does not see. This copies them
 * to zod's registry for every schema under `schema`, so a tool's arguments read as the REST
 * document does: one source, both surfaces. Schemas that already have zod metadata keep it.
 */
export function exposeDescriptions(schema: unknown, seen = new Set<unknown>()): void {
  if (!(schema instanceof z.ZodType) || seen.has(schema)) return;
  seen.add(schema);
  const node = schema as Node;
  const meta = getOpenApiMetadata(node) as { description?: string; example?: unknown; param?: { description?: string } };
  const description = meta.description ?? meta.param?.description;
  if (description && !z.globalRegistry.has(node)) {
    z.globalRegistry.add(node, { description, ...(meta.example !== undefined ? { examples: [meta.example] } : {}) });
  }
  for (const child of childrenOf(node)) exposeDescriptions(child, seen);
}
