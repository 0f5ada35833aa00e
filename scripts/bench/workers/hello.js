// The bare baseline: a Worker that does nothing but answer. Scenarios compare the gateway against it.
export default {
  fetch() {
    return new Response('ok');
  },
};
