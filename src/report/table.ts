/** The report's text tables: the one aligned table (src/util/table.ts). */
export { textTable } from '../util/table.js';
