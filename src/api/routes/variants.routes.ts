import { createRoute, z } from '@hono/zod-openapi';
import { addVariant } from '../../campaigns/variants.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { IfMatchHeaders, NewVariantSchema, StepSchema, versionOf } from '../schemas/campaigns.js';
import { commonErrors, dataOf, errorResponse, exampleId, jsonBody, jsonResponse } from '../schemas/common.js';

const tags = ['Campaigns'];
const security = [{ bearerAuth: [] }];

const StepParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'The campaign\'s id', example: exampleId('camp') }),
  stepNumber: z.coerce.number().int().min(1).openapi({ param: { name: 'stepNumber', in: 'path' }, description: 'The step, from 1', example: 2 }),
});

const add = createRoute({
  method: 'post',
  path: '/campaigns/{id}/steps/{stepNumber}/variants',
  tags,
  security,
  summary: 'Add a variant to a step, also while the campaign runs',
  description:
    'Adds one version of the step\'s email (an A/B test). Allowed in any status: leads already sent the step keep the variant they got; every lead reaching it from now on is assigned among all variants by weight. A step with one version becomes variant A (its content) plus the new one. A winner chosen by settings.autoOptimize is set aside, so the new variant gets a fair test. At most 5 variants. Bumps the campaign version.',
  request: { params: StepParams, headers: IfMatchHeaders, body: jsonBody(NewVariantSchema) },
  responses: {
    201: jsonResponse(
      dataOf(StepSchema.extend({ campaignVersion: z.number().int().openapi({ description: "The campaign's version after this change: give it as the version you read (ifMatch) with the next change", example: 3 }) })),
      'The step with its variants',
    ),
    ...commonErrors,
    409: errorResponse('`too_many_variants` (5 already) or `variant_exists` (that id is taken)'),
    412: errorResponse('`version_mismatch`: the campaign changed since the If-Match version was read'),
  },
});

export function variantRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter().openapi(add, async (c) => {
    const { id, stepNumber } = c.req.valid('param');
    const { step, version } = await addVariant(services, c.get('workspaceId'), id, stepNumber, c.req.valid('json'), versionOf(c.req.valid('header')['if-match']));
    c.header('ETag', `"${version}"`);
    return c.json({ data: { ...step, campaignVersion: version } }, 201);
  });
}
