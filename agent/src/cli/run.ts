import { resolveIn, loadAgentConfig, sageLogicOverrides } from '../config/schema';
import { openFileLog } from '../log/file-log';
import type { CliContext } from './context';
import { bridgeOptions, readTls } from './runtime';

/**
 * `run`: the agent in the foreground, or under the service wrapper (`--service`: no console copy of the log,
 * which the wrapper would only store a second time). Stops cleanly on Ctrl+C, which is also how WinSW stops it.
 */
export async function run(configPath: string, flags: { service?: boolean }, ctx: CliContext): Promise<number> {
  const loaded = loadAgentConfig(configPath);
  const { config } = loaded;
  const password = await ctx.protector.reveal(config.sage.password);
  const logFile = openFileLog({
    folder: resolveIn(loaded.folder, config.log.folder),
    maxBytes: config.log.maxBytes,
    keep: config.log.keep,
    secrets: [password],
    echo: flags.service ? undefined : (line) => ctx.io.out(line.trimEnd()),
  });
  const bridge = bridgeOptions(config, ctx.agentDir);
  try {
    const agent = await ctx.startAgent({
      host: config.listen.host,
      port: config.listen.port,
      tls: readTls(loaded),
      apiKeyHash: config.apiKeyHash,
      openRoot: () => ctx.openRoot(bridge),
      sage: { ...config.sage, password, logic: sageLogicOverrides(config.sage.logic) },
      log: logFile.log,
      dataDir: resolveIn(loaded.folder, config.dataFolder),
    });
    logFile.log('info', 'Sage 100 agent listening', { version: ctx.version, url: agent.url, companies: config.sage.companies, poolSize: config.sage.poolSize });
    await ctx.waitForStop();
    logFile.log('info', 'Sage 100 agent stopping');
    await agent.close();
    logFile.log('info', 'Sage 100 agent stopped');
    return 0;
  } catch (error) {
    logFile.log('error', 'Sage 100 agent failed', { error });
    throw error;
  } finally {
    logFile.close();
  }
}
