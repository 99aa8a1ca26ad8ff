/**
 * One pass over raw HTML that counts what makes Chromium slow or brings it down: elements, block boxes,
 * inline elements sharing one block, and how deep elements nest. It tokenizes tags the way the HTML
 * parser does (attributes with quoted values, comments, raw-text elements such as `<script>` and
 * `<style>` whose content is not markup, self-closing tags only inside SVG and MathML) and follows the
 * parser's implied end tags (`<p>`, `<li>`, `<tr>`, `<td>`, `<option>`, ... close their open
 * predecessor), so omitted optional end tags do not count as nesting. Elements a script creates are
 * not seen: the render deadline and the renderer's memory cap bound those.
 */

export interface HtmlStructure {
  /** Start tags: every element the parser creates. */
  elements: number;
  /** Start tags of block boxes, as the estimate counts them (its `blocks`). */
  blocks: number;
  tableRows: number;
  /** `<img>`, `<svg>`, `<canvas>`. */
  images: number;
  /** Most elements open at once. */
  maxDepth: number;
  /** Sum over blocks of (inline elements laid out in that one block)²: Chromium's cost is quadratic in it. */
  inlineRunSquares: number;
  /** The most inline elements in one block. */
  longestInlineRun: number;
}

const set = (names: string): Set<string> => new Set(names.split(' '));

/** What the scan needs to know of a tag name, as bits: one lookup a tag. */
const Kind = {
  /** A block box as the estimate counts them (its `blocks`; `br` included, as the fit has it). */
  BLOCK: 1,
  /** Its start or end begins a new block of inline content (a `<br>` does not). */
  RUN_BREAK: 2,
  VOID: 4,
  /** Content is text up to the matching end tag (outside SVG and MathML). */
  RAW_TEXT: 8,
  /** html, head, body: never nested, the parser merges repeats into the one it has. */
  ROOT: 16,
  /** Its start tag closes an open `<p>`. */
  CLOSES_P: 32,
  HEADING: 64,
  /** An HTML start tag that ends the SVG or MathML content it appears in. */
  BREAKS_FOREIGN: 128,
} as const;

const KINDS = new Map<string, number>();
const mark = (kind: number, names: string) => {
  for (const name of names.split(' ')) KINDS.set(name, (KINDS.get(name) ?? 0) | kind);
};
mark(
  Kind.BLOCK,
  'p div li tr h1 h2 h3 h4 h5 h6 section article aside nav header footer main table thead tbody blockquote pre ul ol dl dt dd figure form fieldset hr br',
);
mark(
  Kind.RUN_BREAK,
  'p div li tr td th h1 h2 h3 h4 h5 h6 section article aside nav header footer main table thead tbody tfoot caption colgroup blockquote pre ul ol dl dt dd figure figcaption form fieldset legend hr address details summary dialog center menu hgroup search listing button select option optgroup body html',
);
mark(
  Kind.VOID,
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr',
);
mark(Kind.RAW_TEXT, 'script style textarea title xmp iframe noembed noframes');
mark(Kind.ROOT, 'html head body');
mark(
  Kind.CLOSES_P,
  'address article aside blockquote center details dialog dir div dl dd dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol p pre search section summary table ul xmp',
);
mark(Kind.HEADING, 'h1 h2 h3 h4 h5 h6');
mark(
  Kind.BREAKS_FOREIGN,
  'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var',
);

/** Scope boundaries: an implied end tag never closes past them. */
const SCOPE = set('html table td th caption button object marquee template applet svg math');
const LIST_SCOPE = new Set([...SCOPE, 'ul', 'ol']);
const TABLE_SCOPE = set('html table template');
const ROW_SCOPE = set('html table template tr');
/** SVG and MathML elements whose children are HTML again. */
const HTML_INSIDE_FOREIGN = set('foreignobject desc title mi mo mn ms mtext annotation-xml');

