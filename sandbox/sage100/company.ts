/** The sandbox's Sage company is the agent's BOI emulator (agent/src/emulator); this path keeps the sandbox's imports short. */
export * from '../../agent/src/emulator';
