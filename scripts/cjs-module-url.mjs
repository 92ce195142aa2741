// Injected into the CommonJS CLI bundle (scripts/bundle-cli.mjs) as what import.meta.url
// was in the ES module sources: the URL of the file running, here the bundle.
import { pathToFileURL } from 'node:url';

export const __mpcrpModuleUrl = pathToFileURL(__filename).href;
