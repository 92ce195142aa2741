/**
 * The benchmark suite (issue 7): every scenario side by side with its yardstick, in one
 * run, reported as ratios. `npm run bench` for the full run, `npm run bench -- --quick`
 * for short windows (about a minute; figures to glance at), `--smoke` for CI: every
 * scenario's path once with the shortest windows, failing only when a scenario throws,
 * never on a timing (its figures mean nothing). See docs/performance.md.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeMachine } from './lib/machine.js';
import type { Row, Scenario, ScenarioContext } from './lib/row.js';
import { renderTable } from './lib/table.js';
import { setProfileDir } from './lib/targets.js';
import { botEchoScenario } from './scenarios/bot-echo.js';
import { cliStartScenario } from './scenarios/cli-start.js';
import { clusterScenario } from './scenarios/cluster.js';
import { codecScenario } from './scenarios/codec.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { fanoutMetricsScenario } from './scenarios/fanout-metrics.js';
import { idleMemoryScenario } from './scenarios/idle-memory.js';
import { latencyScenario } from './scenarios/latency.js';
import { storeScenario } from './scenarios/store.js';

const SCENARIOS: Scenario[] = [
  codecScenario,
  fanoutScenario,
  fanoutMetricsScenario,
  latencyScenario,
  idleMemoryScenario,
  cliStartScenario,
  botEchoScenario,
  clusterScenario,
  storeScenario,
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench/results.json' },
    profile: { type: 'string' },
  },
});
const smoke = values.smoke ?? false;
const quick = smoke || (values.quick ?? false);
const mode = smoke ? 'smoke' : quick ? 'quick' : 'full';
setProfileDir(values.profile);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}

// Bounded: a wedged scenario must not hang CI. Each scenario has its own timeouts too.
const watchdog = setTimeout(
  () => {
    process.stderr.write('bench: overall time limit reached, giving up\n');
    process.exit(1);
  },
  (quick ? 3 : 20) * 60_000,
);
watchdog.unref();

const ctx: ScenarioContext = {
  quick,
  smoke,
  progress: (message) => process.stderr.write(`bench: ${message}\n`),
};
const machine = describeMachine();
ctx.progress(`${mode} run on ${machine.nproc} x ${machine.cpuModel}, node ${machine.node}`);

const rows: Row[] = [];
const started = Date.now();
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue;
  ctx.progress(`${scenario.name}...`);
  try {
    rows.push(...(await scenario.run(ctx)));
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`bench: scenario ${scenario.name} failed:\n${message}\n`);
    rows.push({ scenario: scenario.name, status: 'error', notes: firstLine(message) });
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 120);
}

process.stdout.write(`${renderTable(rows)}\n`);
const results = {
  date: new Date().toISOString(),
  mode,
  seconds: Math.round((Date.now() - started) / 1000),
  machine,
  loadAverageAtEnd: describeMachine().loadAverage,
  rows,
};
writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
ctx.progress(`done in ${results.seconds} s; figures in ${values.out}`);
if (smoke)
  ctx.progress(
    'smoke run: every scenario ran; its windows are too short for the figures to mean anything',
  );
process.exitCode = rows.some((r) => r.status === 'error') ? 1 : 0;
