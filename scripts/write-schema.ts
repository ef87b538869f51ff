/** `npm run schema`: writes the published JSON Schema and the generated check (see schema-files.ts). */
import fs from 'node:fs';
import path from 'node:path';
import {schemaFiles} from './schema-files.js';

const root = path.resolve(import.meta.dirname, '..');
for (const file of schemaFiles()) {
	fs.mkdirSync(path.dirname(path.join(root, file.path)), {recursive: true});
	fs.writeFileSync(path.join(root, file.path), file.text);
	console.log(`wrote ${file.path} (${file.text.length} bytes)`);
}
