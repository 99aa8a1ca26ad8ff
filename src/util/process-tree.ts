import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process facts from /proc (Linux only). Chromium is a tree of processes (browser, GPU, utilities,
 * renderers). Children are read from /proc/<pid>/task/<tid>/children where the kernel offers it (a
 * few reads per process of the tree); otherwise from every process's stat (a read per process on the
 * machine).
 */

export const readProcText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
};

const listDir = (path: string): string[] => {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
};

/** Children of `pid` from its threads' children files; undefined when the kernel has none. */
const childrenFromTasks = (pid: number): number[] | undefined => {
  const found: number[] = [];
  let readable = false;
  for (const tid of listDir(`/proc/${pid}/task`)) {
    const text = readProcText(`/proc/${pid}/task/${tid}/children`);
    if (text === undefined) continue;
    readable = true;
    for (const child of text.split(' ')) if (child) found.push(Number(child));
  }
  return readable ? found : undefined;
};

/** Parent pid of every live process. */
const parentPids = (): Map<number, number> => {
  const parents = new Map<number, number>();
  for (const entry of listDir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcText(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
  }
  return parents;
};

const childrenFromStats = (): ((pid: number) => number[]) => {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parentPids()) {
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  return (pid) => children.get(pid) ?? [];
};

const walk = (pid: number, childrenOf: (pid: number) => number[]): number[] => {
  const found: number[] = [];
  const queue = [...childrenOf(pid)];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    found.push(next);
    queue.push(...childrenOf(next));
  }
  return found;
};

let tasksHaveChildren: boolean | undefined;

/** Every live descendant of `pid` (children, grandchildren, ...), not `pid` itself. */
export const descendants = (pid: number): number[] => {
  tasksHaveChildren ??= childrenFromTasks(process.pid) !== undefined;
  if (!tasksHaveChildren) return walk(pid, childrenFromStats());
  return walk(pid, (p) => childrenFromTasks(p) ?? []);
};

/** The fallback that reads every process's stat, whatever the kernel offers (tests compare the two). */
export const descendantsFromStats = (pid: number): number[] => walk(pid, childrenFromStats());
