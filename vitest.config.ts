import { defineConfig } from 'vitest/config';

// Projects: `node` runs tests of the local tooling (stack, migrations) in Node.
// The `worker` project (tests inside workerd) is added next to it.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