/** Which open elements a start tag implicitly closes, and the boundaries the search stops at. */
const IMPLIED_END = new Map<string, { closes: string[]; scope: ReadonlySet<string> }>([
  ['p', { closes: ['p'], scope: SCOPE }],
  ['li', { closes: ['li'], scope: LIST_SCOPE }],
  ['dt', { closes: ['dt', 'dd'], scope: SCOPE }],
  ['dd', { closes: ['dt', 'dd'], scope: SCOPE }],
  ['tr', { closes: ['tr'], scope: TABLE_SCOPE }],
  ['td', { closes: ['td', 'th'], scope: ROW_SCOPE }],
  ['th', { closes: ['td', 'th'], scope: ROW_SCOPE }],
  ['thead', { closes: ['thead', 'tbody', 'tfoot'], scope: TABLE_SCOPE }],
  ['tbody', { closes: ['thead', 'tbody', 'tfoot'], scope: TABLE_SCOPE }],
  ['tfoot', { closes: ['thead', 'tbody', 'tfoot'], scope: TABLE_SCOPE }],
  ['option', { closes: ['option'], scope: set('html select datalist optgroup') }],
  ['optgroup', { closes: ['option', 'optgroup'], scope: set('html select datalist') }],
  ['a', { closes: ['a'], scope: SCOPE }],
  ['button', { closes: ['button'], scope: SCOPE }],
]);
const CLOSE_P = IMPLIED_END.get('p') as { closes: string[]; scope: ReadonlySet<string> };

const COMMENT_END = /--!?>/g;
const SHORT_COMMENT = /^-?>/;
const rawTextEnds = new Map<string, RegExp>();

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isLetter = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;

/**
 * Index of the `>` that ends the tag whose attributes start at `from` (or the text's length), reading
 * attributes as the tokenizer does: a quote opens a value only after `=`, and an unclosed one does not.
 * Written over char codes: a regular expression doing the same was four times slower.
 */
const tagEnd = (text: string, from: number): number => {
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 62) return i;
    i += 1;
    if (isSpace(c) || c === 47) continue;
    // An attribute name (its first character may be anything but space, "/" and ">"), then maybe a value.
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || d === 47 || d === 62 || d === 61) break;
      i += 1;
    }
    let j = i;
    while (j < n && isSpace(text.charCodeAt(j))) j += 1;
    if (text.charCodeAt(j) !== 61) continue;
    j += 1;
    while (j < n && isSpace(text.charCodeAt(j))) j += 1;
    const quote = text.charCodeAt(j);
    if (quote === 34 || quote === 39) {
      const close = text.indexOf(quote === 34 ? '"' : "'", j + 1);
      if (close >= 0) {
        i = close + 1;
        continue;
      }
    }
    i = j;
    while (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 62) i += 1;
  }
  return n;
};

class OpenElements {
  readonly names: string[] = [];
  /** Per entry: are its children SVG or MathML content? */
  readonly foreign: boolean[] = [];
  private readonly counts = new Map<string, number>();
  maxDepth = 0;

  get inForeign(): boolean {
    return this.foreign[this.foreign.length - 1] ?? false;
  }

  get top(): string | undefined {
    return this.names[this.names.length - 1];
  }

  push(name: string, foreignChildren: boolean): void {
    this.names.push(name);
    this.foreign.push(foreignChildren);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    if (this.names.length > this.maxDepth) this.maxDepth = this.names.length;
  }

  /** Pops the entry at `index` and everything above it. */
  popTo(index: number): void {
    while (this.names.length > index) {
      const name = this.names.pop() as string;
      this.foreign.pop();
      this.counts.set(name, (this.counts.get(name) ?? 1) - 1);
    }
  }

  /** Closes the topmost open `name`, if any (an end tag). */
  close(name: string): void {
    if (!this.counts.get(name)) return;
    this.popTo(this.names.lastIndexOf(name));
  }

  /** Closes the topmost open element named in `closes` unless a `scope` boundary comes first. */
  closeWithin(closes: string[], scope: ReadonlySet<string>): void {
    if (!closes.some((name) => this.counts.get(name))) return;
    for (let i = this.names.length - 1; i >= 0; i -= 1) {
      const name = this.names[i] as string;
      if (closes.includes(name)) {
        this.popTo(i);
        return;
      }
      if (scope.has(name)) return;
    }
  }
}

