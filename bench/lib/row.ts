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
  quick: boolean;
  /** Prints progress to stderr, so stdout stays the table. */
  progress(message: string): void;
}

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<Row[]>;
}

export function naRow(scenario: string, what: string): Row {
  return { scenario, status: 'n/a', notes: `n/a (not built yet: ${what})` };
}
