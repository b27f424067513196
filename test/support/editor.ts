import { runInNewContext } from 'node:vm';

/**
 * Just enough of the Node-RED editor (RED, jQuery, window) to run a node's .html scripts outside a browser: the
 * types it registers, and a dialog whose inputs a test fills and reads.
 */
export interface FakeEditor {
  registered: Map<string, Record<string, unknown>>;
  /** The dialog's inputs by id, as jQuery would read them (checkboxes hold a boolean). */
  inputs: Map<string, unknown>;
  checkboxes: Set<string>;
  /** The flow's nodes by id (RED.nodes.node), the edit stack, and whether each selector was last shown or hidden. */
  nodes: Map<string, Record<string, unknown>>;
  editStack: unknown[];
  shown: Map<string, boolean>;
  /** Fires an input's change handlers, as choosing in it does. */
  change(id: string): void;
  run(script: string): void;
  window: Record<string, unknown>;
}

export function fakeEditor(): FakeEditor {
  const registered = new Map<string, Record<string, unknown>>();
  const inputs = new Map<string, unknown>();
  const checkboxes = new Set<string>();
  const nodes = new Map<string, Record<string, unknown>>();
  const editStack: unknown[] = [];
  const shown = new Map<string, boolean>();
  const handlers = new Map<string, (() => void)[]>();
  const element = (selector: string) => {
    const id = selector.replace(/^#/, '');
    let created: string | undefined;
    const self = {
      is: (what: string) => what === ':checkbox' && checkboxes.has(id),
      prop: (_name: string, value: unknown) => (inputs.set(id, value), self),
      val: (...args: unknown[]) => (args.length === 0 ? inputs.get(created ?? id) : (inputs.set(created ?? id, args[0]), self)),
      attr: (name: string, value: string) => {
        if (name === 'id') created = value;
        return self;
      },
      insertAfter: () => self,
      on: (_event: string, handler: () => void) => (handlers.set(id, [...(handlers.get(id) ?? []), handler]), self),
      toggle: (show: boolean) => (shown.set(selector, show), self),
    };
    return self;
  };
  const $ = (selector: string) => element(/^</.test(selector) ? '' : selector);
  const RED = { nodes: { registerType: (type: string, definition: Record<string, unknown>) => registered.set(type, definition), node: (id: string) => nodes.get(id) }, editor: { getEditStack: () => editStack } };
  // As in a browser, the window is the global object.
  const window: Record<string, unknown> = { RED, $ };
  window.window = window;
  return {
    registered,
    inputs,
    checkboxes,
    nodes,
    editStack,
    shown,
    change(id) {
      (handlers.get(id) ?? []).forEach((handler) => handler());
    },
    window,
    run(script) {
      runInNewContext(script, window);
    },
  };
}

/** The JavaScript of an .html file's `<script type="text/javascript">` elements, in order. */
export function scriptsOf(html: string): string[] {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
}