const scan = (html: string): HtmlStructure => {
  const result: HtmlStructure = {
    elements: 0,
    blocks: 0,
    tableRows: 0,
    images: 0,
    maxDepth: 0,
    inlineRunSquares: 0,
    longestInlineRun: 0,
  };
  const open = new OpenElements();
  let run = 0;
  const endRun = () => {
    result.inlineRunSquares += run * run;
    if (run > result.longestInlineRun) result.longestInlineRun = run;
    run = 0;
  };

  let next = html.indexOf('<');
  while (next >= 0) {
    const lt = next;
    const first = html.charCodeAt(lt + 1);
    if (first === 33 || first === 63) {
      if (first === 33 && html.startsWith('--', lt + 2)) {
        // A comment; "<!-->" and "<!--->" end where they start.
        const at = lt + 4;
        const short = SHORT_COMMENT.exec(html.slice(at, at + 2));
        COMMENT_END.lastIndex = at;
        const end = short ? undefined : COMMENT_END.exec(html);
        if (!short && !end) break;
        next = html.indexOf('<', short ? at + short[0].length : (end?.index ?? 0) + (end?.[0].length ?? 0));
      } else {
        // <!DOCTYPE ...>, <?...>: up to the next ">".
        const end = html.indexOf('>', lt + 2);
        if (end < 0) break;
        next = html.indexOf('<', end + 1);
      }
      continue;
    }
    const closing = first === 47;
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isLetter(html.charCodeAt(nameStart))) {
      next = html.indexOf('<', lt + 1);
      continue;
    }
    let nameEnd = nameStart + 1;
    for (let c = html.charCodeAt(nameEnd); nameEnd < html.length; c = html.charCodeAt(++nameEnd)) {
      if (isSpace(c) || c === 47 || c === 62) break;
    }
    const end = tagEnd(html, nameEnd);
    next = html.indexOf('<', end + 1);
    const rawName = html.slice(nameStart, nameEnd);
    const name = rawName.toLowerCase();
    const kind = KINDS.get(name) ?? 0;
    if (kind & Kind.RUN_BREAK) endRun();

    if (closing) {
      if (!(kind & Kind.ROOT)) open.close(name);
      continue;
    }

    result.elements += 1;
    if (kind & Kind.BLOCK) result.blocks += 1;
    if (name === 'tr') result.tableRows += 1;
    else if (name === 'img' || name === 'svg' || name === 'canvas') result.images += 1;
    if (kind & Kind.ROOT) continue;

    let foreign = open.inForeign;
    if (foreign && kind & Kind.BREAKS_FOREIGN) {
      while (open.inForeign) open.popTo(open.names.length - 1);
      foreign = false;
    }
    if (foreign) {
      if (html.charCodeAt(end - 1) !== 47) open.push(name, !HTML_INSIDE_FOREIGN.has(name));
      continue;
    }
    if (!(kind & Kind.RUN_BREAK)) run += 1;

    if (kind & Kind.CLOSES_P) open.closeWithin(CLOSE_P.closes, CLOSE_P.scope);
    const implied = name === 'p' ? undefined : IMPLIED_END.get(name);
    if (implied) open.closeWithin(implied.closes, implied.scope);
    if (kind & Kind.HEADING && (KINDS.get(open.top ?? '') ?? 0) & Kind.HEADING)
      open.popTo(open.names.length - 1);
    if (name === 'plaintext') break; // the rest of the document is text
    if (kind & Kind.RAW_TEXT) {
      let rawEnd = rawTextEnds.get(name);
      if (!rawEnd) {
        rawEnd = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi');
        rawTextEnds.set(name, rawEnd);
      }
      rawEnd.lastIndex = end + 1;
      const close = rawEnd.exec(html);
      if (!close) break;
      next = html.indexOf('<', close.index + close[0].length);
      continue;
    }
    if (!(kind & Kind.VOID)) open.push(name, name === 'svg' || name === 'math');
  }
  endRun();
  result.maxDepth = open.maxDepth;
  return result;
};

/**
 * The last document scanned: a quick job's HTML is scanned by the request check and again by the
 * estimate, and the second scan of a 5 MB document would cost as much as the first (~16 ms).
 */
let last: { html: string; structure: HtmlStructure } | undefined;

/**
 * Counts elements, blocks, inline runs and nesting depth of `html` in one pass.
 *
 * @example
 * scanHtml('<table><tr><td>1<tr><td>2</table>'); // { elements: 5, maxDepth: 3, ... }
 */
export const scanHtml = (html: string): HtmlStructure => {
  if (last?.html !== html) last = { html, structure: scan(html) };
  return { ...last.structure };
};
