/** One line of the results table; the same object goes to results.json. */
export interface Row {
  scenario: string;
  /** 'ok' measured; 'n/a' a piece it needs is not built yet; 'error' it threw. */
  status: 'ok' | 'n/a' | 'error';
  server?: Figure;
  yardstick?: Figure & { name: string };
  /** server / yardstick. */
  ratio?: number;
  goal?: string;
  /** Whether the goal was met; undefined when there is no goal or no figure. */
  met?: boolean;
  /** Extra figures (CPU use, sample counts, scaled-down sizes), free-form. */
  notes?: string;
  detail?: Record<string, unknown>;
}

export interface Figure {
  value: number;
  unit: string;
}

export interface ScenarioContext {
  /** Short windows: `--quick`, and the CI smoke run. */
  quick: boolean;
  /** `--smoke`: the shortest windows that still run every path; figures mean nothing. */
  smoke: boolean;
  /** Prints progress to stderr, so stdout stays the table. */
  progress(message: string): void;
}

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<Row[]>;
}

export interface Windows {
  rounds: number;
  warmupMs: number;
  measureMs: number;
}

/** A measured scenario's rounds and windows in this run's mode (`full` in a full run). */
export function windows(ctx: ScenarioContext, full: Windows): Windows {
  if (ctx.smoke) return { rounds: 1, warmupMs: 100, measureMs: 200 };
  if (ctx.quick) return { rounds: 1, warmupMs: 300, measureMs: 1000 };
  return full;
}

export function naRow(scenario: string, what: string): Row {
  return { scenario, status: 'n/a', notes: `n/a (not built yet: ${what})` };
}
