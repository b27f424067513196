/** The BOI emulator: one Sage 100 company with Sage's rules, reached as `ProvideX.Script` (openEmulatedRoot). */
export * from './company';
export { openEmulatedRoot, DUPLICATE_PO_WARNING, type EmulatorRootOptions } from './boi';
export { FaultPlan, type FaultKind, type FaultRule } from './faults';
export { FAULT_CODES, SageFault } from './sage-fault';
export { VERSION_PROFILES, type ColumnLengths, type VersionProfileName } from './schema';
export { seedDemo } from './seed';
export { compareStamps, decimalHours, stampOf, type SageStamp } from './stamps';
export { toWindows1252 } from './windows-1252';
