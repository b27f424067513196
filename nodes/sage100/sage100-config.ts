import type { Request, Response } from 'express';
import { asError } from '../../lib/errors';
import type { NodeAPI, NodeDefinition, NodeStatus, RuntimeNode } from '../../lib/node-red/types';
import type { Sage100Client } from '../../lib/sage100/client';
import { acceptJsonOnly, codeWords, errorWords, shortText } from '../../lib/node-red/node';
import { checkWsdlPath, connectSage100, settingsFromConfig, targetOf, testConnection, type Sage100Connection } from '../../lib/sage100/connect';
import { migrate } from '../../lib/settings/definition';
import { sage100ConfigSettings } from '../../lib/settings/sage100';

type Credentials = { apiKey: string; username: string; password: string };

export interface Sage100ConfigNode extends RuntimeNode<Credentials> {
  /** The client for the configured mode; throws the settings error when the configuration is incomplete. */
  readonly client: Sage100Client;
  /** Sage's three-character company code, upper case. */
  readonly companyCode: string;
  readonly mode: 'agent' | 'soap';
  /** A status for the nodes using this configuration to show while idle (certificate checks off, bad settings). */
  readonly warningStatus?: NodeStatus;
  /** Where its credentials go (mode, URL, TLS, WSDL): Test connection uses them only for the same target. */
  readonly target: string;
}

/** What the editor sends for a password it never received back. */
const UNCHANGED_PASSWORD = '__PWRD__';

export default function register(RED: NodeAPI): void {
  function Sage100Config(this: Sage100ConfigNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    // Checked by connectSage100 (as the dialog's Test connection is), so a configuration not yet filled in still starts.
    const settings = migrate(sage100ConfigSettings, definition);
    const record = `sage100-config ${definition.name || this.id}`;
    let connection: Sage100Connection | undefined;
    let failure: Error | undefined;
    try {
      checkWsdlPath(typeof settings.wsdlPath === 'string' ? settings.wsdlPath.trim() : undefined, RED.settings.userDir);
      connection = connectSage100(settingsFromConfig(settings, this.credentials), { record });
    } catch (err) {
      failure = asError(err);
      this.error(failure.message);
    }
    if (connection?.tlsWarning) this.warn(connection.tlsWarning);

    Object.defineProperties(this, {
      client: {
        get(): Sage100Client {
          if (!connection) throw failure;
          return connection.client;
        },
      },
      companyCode: { value: connection?.settings.companyCode ?? String(settings.companyCode ?? '').toUpperCase() },
      mode: { value: settings.mode === 'soap' ? 'soap' : 'agent' },
      target: { value: targetOf(settingsFromConfig(settings, {})) },
      warningStatus: {
        value: failure
          ? { fill: 'red', shape: 'ring', text: shortText(errorWords(RED._, failure)) }
          : connection?.tlsWarning
            ? { fill: 'yellow', shape: 'ring', text: RED._('sage100-config.status.tlsNotVerified') }
            : undefined,
      },
    });

    this.on('close', (_removed, done) => {
      void (connection?.close() ?? Promise.resolve()).then(done, done);
    });
  }

  RED.nodes.registerType('sage100-config', Sage100Config, {
    credentials: { apiKey: { type: 'password' }, username: { type: 'text' }, password: { type: 'password' } },
  });

  // Test connection from the open dialog: its values, with passwords the editor left unchanged looked up by node
  // id — and used only when the dialog's target (mode, URL, TLS, WSDL) is the deployed one, so that no request can
  // send a stored API key or password to a server of its choosing.
  RED.httpAdmin.post('/ml-connector/sage100-config/test', RED.auth.needsPermission('sage100-config.write'), (req: Request, res: Response) => {
    if (!acceptJsonOnly(req, res)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const given = (body.credentials ?? {}) as Record<string, string | undefined>;
    const deployed = typeof body.id === 'string' && body.id ? (RED.nodes.getNode(body.id) as Sage100ConfigNode | undefined) : undefined;
    const sameTarget = deployed?.type === 'sage100-config' && deployed.target === targetOf(settingsFromConfig(body, {}));
    const stored = sameTarget && typeof body.id === 'string' ? (RED.nodes.getCredentials(body.id) ?? {}) : {};
    const unchanged = (name: keyof Credentials) => given[name] === UNCHANGED_PASSWORD || given[name] === undefined;
    if (deployed && !sameTarget && (['apiKey', 'password'] as const).some((name) => unchanged(name) && RED.nodes.getCredentials(String(body.id))?.[name])) {
      res.json({
        ok: false,
        code: 'sage100.config',
        words: codeWords(RED._, 'sage100.config'),
        message: 'The server, TLS or WSDL settings differ from the deployed configuration: enter the API key or password again to test them.',
        hint: 'A stored secret is only sent to the deployed server.',
      });
      return;
    }
    const credential = (name: keyof Credentials) => (unchanged(name) ? stored[name] : given[name]);
    const credentials = { apiKey: credential('apiKey'), username: credential('username'), password: credential('password') };
    const input = settingsFromConfig(body, credentials);
    try {
      checkWsdlPath(typeof body.wsdlPath === 'string' ? body.wsdlPath.trim() : undefined, RED.settings.userDir);
    } catch (err) {
      const error = asError(err) as Error & { code?: string; hint?: string };
      res.json({ ok: false, message: error.message, code: error.code, words: codeWords(RED._, error.code), hint: error.hint });
      return;
    }
    testConnection(input).then(
      (answer) => res.json(answer.ok ? answer : { ...answer, words: codeWords(RED._, answer.code) }),
      () => res.status(500).json({ ok: false, message: 'The check failed unexpectedly; the Node-RED log may say more.' }),
    );
  });
}
