declare namespace Cloudflare {
  interface Env {
    /** Local stack control endpoint, set by the test projects only. */
    TEST_CONTROL_URL: string;
  }
  interface GlobalProps {
    mainModule: typeof import('../../workers/gateway/index.ts');
    durableNamespaces: 'MongoPool';
  }
}
