// Stands in for the Queues service behind a queue producer binding on standalone workerd:
// workerd turns `send()` / `sendBatch()` into POST /message and POST /batch to this service and
// expects send metadata back. Messages are accepted and dropped.
export default {
  async fetch(request) {
    await request.arrayBuffer();
    return Response.json({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: 0 } } });
  },
};
