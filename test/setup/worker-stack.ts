import type { TestProject } from 'vitest/node';
import { startTestStack } from './start-test-stack.ts';

export default (project: TestProject) => startTestStack(project, 'worker');
