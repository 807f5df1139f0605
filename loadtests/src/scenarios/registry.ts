// Every scenario by the name the CLI takes. The CLI reads this list and the scenarios
// never import the CLI (their options come from options.ts), so no import goes round.
import type { Options } from '../options.ts';
import type { Report } from '../report.ts';
import type { Api, Target } from '../target.ts';
import { browse } from './browse.ts';
import { faults } from './faults.ts';
import { hotEvent, sellout, spread } from './sales.ts';
import { scaleScenario } from './scale.ts';
import { soak } from './soak.ts';
import { surge } from './surge.ts';
import { watch } from './watch.ts';

export type Scenario = (o: Options, target: Target, client: Api) => Promise<Report>;

export const scenarios: Record<string, Scenario> = {
  browse,
  spread,
  'hot-event': hotEvent,
  sellout,
  scale: scaleScenario,
  watch,
  faults,
  surge,
  soak,
};
