/**
 * The node:crypto baseline of the hashing benchmark: sha1, sha256 and sha512 of each file, fed from
 * one read stream per file (1 MiB chunks), files concurrently — what a JavaScript release script
 * would write. Prints `sha256  path` per file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    const sha512 = createHash('sha512');
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => {
        sha1.update(chunk);
        sha256.update(chunk);
        sha512.update(chunk);
      })
      .on('error', reject)
      .on('end', () => {
        sha1.digest();
        sha512.digest();
        resolve(`${sha256.digest('hex')}  ${file}`);
      });
  });
}

const lines = await Promise.all(process.argv.slice(2).map(hashFile));
process.stdout.write(lines.join('\n') + '\n');
