import { describeForward, tinyGraphs } from './forward.test-util.ts';

describeForward(tinyGraphs('tasks'));
