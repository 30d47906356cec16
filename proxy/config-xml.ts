import { SaxesParser } from 'saxes';

/**
 * Configuration XML as the farm reader needs it: elements with their attributes and children, each
 * with the line it is on. Built on saxes, a strict (well-formedness checking) XML parser that
 * reports the exact line and column of what is wrong.
 */

export interface XmlAttribute {
  name: string;
  value: string;
  line: number;
}

export interface XmlElement {
  name: string;
  line: number;
  attributes: XmlAttribute[];
  children: XmlElement[];
}

/** Where something is in a configuration file: 1-based line and column. */
export interface XmlPosition {
  line: number;
  column?: number;
}

/** A configuration file that is not well-formed XML. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly position: XmlPosition,
    readonly reason: string,
  ) {
    super(`malformed XML: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

/**
 * Parses configuration XML. The first complaint of the parser rejects the file: IIS refuses a
 * configuration file that is not well-formed, so the lab does not guess what was meant.
 */
export function parseConfigXml(text: string): XmlElement {
  // Notepad and IIS Manager save applicationHost.config with a byte order mark.
  const source = text.replace(/^\uFEFF/, '');
  const parser = new SaxesParser({ position: true });
  let error: XmlSyntaxError | undefined;
  let root: XmlElement | undefined;
  const open: XmlElement[] = [];
  parser.on('error', (err) => {
    // saxes words its messages "line:column: reason".
    const m = /^(\d+):(\d+): (.*)$/s.exec(err.message);
    error ??= m ? new XmlSyntaxError({ line: Number(m[1]), column: Number(m[2]) }, m[3]!) : new XmlSyntaxError({ line: parser.line }, err.message);
  });
  parser.on('opentagstart', (tag) => {
    // saxes has read the character after the name; when that is a line break, the tag began a line earlier.
    const line = source[parser.position - 1] === '\n' ? parser.line - 1 : parser.line;
    const element: XmlElement = { name: tag.name, line, attributes: [], children: [] };
    open[open.length - 1]?.children.push(element);
    root ??= element;
    open.push(element);
  });
  parser.on('attribute', (attr) => {
    open[open.length - 1]?.attributes.push({ name: attr.name, value: attr.value, line: parser.line });
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.write(source).close();
  if (error) throw error;
  if (!root) throw new XmlSyntaxError({ line: 1 }, 'no root element');
  return root;
}

export function attribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.name === name)?.value;
}

/** Every element of that name under `element`, at any depth, in document order. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => (c.name === name ? [c] : descendants(c, name)));
}
