import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bindings of the project's local stack plus TEST_CONTROL_URL (see start-test-stack.ts). */
    stack: Record<string, string>;
  }
}
