import type { SettingsDefinition } from './definition';
import { mapperSettings, orderNumberingSettings, reconcileSettings } from './sync';

/** Every node type's settings definition, by type: what the build writes into the editor's .html files. */
export const settingsDefinitions: readonly SettingsDefinition[] = [orderNumberingSettings, mapperSettings, reconcileSettings];
