import { readFileSync } from 'node:fs';

/**
 * The shell commands of the fenced `sh` blocks of a Markdown file, as a reader would type them:
 * indentation of the block removed, continuation lines joined, blank lines and comments left out.
 */
export function shellCommands(path: string): string[] {
  const blocks = [...readFileSync(path, 'utf8').matchAll(/^( *)```sh\n([\s\S]*?)^ *```/gm)];
  return blocks.flatMap(([, indent, body]) =>
    body!
      .split('\n')
      .map((line) => line.slice(indent!.length))
      .join('\n')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.trim() && !line.trim().startsWith('#')),
  );
}
