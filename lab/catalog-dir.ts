import { fileURLToPath } from 'node:url';

/**
 * The built-in scenario catalog: every .yaml or .ts file under scenarios/. One folder below the
 * root in the source (lab/) and in the compiled CLI (dist/), so the same relative path serves both.
 */
export const CATALOG_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
