import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process facts from /proc (Linux only). Chromium is a tree of processes (browser, GPU, utilities,
 * renderers); parents are read from each process's stat, so no kernel option such as
 * /proc/<pid>/task/<tid>/children is needed.
 */

export const readProcText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
};

/** Parent pid of every live process. */
const parentPids = (): Map<number, number> => {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcText(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
  }
  return parents;
};

/** Every live descendant of `pid` (children, grandchildren, ...), not `pid` itself. */
export const descendants = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parentPids()) {
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
};
