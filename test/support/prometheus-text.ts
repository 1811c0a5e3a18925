/** A strict-enough reader of the Prometheus text format (0.0.4) for tests: samples by name{labels}, and types. */
export interface PrometheusText {
  readonly samples: ReadonlyMap<string, number>;
  readonly types: ReadonlyMap<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/;

export function parsePrometheusText(text: string): PrometheusText {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    else if (line.startsWith('# HELP ')) continue;
    else {
      const sample = SAMPLE.exec(line);
      if (!sample) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
      samples.set(sample[1]! + (sample[2] ?? ''), Number(sample[3]));
    }
  }
  return { samples, types };
}
