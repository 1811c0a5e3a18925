import { BehaviorSubject, combineLatest, type Observable } from 'rxjs';
import { createLiveSettings, type LiveSettings, type Tunables } from './live-settings.js';
import { planReload, type ReloadPlan } from './reload-plan.js';
import type { Config } from './schema.js';

/**
 * The one config a running process has. It changes two ways: a reload (SIGHUP) is a new loaded value, and
 * a Push3 SET changes a live setting; `config$` is the loaded config with the live settings laid over it,
 * so everything that reads a key per use follows both.
 */
export interface RunningConfig {
  /** The config in effect, then each change. */
  readonly config$: Observable<Config>;
  /** The config in effect now. */
  readonly current: Config;
  /** The config as last loaded (start or reload), without Push3's SETs: what a reload is planned against. */
  readonly loaded: Config;
  /** Push3's GET/SET view of the live keys; a reload sets those whose value it changed. */
  readonly settings: LiveSettings;
  /** Takes from `next` what can change live (reload-plan.ts); says what else changed. */
  reload(next: Config): ReloadPlan;
}

/** The live settings written over the keys they stand for. */
function withTunables(config: Config, tunables: Tunables): Config {
  return {
    ...config,
    pop3: { ...config.pop3, idleTimeout: tunables.idleTimeoutSeconds },
    limits: { ...config.limits, maxConnections: tunables.maxConnections },
    log: { ...config.log, level: tunables.logLevel },
  };
}

export function createRunningConfig(initial: Config): RunningConfig {
  const loaded = new BehaviorSubject(initial);
  const settings = createLiveSettings(initial);
  const effective = new BehaviorSubject(withTunables(initial, settings.current));
  // Both sources are BehaviorSubjects that never complete: this keeps `effective` current for good.
  combineLatest([loaded, settings.values$]).subscribe(([config, tunables]) => effective.next(withTunables(config, tunables)));
  return {
    config$: effective.asObservable(),
    get current() {
      return effective.value;
    },
    get loaded() {
      return loaded.value;
    },
    settings,
    reload(next) {
      const plan = planReload(loaded.value, next);
      loaded.next(plan.config);
      // A reloaded key that Push3 can SET: the setting follows.
      for (const [key, value] of plan.settings) settings.set(key, value);
      return plan;
    },
  };
}
