/** Walks an OpenAPI 3.1 document for what an agent reading it would miss (see openapi-self-describing.test.ts). */

export type Schema = {
  $ref?: string;
  type?: unknown;
  description?: string;
  example?: unknown;
  examples?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
};
type Parameter = { name: string; in: string; description?: string; example?: unknown; examples?: unknown; schema?: Schema };
type Media = Record<string, { schema?: Schema }>;
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Media };
  responses?: Record<string, { content?: Media }>;
};
export type Document = { info?: { description?: string }; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

export type Audit = {
  counts: { operations: number; parameters: number; properties: number };
  missing: { operations: string[]; parameters: string[]; descriptions: string[]; examples: string[]; enumValues: string[] };
};

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const filled = (text: unknown) => typeof text === 'string' && text.trim() !== '';

/** Walks a document: operations, their parameters, and every property reachable from a schema. */
export function auditDocument(doc: Document): Audit {
  const components = doc.components?.schemas ?? {};
  const audit: Audit = { counts: { operations: 0, parameters: 0, properties: 0 }, missing: { operations: [], parameters: [], descriptions: [], examples: [], enumValues: [] } };
  const walked = new Set<string>();

  const resolve = (node: Schema): Schema => {
    const name = node.$ref?.replace('#/components/schemas/', '');
    return name !== undefined ? (components[name] ?? {}) : node;
  };
  // A node and what it stands for: its $ref target, its allOf/anyOf/oneOf members (a nullable or
  // annotated reference is one of those), one level deep each.
  const facets = (node: Schema, depth = 0): Schema[] => {
    if (depth > 4) return [node];
    const members = [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])];
    return [node, ...(node.$ref ? facets(resolve(node), depth + 1) : []), ...members.flatMap((m) => facets(m, depth + 1))];
  };
  const described = (node: Schema) => facets(node).some((f) => filled(f.description));
  const exemplified = (node: Schema) => facets(node).some((f) => f.example !== undefined || f.examples !== undefined);
  const texts = (node: Schema) => [...facets(node), ...(node.items ? facets(node.items) : [])].map((f) => f.description ?? '').join('\n');
  const enumOf = (node: Schema) => [...facets(node), ...(node.items ? facets(node.items) : [])].flatMap((f) => f.enum ?? []).filter((v): v is string => typeof v === 'string');
  // Objects and arrays of objects are checked leaf by leaf; an example is asked of the leaves.
  const isContainer = (node: Schema): boolean =>
    facets(node).some((f) => f.properties !== undefined || (f.items !== undefined && isContainer(f.items)));

  function checkProperty(where: string, node: Schema, covered: boolean) {
    audit.counts.properties++;
    if (!described(node)) audit.missing.descriptions.push(where);
    if (!covered && !exemplified(node) && !isContainer(node)) audit.missing.examples.push(where);
    const text = texts(node);
    const unexplained = enumOf(node).filter((value) => !text.includes(`\`${value}\``));
    if (unexplained.length > 0) audit.missing.enumValues.push(`${where}: ${unexplained.join(', ')}`);
  }

  function walk(where: string, node: Schema | undefined, covered: boolean) {
    if (!node) return;
    if (node.$ref) return walkComponent(node.$ref.replace('#/components/schemas/', ''));
    const inner = covered || exemplified(node);
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      const at = `${where}.${name}`;
      checkProperty(at, property, inner);
      walk(at, property, inner || exemplified(property));
    }
    for (const member of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(where, member, inner);
    if (node.items) walk(`${where}[]`, node.items, inner);
    if (typeof node.additionalProperties === 'object') walk(`${where}{}`, node.additionalProperties, inner);
  }

  function walkComponent(name: string) {
    if (walked.has(name)) return;
    walked.add(name);
    walk(name, components[name], false);
  }

  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      const id = `${method.toUpperCase()} ${path}`;
      audit.counts.operations++;
      const lacks = [!filled(op.summary) && 'summary', !filled(op.description) && 'description'].filter(Boolean);
      if (lacks.length > 0) audit.missing.operations.push(`${id}: ${lacks.join(', ')}`);
      for (const p of op.parameters ?? []) {
        audit.counts.parameters++;
        const example = p.example !== undefined || p.examples !== undefined || (p.schema !== undefined && exemplified(p.schema));
        const gaps = [!filled(p.description) && 'description', !example && 'example'].filter(Boolean);
        if (gaps.length > 0) audit.missing.parameters.push(`${id} ${p.in} ${p.name}: ${gaps.join(', ')}`);
        const values = p.schema ? enumOf(p.schema) : [];
        const unexplained = values.filter((v) => !`${p.description ?? ''}\n${p.schema ? texts(p.schema) : ''}`.includes(`\`${v}\``));
        if (unexplained.length > 0) audit.missing.enumValues.push(`${id} ${p.in} ${p.name}: ${unexplained.join(', ')}`);
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) walk(`${id} request ${type}`, media.schema, false);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(response.content ?? {})) walk(`${id} ${status} ${type}`, media.schema, false);
      }
    }
  }
  for (const name of Object.keys(components)) walkComponent(name);
  return audit;
}
