// Benchmark Worker for the gateway-health scenario: answers every request with what GET /health
// answers (the gateway's security headers, Vary, a fresh correlation id, the JSON body with the
// time), built by the gateway's own response code, and does nothing else: no routing, no
// middleware, no configuration. Between the bare Worker and the gateway, it shows how much of the
// gateway's cost is the response the API has to send and how much is the chain that decides it.
// Bundled by scripts/bench/lib/bundle.ts; not part of the deployed Worker.
import { isoNow } from '../../../shared/clock.ts';
import { buildJsonResponse, GatewayHeaders } from '../../../shared/http/response-headers.ts';

export default {
  fetch(): Response {
    return buildJsonResponse(JSON.stringify({ status: 'ok', time: isoNow() }), 200, new GatewayHeaders(crypto.randomUUID()));
  },
};
