/** `npm run openapi`: writes openapi.json at the repository root from the zod schemas (src/openapi/document.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiText } from './document.ts';

const file = join(import.meta.dirname, '../../openapi.json');
writeFileSync(file, openApiText());
console.log(`wrote ${file}`);
