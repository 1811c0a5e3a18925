import { first, map } from 'rxjs';
import { formatMetrics } from '../../metrics/catalogue.js';
import { noArguments } from '../../session/arguments.js';
import { defineCommand, type Transition } from '../command.js';
import { success } from '../replies.js';

/** METRICS: the latest value of the shared metrics stream, as one line of `key=value` pairs. */
export const metrics = defineCommand({
  verb: 'METRICS',
  phases: ['transaction'],
  args: noArguments,
  usage: 'METRICS',
  run: (state, _args, context) =>
    context.metrics$.pipe(
      first(),
      map((value): Transition => ({ state, reply: success(formatMetrics(value)) })),
    ),
});
