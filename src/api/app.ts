import { OpenAPIHono } from '@hono/zod-openapi';
import { consoleRoutes } from './console.js';
import { docsRoutes } from './docs.js';
import { HTTPException } from 'hono/http-exception';
import { type AppDeps, type AppEnv } from './context.js';
import { DomainError } from '../domain/errors.js';
import { ApiError, errorBody, fromDomainError, fromHttpException, respondError } from './errors.js';
import { idempotency } from './idempotency.js';
import { API_DESCRIPTION, API_TAGS } from './openapi-info.js';
import { rejectUnknownQuery } from './query-params.js';
import { mcpHandler } from './mcp.js';
import { limitBody, requestContext, requireAdminToken, requireApiKey, requireJson, requireScope } from './middleware.js';
import { adminRoutes } from './routes/admin.routes.js';
import { apiKeyRoutes } from './routes/api-keys.routes.js';
import { guideRoutes } from './routes/guide.routes.js';
import { campaignRoutes } from './routes/campaigns.routes.js';
import { statsRoutes } from './routes/stats.routes.js';
import { variantRoutes } from './routes/variants.routes.js';
import { dryRunRoutes } from './routes/dry-run.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { leadRoutes } from './routes/leads.routes.js';
import { providerEventRoutes } from './routes/provider-events.routes.js';
import { replyRoutes } from './routes/replies.routes.js';
import { senderRoutes } from './routes/senders.routes.js';
import { unsubscribeRoutes } from './routes/unsubscribe.routes.js';
import { webhookRoutes } from './routes/webhooks.routes.js';
import { workspaceRoutes } from './routes/workspace.routes.js';
import { isDependencyUnavailable } from './unavailable.js';
import { rateLimit, TokenBuckets } from './rate-limit.js';
import { apiRateLimitOf } from '../config.js';

export type { AppDeps } from './context.js';

/** Builds the whole HTTP API over injected dependencies; `server.ts` only binds it to a port. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestContext(deps.logger));
  app.route('/', healthRoutes(deps));
  app.use('/u/*', limitBody(16 * 1024));
  app.route('/', unsubscribeRoutes(deps));

  // Signed by Resend, not called with an API key: registered before the /v1 key check.
  app.use('/v1/providers/*', limitBody(1024 * 1024), requireJson);
  app.route('/', providerEventRoutes(deps));
  // Per key, after authentication (the key is known) and before any other work; no I/O.
  const limits = apiRateLimitOf(deps.config);
  const perKey = limits ? [rateLimit(new TokenBuckets(limits.ratePerSecond, limits.burst, deps.clock))] : [];
  app.use('/v1/*', limitBody(), requireJson, requireApiKey(deps.db), ...perKey, requireScope, rejectUnknownQuery(app.openAPIRegistry), idempotency(deps.db));
  app.route('/v1', campaignRoutes(deps));
  app.route('/v1', statsRoutes(deps));
  app.route('/v1', variantRoutes(deps));
  app.route('/v1', dryRunRoutes(deps));
  app.route('/v1', leadRoutes(deps));
  app.route('/v1', senderRoutes(deps));
  app.route('/v1', workspaceRoutes(deps));
  app.route('/v1', replyRoutes(deps));
  app.route('/v1', webhookRoutes(deps));
  app.route('/v1', apiKeyRoutes(deps));
  app.route('/v1', guideRoutes());

  // MCP over Streamable HTTP: the envelope is authenticated and rate-limited like any call, and each
  // tool call inside it is a /v1 request with the same key (so it counts again).
  app.use('/mcp', limitBody(), requireApiKey(deps.db), ...perKey);
  app.all('/mcp', mcpHandler(app));

  app.use('/admin/*', requireAdminToken(deps.config.ADMIN_TOKEN), limitBody(64 * 1024), requireJson);
  app.route('/admin', adminRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A workspace API key: `sk_live_…`',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token from ADMIN_TOKEN',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Sequent API',
      version: '1.0.0',
      description: API_DESCRIPTION,
    },
    tags: API_TAGS,
  });
  app.route('/docs', docsRoutes());
  app.route('/', consoleRoutes());

  app.notFound((c) => c.json(errorBody(new ApiError(404, 'not_found', 'No route matches this request.')), 404));

  app.onError((err, c) => {
    if (err instanceof ApiError) return respondError(c, err);
    if (err instanceof DomainError) return respondError(c, fromDomainError(err));
    if (err instanceof HTTPException && err.status < 500) return respondError(c, fromHttpException(err));
    const requestId = c.get('requestId');
    if (isDependencyUnavailable(err)) {
      deps.logger.warn({ requestId, err }, 'dependency unavailable');
      c.header('Retry-After', '5');
      return c.json(errorBody(new ApiError(503, 'unavailable', 'A dependency is unavailable; retry shortly.')), 503);
    }
    deps.logger.error({ requestId, err }, 'unhandled error');
    return c.json(
      errorBody(new ApiError(500, 'internal_error', `Something went wrong on our side (request ${requestId}).`)),
      500,
    );
  });

  return app;
}
