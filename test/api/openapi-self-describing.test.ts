import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { testDeps } from '../helpers/deps.js';
import { auditDocument, type Document, type Schema } from './openapi-audit.js';

/**
 * An agent given only /openapi.json must be able to use the API: every operation says what it does,
 * every parameter and every property of every schema says what it means and shows a value. This
 * walks the app's own document, so a field added without a description fails here.
 */

describe('a self-describing OpenAPI document', () => {
  it('finds what is missing wherever the schema hides it', () => {
    const audit = auditDocument({
      paths: {
        '/things/{id}': {
          post: {
            summary: 'Make a thing',
            parameters: [{ name: 'id', in: 'path', schema: { example: 'x' } }],
            requestBody: { content: { 'application/json': { schema: { properties: { inline: { description: 'fine', example: 1 }, bare: { example: 2 } } } } } },
            responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
          },
        },
      },
      components: {
        schemas: {
          Thing: {
            description: 'A thing',
            properties: {
              parts: { description: 'Its parts', items: { properties: { size: { example: 3 } } } },
              tags: { description: 'Its tags', additionalProperties: { properties: { note: { description: 'A note' } } } },
              either: { anyOf: [{ $ref: '#/components/schemas/Part' }, { type: 'null' }] },
              kind: { description: 'Either `a` or b', enum: ['a', 'b'], example: 'a' },
              whole: { description: 'Exemplified as a whole', example: { inner: 1 }, properties: { inner: { description: 'Covered by the whole' } } },
            },
          },
          Part: { allOf: [{ properties: { weight: { description: 'Grams' } } }] },
        },
      },
    });
    expect(audit.missing.operations).toEqual(['POST /things/{id}: description']);
    expect(audit.missing.parameters).toEqual(['POST /things/{id} path id: description']);
    expect(audit.missing.descriptions.sort()).toEqual(['POST /things/{id} request application/json.bare', 'Thing.either', 'Thing.parts[].size'].sort());
    expect(audit.missing.examples.sort()).toEqual(['Part.weight', 'Thing.tags', 'Thing.tags{}.note'].sort());
    expect(audit.missing.enumValues).toEqual(['Thing.kind: b']);
  });

  it('documents every operation, parameter and property of /openapi.json', async () => {
    const res = await createApp(testDeps()).request('/openapi.json');
    expect(res.status).toBe(200);
    const audit = auditDocument((await res.json()) as Document);
    // The walk must reach the whole API, not pass by walking nothing.
    expect(audit.counts.operations).toBeGreaterThanOrEqual(34);
    expect(audit.counts.parameters).toBeGreaterThanOrEqual(50);
    expect(audit.counts.properties).toBeGreaterThanOrEqual(250);
    // One assertion, so a failure lists every gap at once.
    expect(audit.missing, 'what an agent reading /openapi.json would miss').toEqual({
      operations: [], // without a summary or description
      parameters: [], // without a description or example
      descriptions: [], // properties without a description
      examples: [], // leaf properties without an example, on them or on an enclosing object
      enumValues: [], // enum values the description does not name in backticks
    });
  });

  it('explains what agents most often get wrong: tokens, delays, company stops, metrics', async () => {
    const doc = (await (await createApp(testDeps()).request('/openapi.json')).json()) as Document;
    const schemas = doc.components?.schemas ?? {};
    const described = (schema: Schema | undefined, property: string) => schema?.properties?.[property]?.description ?? '';
    const stepInput = schemas.CreateCampaign?.properties?.sequenceSteps?.items;
    for (const field of ['subject', 'bodyHtml']) {
      expect(described(stepInput, field)).toContain('{{firstName}}');
      expect(described(stepInput, field)).toContain('{{firstName|there}}');
      expect(described(stepInput, field)).toMatch(/custom field/);
    }
    expect(described(stepInput, 'delayDays')).toMatch(/after the previous step was sent, or for step 1 after the lead starts/);
    expect(described(schemas.CampaignSettings, 'stopCompanyOnReply')).toMatch(/same domain/);
    const metrics: Record<string, Schema> = schemas.CampaignStats?.properties?.metrics?.properties ?? {};
    expect(Object.keys(metrics).sort()).toEqual(['bounced', 'complained', 'delivered', 'queued', 'replied', 'replyRate', 'sent']);
    expect(metrics.replyRate?.description).toMatch(/replied \/ delivered/);
    expect(doc.info?.description).toMatch(/Idempotency-Key/);
  });
});
