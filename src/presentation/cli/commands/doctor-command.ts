import type { Command } from 'commander';
import type { Env } from '../../../infrastructure/config/config.js';
import type { CheckResult } from '../../../infrastructure/health/health-check.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { globalOverrides } from '../global-options.js';

/**
 * 0 when everything passed (warnings included: they pass); 4 when only reachability failed (retry later); 2 when
 * something must be fixed.
 */
export function doctorExitCode(results: readonly CheckResult[]): ExitCode {
  const failures = results.filter((r) => !r.ok && !r.skipped);
  if (failures.length === 0 && results.every((r) => r.ok)) return ExitCode.OK;
  return failures.length > 0 && failures.every((r) => r.transient) ? ExitCode.TRANSIENT : ExitCode.USAGE;
}

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check the configuration and reach Toss (auth), Kafka (topics), the registry (subject, compatibility) and MySQL (migrations), and how far ahead the holiday calendar is verified; print each problem or warning with its fix',
    )
    .option('--json', 'print the results as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const env: Record<string, string | undefined> = { ...ctx.env };
      for (const [k, v] of Object.entries(globalOverrides(cmd))) if (v !== undefined) env[k] = v;
      // loaded on use: every client the checks need stays out of the other commands' memory
      const [{ runHealthChecks }, { createLogger }] = await Promise.all([
        import('../../../infrastructure/health/run-health-checks.js'),
        import('../../../infrastructure/logging/logger.js'),
      ]);
      const results = await runHealthChecks(env, { logger: createLogger('silent') });
      const code = doctorExitCode(results);
      const scrub = scrubber(env);
      if (opts.json) ctx.out(scrub(JSON.stringify({ ok: code === ExitCode.OK, exitCode: code, checks: results })));
      else for (const line of renderDoctor(results, code)) ctx.out(scrub(line));
      ctx.setExitCode(code);
    });
}

/** The text report: a line per check (ok, WARN, skip, FAIL), a `fix:` line under each that is not a plain pass, a summary. */
export function renderDoctor(results: readonly CheckResult[], code: ExitCode): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.flatMap((r) => {
    const status = r.warning ? 'WARN' : r.ok ? 'ok  ' : r.skipped ? 'skip' : 'FAIL';
    return [`${status}  ${r.name.padEnd(width)}  ${r.detail}`, ...(r.ok && !r.warning ? [] : [`${' '.repeat(width + 8)}fix: ${r.fix}`])];
  });
  const failed = results.filter((r) => !r.ok).length;
  const warnings = results.filter((r) => r.warning).length;
  const warned = warnings > 0 ? ` (${warnings} with a warning)` : '';
  if (code === ExitCode.OK) lines.push(`all ${results.length} checks passed${warned}`);
  else
    lines.push(
      `${failed} of ${results.length} checks did not pass${code === ExitCode.TRANSIENT ? ': only reachability problems, retry once the services are up' : ''}${warnings > 0 ? `; ${warnings} warning(s)` : ''}`,
    );
  return lines;
}

/** Second line of defence: no secret value reaches stdout even if a driver message echoed one. */
function scrubber(env: Env): (text: string) => string {
  const secrets = [env.TOSS_SECRET_KEY, env.KAFKA_SASL_PASSWORD, env.SCHEMA_REGISTRY_PASSWORD, passwordOf(env.MYSQL_URL)].filter(
    (s): s is string => s !== undefined && s.length >= 4,
  );
  return (text) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

const passwordOf = (url: string | undefined): string | undefined => {
  try {
    return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
  } catch {
    return undefined;
  }
};
