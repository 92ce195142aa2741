/**
 * A parser for the Prometheus text exposition format (version 0.0.4), for tests that check
 * what /metrics says: HELP and TYPE lines, samples with label sets (escapes included), and
 * values (+Inf, -Inf, NaN). Throws on a line it cannot read, so a malformed scrape fails.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string | undefined;
  help: string | undefined;
  samples: PromSample[];
}

export class PromText {
  readonly families = new Map<string, PromFamily>();
  readonly samples: PromSample[] = [];

  constructor(text: string) {
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      if (line.startsWith('#')) this.#comment(line);
      else this.#sample(line, i + 1);
    }
  }

  /** Values of `name` whose labels include `labels`. */
  find(name: string, labels: Record<string, string> = {}): PromSample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }

  /** The one value of `name` with `labels` (throws when none or several match). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.find(name, labels);
    if (found.length !== 1) {
      throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}, expected 1`);
    }
    return found[0]!.value;
  }

  /** The sum over every sample of `name` with `labels` (0 when there is none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels).reduce((a, s) => a + s.value, 0);
  }

  #family(name: string): PromFamily {
    let f = this.families.get(name);
    if (!f) {
      f = { name, type: undefined, help: undefined, samples: [] };
      this.families.set(name, f);
    }
    return f;
  }

  #comment(line: string): void {
    const m = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s?(.*)$/.exec(line);
    if (!m) return; // other comments are allowed and mean nothing
    const family = this.#family(m[2]!);
    if (m[1] === 'HELP') family.help = m[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    else family.type = m[3]!.trim();
  }

  #sample(line: string, n: number): void {
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`line ${n}: no metric name: ${line}`);
    const name = head[1]!;
    let at = name.length;
    const labels: Record<string, string> = {};
    if (line[at] === '{') {
      at += 1;
      while (line[at] !== '}') {
        const key = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(at));
        if (!key) throw new Error(`line ${n}: bad label at ${at}: ${line}`);
        at += key[0].length;
        let value = '';
        for (;;) {
          const c = line[at];
          if (c === undefined) throw new Error(`line ${n}: unterminated label value`);
          at += 1;
          if (c === '"') break;
          if (c === '\\') {
            const e = line[at++];
            value += e === 'n' ? '\n' : e;
          } else value += c;
        }
        labels[key[1]!] = value;
        const sep = /^\s*,?\s*/.exec(line.slice(at))!;
        at += sep[0].length;
      }
      at += 1;
    }
    const rest = line.slice(at).trim().split(/\s+/);
    const raw = rest[0];
    if (raw === undefined || raw === '') throw new Error(`line ${n}: no value: ${line}`);
    // Prometheus reads values with Go's ParseFloat: Inf and NaN in any case (prom-client
    // writes `Nan`).
    const lower = raw.toLowerCase();
    const value =
      lower === '+inf' || lower === 'inf'
        ? Infinity
        : lower === '-inf'
          ? -Infinity
          : lower === 'nan'
            ? NaN
            : Number(raw);
    if (Number.isNaN(value) && lower !== 'nan') throw new Error(`line ${n}: bad value ${raw}`);
    const sample = { name, labels, value };
    this.samples.push(sample);
    const base = name.replace(/_(bucket|sum|count)$/, '');
    (this.families.get(name) ?? this.families.get(base) ?? this.#family(name)).samples.push(sample);
  }
}

/** GETs `url` + `/metrics` and parses it. */
export async function scrape(
  base: string,
  headers: Record<string, string> = {},
): Promise<PromText> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return new PromText(await res.text());
}
